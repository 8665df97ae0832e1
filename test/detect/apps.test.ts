import { describe, expect, test } from "vitest";
import { detectFiles, json } from "./repo.js";

const pyApi = {
  "api/pyproject.toml": '[project]\nname = "orders-api"\ndependencies = ["fastapi", "uvicorn", "asyncpg"]\n',
  "api/uv.lock": "",
  "api/Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n',
};
const webFront = {
  "web/package.json": json({
    name: "orders-web",
    scripts: { dev: "vite", build: "vite build", start: "vite preview" },
    dependencies: { react: "18" },
    devDependencies: { vite: "5" },
  }),
  "web/package-lock.json": "{}",
  "web/Dockerfile": "FROM node:20\n",
};
const goWorker = {
  "worker/go.mod": "module example.com/worker\n\ngo 1.22\n",
  "worker/Dockerfile": 'FROM golang:1.22\nENTRYPOINT ["/worker"]\n',
};

describe("which app: deployables in subfolders", () => {
  test("three services in subfolders: all found, a backend chosen with its reasons", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront, ...goWorker });
    expect(d.apps.map((a) => a.path).sort()).toEqual(["api", "web", "worker"]);
    expect(d.appPath).toBe("api");
    expect(d.language).toBe("python");
    expect(d.dockerfile).toBe("api/Dockerfile");
    expect(d.dockerContext).toBe("api");
    expect(d.sources.app).toMatch(/^chosen among 3 deployables: /);
    const web = d.apps.find((a) => a.path === "web")!;
    expect(web.reasons).toContain("it looks like a front end");
  });

  test("a front end is not taken over the Python API beside it", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront });
    expect(d.appPath).toBe("api");
    expect(d.commands.install).toBe("uv sync --frozen");
  });

  test("app picks another of them; its commands run in its folder", async () => {
    const d = await detectFiles({ ...pyApi, ...webFront, ...goWorker }, { app: "worker/" });
    expect(d).toMatchObject({ appPath: "worker", language: "go", dockerfile: "worker/Dockerfile" });
    expect(d.sources.app).toBeUndefined();
  });

  test("a folder that is not among them is read as it is, with a note", async () => {
    const d = await detectFiles({ ...pyApi, "scripts/run.sh": "" }, { app: "scripts" });
    expect(d.appPath).toBe("scripts");
    expect(d.language).toBeNull();
    expect(d.notes).toContain("scripts is not among the deployables found; it was read as it is.");
  });

  test("a workspace member with an image is the app; the workspace root only orchestrates", async () => {
    const d = await detectFiles({
      "package.json": json({ name: "acme", private: true, workspaces: ["apps/*", "packages/*"] }),
      "package-lock.json": "{}",
      "apps/server/package.json": json({
        name: "@acme/server",
        scripts: { start: "node dist/main.js", build: "tsc" },
        dependencies: { express: "4" },
      }),
      "apps/server/Dockerfile": "FROM node:20\n",
      "packages/ui/package.json": json({ name: "@acme/ui" }),
    });
    expect(d.appPath).toBe("apps/server");
    expect(d.apps.map((a) => a.path)).toEqual(["apps/server"]);
    expect(d.name).toBe("acme-server");
  });

  test("modules of one Maven build run from the root; each is chosen by its own folder", async () => {
    const module = (name: string) => ({
      [`${name}/pom.xml`]: `<project><artifactId>${name}</artifactId></project>`,
      [`${name}/src/main/docker/Dockerfile`]: "FROM eclipse-temurin:17\n",
    });
    const files = {
      "pom.xml":
        "<project><artifactId>shop</artifactId><modules><module>orders-service</module><module>billing-service</module></modules></project>",
      ...module("orders-service"),
      ...module("billing-service"),
    };
    const d = await detectFiles(files);
    expect(d.apps.map((a) => [a.path, a.select]).sort()).toEqual([
      [".", "billing-service"],
      [".", "orders-service"],
    ]);
    const other = d.apps.find((a) => a.name !== d.name)!;
    const chosen = await detectFiles(files, { app: other.select });
    expect(chosen).toMatchObject({ appPath: ".", name: other.name, dockerfile: other.dockerfile });
  });

  test("the name is the image CI tags, unless CI only builds it to test it", async () => {
    const workflow = (tags: string) =>
      [
        "on: pull_request",
        "jobs:",
        "  image:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: docker/build-push-action@v6",
        "        with:",
        "          context: .",
        "          file: apps/api/Dockerfile",
        `          tags: ${tags}`,
      ].join("\n");
    const files = {
      "package.json": json({ name: "acme", private: true, workspaces: ["apps/*"] }),
      "package-lock.json": "{}",
      "apps/api/package.json": json({ name: "@acme/api", scripts: { start: "node main.js" } }),
      "apps/api/Dockerfile": "FROM node:20\n",
    };
    const released = await detectFiles({
      ...files,
      ".github/workflows/image.yml": workflow("ghcr.io/acme/ledger:latest"),
    });
    expect(released.name).toBe("ledger");
    const checked = await detectFiles({
      ...files,
      ".github/workflows/image.yml": workflow("ledger-test:ci"),
    });
    expect(checked.name).toBe("acme-api");
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { detectProject, serviceName } from "../../src/detect/index.js";
import { ShipgateError } from "../../src/errors.js";
import { tempDir } from "../helpers/tmp.js";

/** A throwaway repository holding exactly `files`, detected as it is. */
async function detectFiles(files: Record<string, string>) {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return detectProject({ root });
}

const json = (value: unknown) => JSON.stringify(value);

describe("choosing the language", () => {
  test("in one folder a backend language is the service and package.json its front end; all are listed", async () => {
    const d = await detectFiles({
      "package.json": json({ name: "web" }),
      "pyproject.toml": '[project]\nname = "tools"\n',
      "go.mod": "module example.com/x\n",
    });
    expect(d.language).toBe("python");
    expect(d.name).toBe("tools");
    expect(d.apps.map((a) => a.language)).toEqual(["python", "go", "node"]);
    expect(d.sources.app).toMatch(/^chosen among 3 deployables/);
  });

  test("takes the folder name when the manifest has none", async () => {
    const d = await detectFiles({ "Cargo.toml": "[workspace]\nmembers = []\n" });
    expect(d.language).toBe("rust");
    expect(d.name).toMatch(/^shipgate-test-[a-z0-9]+$/);
  });

  test("a root that is not a directory is an error", async () => {
    await expect(detectProject({ root: "/definitely/not/here" })).rejects.toBeInstanceOf(ShipgateError);
  });
});

describe("serviceName", () => {
  test.each([
    ["@acme/orders-api", "orders-api"],
    ["Billing_Service", "billing-service"],
    ["  --My App!! ", "my-app"],
    ["@@@", null],
    [null, null],
  ])("%j → %j", (input, expected) => {
    expect(serviceName(input)).toBe(expected);
  });
});

describe("node", () => {
  test("yarn classic installs with --frozen-lockfile", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { test: "mocha", lint: "eslint ." } }),
      "yarn.lock": "# yarn lockfile v1\n",
    });
    expect(d.commands).toEqual({
      install: "yarn install --frozen-lockfile",
      lint: "yarn lint",
      test: "yarn test",
    });
    expect(d.testRunner).toBe("mocha");
    expect(d.coverageReport).toBeNull();
  });

  test("packageManager picks between several lockfiles, with a note", async () => {
    const d = await detectFiles({
      "package.json": json({ packageManager: "pnpm@9.0.0" }),
      "package-lock.json": "{}",
      "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    });
    expect(d.packageManager).toBe("pnpm");
    expect(d.lockfile).toBe("pnpm-lock.yaml");
    expect(d.notes).toContain(
      "Found lockfiles of several package managers (package-lock.json, pnpm-lock.yaml); using pnpm.",
    );
  });

  test("without a lockfile: plain install and a note; start from main; version from engines", async () => {
    const d = await detectFiles({
      "package.json": json({
        main: "server.js",
        // `main` is how a server starts only when the package is one; a library's main is not.
        dependencies: { express: "4" },
        engines: { node: "^18.17.0" },
        workspaces: ["packages/*"],
        scripts: { test: 'echo "Error: no test specified" && exit 1' },
      }),
    });
    expect(d).toMatchObject({
      packageManager: "npm",
      lockfile: null,
      commands: { install: "npm install" },
      start: "node server.js",
      languageVersion: "18",
      versionFile: null,
      testRunner: null,
      workspaces: { tool: "npm", members: ["packages/*"] },
    });
    expect(d.commands.test).toBeUndefined();
    expect(d.notes).toContain(
      "No lockfile found; `npm install` will not install reproducibly until one is committed.",
    );
  });

  test("yarn 2+ in packageManager means berry even without .yarnrc.yml", async () => {
    const d = await detectFiles({ "package.json": json({ packageManager: "yarn@3.6.0" }), "yarn.lock": "" });
    expect(d.commands.install).toBe("yarn install --immutable");
  });

  test("jest configured for json-summary reports the summary", async () => {
    const d = await detectFiles({
      "package.json": json({
        scripts: { test: "jest --coverage" },
        jest: { coverageReporters: ["json-summary", "text"] },
      }),
      "package-lock.json": "{}",
    });
    expect(d.commands.test).toBe("npm test");
    expect(d.coverageReport).toBe("coverage/coverage-summary.json");
  });

  test("jest configured without lcov or summary gets reporters on the command line", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { test: "jest" }, devDependencies: { jest: "29" } }),
      "jest.config.js": "module.exports = { coverageReporters: ['html'] };\n",
      "pnpm-lock.yaml": "",
    });
    expect(d.commands.test).toBe(
      "pnpm test --coverage --coverageReporters=json-summary --coverageReporters=text",
    );
    expect(d.coverageReport).toBe("coverage/coverage-summary.json");
  });

  test("the runner comes from devDependencies; a script that is not the runner itself gets no flags", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { test: "./scripts/test.sh" }, devDependencies: { vitest: "2" } }),
      "vite.config.ts": "export default { test: { coverage: { reporter: ['lcov'] } } };\n",
      "bun.lockb": "",
    });
    expect(d.testRunner).toBe("vitest");
    // --coverage would reach test.sh, which may not pass it on: the script is run as it is.
    expect(d.commands.test).toBe("bun run test");
    expect(d.coverageReport).toBeNull();
  });

  test("node --test is the node runner", async () => {
    const d = await detectFiles({ "package.json": json({ scripts: { test: "node --import tsx --test" } }) });
    expect(d.testRunner).toBe("node");
  });

  test("lts aliases in .nvmrc are kept as written", async () => {
    const d = await detectFiles({ "package.json": "{}", ".nvmrc": "lts/iron\n" });
    expect(d).toMatchObject({ languageVersion: "lts/iron", versionFile: ".nvmrc" });
  });

  test("services come from workspace members' package.json too", async () => {
    const d = await detectFiles({
      "package.json": json({ workspaces: ["packages/*"], scripts: { test: "vitest run" } }),
      "packages/db/package.json": json({ dependencies: { postgres: "3" } }),
    });
    expect(d.services).toEqual([
      { kind: "postgres", source: 'packages/db/package.json dependency "postgres"' },
    ]);
  });
});

describe("services", () => {
  test("@prisma/client is as good as the datasource provider", async () => {
    const d = await detectFiles({
      "package.json": json({
        scripts: { test: "jest" },
        dependencies: { "@prisma/client": "5", redis: "4" },
      }),
      "prisma/schema.prisma":
        'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    });
    expect(d.services).toEqual([
      { kind: "postgres", source: 'prisma/schema.prisma datasource provider "postgresql"' },
      { kind: "redis", source: 'package.json dependency "redis"' },
    ]);
  });

  test("an app without tests needs no services, whatever its dependencies and compose files say", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { start: "node server.js" }, dependencies: { pg: "8", ioredis: "5" } }),
      "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
    });
    expect(d.commands.test).toBeUndefined();
    expect(d.services).toEqual([]);
  });

  test("compose images by their last path segment; dependencies come first; one per kind", async () => {
    const d = await detectFiles({
      "requirements.txt": "PyMySQL==1.1\npytest==8.3\n",
      "compose.yaml": [
        "services:",
        "  db:",
        "    image: docker.io/bitnami/postgresql:16",
        "  legacy:",
        "    image: mariadb:11",
        "  cache:",
        "    image: localhost:5000/redis:7@sha256:abc",
        "  other:",
        "    image: nginx",
      ].join("\n"),
    });
    expect(d.services).toEqual([
      { kind: "mysql", source: 'requirements.txt dependency "pymysql"' },
      { kind: "postgres", source: 'compose.yaml service "db"' },
      { kind: "redis", source: 'compose.yaml service "cache"' },
    ]);
  });

  test("a malformed compose file is noted and skipped", async () => {
    const d = await detectFiles({ "go.mod": "module x\n", "docker-compose.yml": "services: [\n" });
    expect(d.services).toEqual([]);
    expect(d.notes.some((n) => n.startsWith("docker-compose.yml is not valid YAML ("))).toBe(true);
  });
});

describe("Dockerfile", () => {
  const app = { "go.mod": "module example.com/app\n" };
  const image = "FROM golang:1.22\n";

  test("the root Dockerfile wins", async () => {
    const d = await detectFiles({
      ...app,
      Dockerfile: image,
      "docker/Dockerfile": image,
      "Dockerfile.dev": image,
    });
    expect(d.dockerfile).toBe("Dockerfile");
  });

  test("then docker/Dockerfile", async () => {
    const d = await detectFiles({ ...app, "docker/Dockerfile": image, "Dockerfile.dev": image });
    expect(d.dockerfile).toBe("docker/Dockerfile");
  });

  test("then the production variant; a development one is never the image", async () => {
    const d = await detectFiles({ ...app, "Dockerfile.prod": image, "Dockerfile.dev": image });
    expect(d.dockerfile).toBe("Dockerfile.prod");
    const dev = await detectFiles({ ...app, "Dockerfile.dev": image });
    expect(dev.dockerfile).toBeNull();
    expect(dev.unsure).not.toHaveProperty("dockerfile");
  });

  test("a repository with no recognised manifest still has its Dockerfile found", async () => {
    const d = await detectFiles({ Dockerfile: image });
    expect(d.language).toBeNull();
    expect(d.dockerfile).toBe("Dockerfile");
  });
});

describe("python", () => {
  test("pyproject without a lockfile installs itself with its extras; pytest without pytest-cov", async () => {
    const d = await detectFiles({
      "pyproject.toml": [
        "[project]",
        'name = "tool"',
        'requires-python = ">=3.10,<4"',
        "[project.optional-dependencies]",
        'dev = ["pytest", "mypy"]',
      ].join("\n"),
    });
    expect(d).toMatchObject({
      packageManager: "pip",
      languageVersion: "3.10",
      commands: { install: 'pip install -e ".[dev]"', typecheck: "mypy .", test: "pytest" },
      coverageReport: null,
    });
    expect(d.notes).toContain(
      "pytest-cov is not a dependency, so the tests measure no coverage; add it to enable the gate.",
    );
  });

  test("uv with extras syncs them; uv workspace members", async () => {
    const d = await detectFiles({
      "pyproject.toml": [
        "[project]",
        'name = "root"',
        "[project.optional-dependencies]",
        'test = ["pytest", "pytest-cov"]',
        "[tool.uv.workspace]",
        'members = ["packages/*"]',
      ].join("\n"),
      "uv.lock": "version = 1\n",
    });
    expect(d.commands.install).toBe("uv sync --frozen --all-extras");
    expect(d.commands.test).toBe("uv run pytest --cov --cov-report=xml");
    expect(d.workspaces).toEqual({ tool: "uv", members: ["packages/*"] });
  });

  test("a malformed pyproject.toml is noted; requirements.txt still counts", async () => {
    const d = await detectFiles({ "pyproject.toml": "[project\n", "requirements.txt": "redis\npytest\n" });
    expect(d.language).toBe("python");
    expect(d.services).toEqual([{ kind: "redis", source: 'requirements.txt dependency "redis"' }]);
    expect(d.notes).toContain('pyproject.toml is not valid TOML (line 1: expected "]"); it was ignored.');
  });
});

describe("test variables from the app's configuration", () => {
  test("nothing sets them for the tests: the names the settings read for its database, marked", async () => {
    const d = await detectFiles({
      "requirements.txt": "Django==5.0\npsycopg2-binary==2.9\npytest\n",
      "manage.py": "#!/usr/bin/env python\n",
      "app/settings/common.py":
        'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db("DATABASE_URL")}\nSECRET = env("SECRET_KEY")\n',
    });
    expect(d.services.map((s) => s.kind)).toEqual(["postgres"]);
    expect(Object.keys(d.testEnv)).toEqual(["DATABASE_URL"]);
    expect(d.sources.testEnv).toBe("the variables the app's configuration reads");
    expect(d.unsure.testEnv).toMatch(/check the tests read them too/);
  });
});

describe("the runtime version from the image's toolchain", () => {
  test("nothing else pins it: FROM node:22-alpine (a registry prefix and a later stage's base do not matter)", async () => {
    const d = await detectFiles({
      "package.json": json({ scripts: { start: "node server.js" } }),
      "package-lock.json": "{}",
      Dockerfile:
        "FROM docker.io/library/node:22-alpine AS build\nRUN npm ci\nFROM build AS final\nCMD node server.js\n",
    });
    expect(d.languageVersion).toBe("22");
    expect(d.sources.languageVersion).toBe("Dockerfile:1 (FROM docker.io/library/node:22-alpine)");
    expect(d.unsure.languageVersion).toBeUndefined();
  });

  test("a version file still comes first, and an image of another language says nothing", async () => {
    const pinned = await detectFiles({
      "package.json": json({}),
      ".nvmrc": "20.11.1\n",
      Dockerfile: "FROM node:22\n",
    });
    expect(pinned.languageVersion).toBe("20.11.1");
    const other = await detectFiles({ "go.mod": "module example.com/x\n", Dockerfile: "FROM python:3.12\n" });
    expect(other.languageVersion).toBeNull();
  });
});

describe("go, rust and java", () => {
  test("go.work lists workspace modules", async () => {
    const d = await detectFiles({
      "go.mod": "module example.com/tools\n\ngo 1.23.1\n\nrequire github.com/lib/pq v1.10.9\n",
      "go.work": "go 1.23\n\nuse (\n\t./api\n\t./worker // jobs\n)\n",
    });
    expect(d).toMatchObject({
      name: "tools",
      languageVersion: "1.23.1",
      lockfile: null,
      workspaces: { tool: "go", members: ["./api", "./worker"] },
      services: [{ kind: "postgres", source: 'go.mod dependency "github.com/lib/pq"' }],
    });
  });

  test("a single crate without Cargo.lock", async () => {
    const d = await detectFiles({
      "Cargo.toml":
        '[package]\nname = "edge_proxy"\nrust-version = "1.75"\n\n[dependencies]\ndiesel = { version = "2", features = ["mysql"] }\n',
    });
    expect(d).toMatchObject({
      name: "edge-proxy",
      languageVersion: "1.75",
      versionFile: null,
      lockfile: null,
      commands: { install: "cargo fetch", build: "cargo build --release" },
      services: [{ kind: "mysql", source: 'Cargo.toml dependency "diesel" with feature "mysql"' }],
    });
  });

  test("a malformed Cargo.toml is noted and still means rust", async () => {
    const d = await detectFiles({ "Cargo.toml": '[package]\nname = "x" extra\n' });
    expect(d.language).toBe("rust");
    expect(d.notes).toContain(
      "Cargo.toml is not valid TOML (line 2: expected the end of the line); it was ignored.",
    );
  });

  test("maven without a wrapper, with modules and without JaCoCo", async () => {
    const d = await detectFiles({
      "pom.xml": [
        "<project>",
        "  <artifactId>shop-parent</artifactId>",
        "  <properties><maven.compiler.release>17</maven.compiler.release></properties>",
        "  <modules><module>api</module><module>worker</module></modules>",
        "  <dependencies><dependency><groupId>com.mysql</groupId><artifactId>mysql-connector-j</artifactId></dependency></dependencies>",
        "</project>",
      ].join("\n"),
      ".java-version": "21\n",
    });
    expect(d).toMatchObject({
      name: "shop-parent",
      languageVersion: "21",
      versionFile: ".java-version",
      commands: { test: "mvn -B verify", build: "mvn -B -DskipTests package" },
      coverageReport: null,
      workspaces: { tool: "maven", members: ["api", "worker"] },
      services: [{ kind: "mysql", source: 'pom.xml dependency "com.mysql:mysql-connector-j"' }],
    });
    expect(d.commands.install).toBeUndefined();
    expect(d.notes).toContain("No JaCoCo report goal in pom.xml, so the tests write no coverage report.");
  });

  test("groovy gradle without a wrapper", async () => {
    const d = await detectFiles({
      "build.gradle":
        "java {\n  sourceCompatibility = JavaVersion.VERSION_21\n}\ndependencies {\n  implementation 'io.lettuce:lettuce-core:6.4.0.RELEASE'\n}\n",
      "settings.gradle": "rootProject.name = 'mailer'\ninclude 'api', 'worker'\n",
    });
    expect(d).toMatchObject({
      name: "mailer",
      languageVersion: "21",
      commands: { test: "gradle test", build: "gradle build -x test" },
      workspaces: { tool: "gradle", members: ["api", "worker"] },
      services: [{ kind: "redis", source: 'build.gradle dependency "io.lettuce:lettuce-core"' }],
    });
    expect(d.notes).toContain("No Gradle wrapper (gradlew); CI uses whatever Gradle is installed.");
  });
});

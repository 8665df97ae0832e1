import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const FIXTURES = new URL("../fixtures/repos/", import.meta.url).pathname;

describe("shipgate init", () => {
  test("--yes writes shipgate.yml for the chosen target and says what is next", async () => {
    const root = await tempDir(join(FIXTURES, "node-npm-jest-postgres"));
    const run = await runCli(["init", "--yes", "--target", "kubernetes", "--dir", root], { cwd: "/" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("detected:   node with npm");
    expect(run.stdout).toContain('services:   postgres (package.json dependency "pg")');
    expect(run.stdout).toContain(`wrote: ${join(root, "shipgate.yml").slice(1)} (target: kubernetes)`);
    expect(run.stdout.trimEnd().endsWith("next: shipgate generate")).toBe(true);
    const { config } = await loadConfig({ path: join(root, "shipgate.yml") });
    expect(config.environments.staging?.target.type).toBe("kubernetes");
  });

  test("defaults to the current directory and the ecs target", async () => {
    const root = await tempDir(join(FIXTURES, "go-service"));
    const run = await runCli(["init", "--yes"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("wrote: shipgate.yml (target: ecs)");
    const { config } = await loadConfig({ path: join(root, "shipgate.yml") });
    expect(config.app.language).toBe("go");
  });

  test("without a terminal and without --yes it takes the defaults and says so", async () => {
    const root = await tempDir(join(FIXTURES, "empty"));
    const run = await runCli(["init", "--target", "local"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Not a terminal: using the detected defaults");
    expect(run.stdout).toContain("note:       No Node, Python, Go, Rust or Java project found");
  });

  test("never overwrites an existing file without --force", async () => {
    const root = await tempDir();
    const path = join(root, "shipgate.yml");
    await writeFile(path, "app: {}\n");
    const run = await runCli(["init", "--yes"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error[init/exists]");
    expect(run.stderr).toContain("fix: use --force to overwrite");
    expect(await readFile(path, "utf8")).toBe("app: {}\n");

    const forced = await runCli(["init", "--yes", "--force"], { cwd: root });
    expect(forced.code).toBe(0);
    expect(await readFile(path, "utf8")).not.toBe("app: {}\n");
  });

  test("an invalid --target lists the valid ones", async () => {
    const root = await tempDir();
    const run = await runCli(["init", "--yes", "--target", "lambda"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[init/unknown-target]: unknown target "lambda"');
    expect(run.stderr).toContain("valid targets: ecs, kubernetes, local");
  });

  test("run in an app's subfolder: the config goes to the repository root, guesses are listed", async () => {
    const root = await tempDir(join(FIXTURES, "go-service"));
    await mkdir(join(root, ".git"));
    await writeFile(join(root, ".git/HEAD"), "ref: refs/heads/feature\n");
    await mkdir(join(root, "services/worker"), { recursive: true });
    await writeFile(join(root, "services/worker/go.mod"), "module example.com/worker\n\ngo 1.22\n");
    const run = await runCli(["init", "--yes", "--target", "local"], { cwd: join(root, "services/worker") });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Repository root: ${root} (the config and .github/workflows go there)`);
    expect(run.stdout).toMatch(
      /Replace before generating \(each is marked "Replace" in the file\):\n {2}ci\.branches +no remote default branch/,
    );
    const { config } = await loadConfig({ path: join(root, "shipgate.yml") });
    expect(config.app.path).toBe("services/worker");
    expect(config.app.language).toBe("go");
  });

  test("a Go service and its front end in one folder: the other is chosen with --language", async () => {
    const root = await tempDir();
    const files: Record<string, string> = {
      "go.mod": "module example.com/orders\n\ngo 1.22\n",
      Dockerfile: "FROM golang:1.22\n",
      "Dockerfile.web": "FROM node:20\n",
      "package.json": JSON.stringify({
        name: "orders-ui",
        scripts: { start: "vite preview", build: "vite build" },
      }),
      "package-lock.json": "{}",
      "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.web\n",
    };
    for (const [path, text] of Object.entries(files)) await writeFile(join(root, path), text);
    const run = await runCli(["init", "--yes", "--target", "local"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Chose orders (.) among 2 deployables. For another one:\n");
    expect(run.stdout).toContain("  shipgate init --app . --language node --config shipgate.web.yml\n");

    const other = await runCli(
      [
        "init",
        "--yes",
        "--target",
        "local",
        "--app",
        ".",
        "--language",
        "node",
        "--config",
        "shipgate.web.yml",
      ],
      { cwd: root },
    );
    expect(other.code).toBe(0);
    const { config } = await loadConfig({ path: join(root, "shipgate.web.yml") });
    expect(config.app).toMatchObject({ language: "node", name: "web" });
  });

  test("an unknown --language names the ones init reads, and nothing is written", async () => {
    const root = await tempDir();
    const run = await runCli(["init", "--yes", "--language", "golang"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[init/unknown-language]: unknown language "golang"');
    expect(run.stderr).toContain("languages: node, python, go, rust, java");
    await expect(readFile(join(root, "shipgate.yml"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  test("--config takes an absolute path as it is", async () => {
    const root = await tempDir(join(FIXTURES, "go-service"));
    const elsewhere = join(await tempDir(), "orders.yml");
    const run = await runCli(["init", "--yes", "--config", elsewhere], { cwd: root });
    expect(run.code).toBe(0);
    expect((await loadConfig({ path: elsewhere })).config.app.language).toBe("go");
  });
});

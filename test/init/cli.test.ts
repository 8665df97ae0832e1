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
});

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { ShipgateError } from "../../src/errors.js";
import { initProject } from "../../src/init/index.js";
import { tempDir } from "../helpers/tmp.js";

const FIXTURES = new URL("../fixtures/repos/", import.meta.url).pathname;

async function errorOf(promise: Promise<unknown>): Promise<ShipgateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShipgateError);
  return error as ShipgateError;
}

describe("initProject", () => {
  test("detects the repository and writes a valid shipgate.yml", async () => {
    const root = await tempDir(join(FIXTURES, "node-npm-jest-postgres"));
    const result = await initProject({ root, target: "ecs" });
    expect(result.path).toBe(join(root, "shipgate.yml"));
    expect(result.written).toBe(true);
    expect(result.detection.language).toBe("node");
    expect(await readFile(result.path, "utf8")).toBe(result.content);
    const { config } = await loadConfig({ path: result.path });
    expect(config.app).toMatchObject({ name: "orders-api", packageManager: "npm", services: ["postgres"] });
  });

  test.each(["go-service", "python-uv", "empty"])("a valid file for %s", async (fixture) => {
    const root = await tempDir(join(FIXTURES, fixture));
    for (const target of ["ecs", "kubernetes", "local"]) {
      const result = await initProject({ root, target, force: true });
      await expect(loadConfig({ path: result.path })).resolves.toBeDefined();
    }
  });

  test("never overwrites an existing shipgate.yml without force", async () => {
    const root = await tempDir();
    const path = join(root, "shipgate.yml");
    await writeFile(path, "# mine, edited by hand\n");
    const error = await errorOf(initProject({ root, target: "ecs" }));
    expect(error.code).toBe("init/exists");
    expect(error.exitCode).toBe(2);
    expect(error.diagnostics[0]?.hint).toMatch(
      /^use --force to overwrite it, or --config shipgate\.<app>\.yml/,
    );
    expect(await readFile(path, "utf8")).toBe("# mine, edited by hand\n");
  });

  test("overwrites with force, and reports an identical file as not written", async () => {
    const root = await tempDir();
    const path = join(root, "shipgate.yml");
    await writeFile(path, "# old\n");
    const first = await initProject({ root, target: "local", force: true });
    expect(first.written).toBe(true);
    expect(await readFile(path, "utf8")).toBe(first.content);
    const second = await initProject({ root, target: "local", force: true });
    expect(second.written).toBe(false);
  });

  test("references a smoke file that exists", async () => {
    const root = await tempDir();
    await mkdir(join(root, ".shipgate"));
    await writeFile(join(root, ".shipgate", "smoke.yml"), "[]\n");
    const result = await initProject({ root, target: "local" });
    const { config } = await loadConfig({ path: result.path });
    expect(config.environments.staging?.verify.smoke).toBe(".shipgate/smoke.yml");
  });

  test("an unknown target is an input error with a did-you-mean", async () => {
    const root = await tempDir();
    const error = await errorOf(initProject({ root, target: "ecz" }));
    expect(error.code).toBe("init/unknown-target");
    expect(error.exitCode).toBe(2);
    expect(error.diagnostics[0]?.hint).toBe('did you mean "ecs"? valid targets: ecs, kubernetes, local');
  });
});

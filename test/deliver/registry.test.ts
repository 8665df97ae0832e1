import { readdir } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { METRIC_PROVIDERS } from "../../src/deliver/analysis/providers/index.js";
import { STRATEGIES } from "../../src/deliver/strategies/index.js";
import { TARGETS } from "../../src/deliver/targets/index.js";

const entries = async (dir: string) =>
  readdir(new URL(`../../src/deliver/${dir}`, import.meta.url), { withFileTypes: true });

describe("delivery registries match the code on disk", () => {
  test("every target folder is registered with its own id, and every registered target has a folder", async () => {
    const folders = (await entries("targets")).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(Object.keys(TARGETS).sort(), "register the folder in src/deliver/targets/index.ts").toEqual(
      folders.sort(),
    );
    for (const [id, target] of Object.entries(TARGETS)) expect(target.id).toBe(id);
  });

  test("every metric provider folder is registered with its own id, and has a folder of tests", async () => {
    const folders = (await entries("analysis/providers")).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(
      Object.keys(METRIC_PROVIDERS).sort(),
      "register the folder in src/deliver/analysis/providers/index.ts",
    ).toEqual(folders.sort());
    for (const [id, provider] of Object.entries(METRIC_PROVIDERS)) {
      expect(provider.id).toBe(id);
      const tests = await readdir(new URL(`./analysis/providers/${id}/`, import.meta.url));
      expect(tests.length, `add tests in test/deliver/analysis/providers/${id}/`).toBeGreaterThan(0);
    }
  });

  test("every strategy file is registered under its id, and each has a crash drill", async () => {
    const files = (await entries("strategies"))
      .map((e) => e.name.replace(/\.ts$/, ""))
      .filter((n) => !["index", "types", "shared"].includes(n));
    expect(Object.keys(STRATEGIES).sort()).toEqual(files.sort());
    for (const [id, strategy] of Object.entries(STRATEGIES)) expect(strategy.id).toBe(id);
    const drills = await readdir(new URL("./", import.meta.url));
    for (const id of Object.keys(STRATEGIES)) {
      expect(drills, `add test/deliver/crash-${id}.test.ts`).toContain(`crash-${id}.test.ts`);
    }
  });
});

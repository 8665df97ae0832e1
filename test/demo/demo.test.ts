import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runDemo } from "../../src/demo/index.js";
import { tempDir } from "../helpers/tmp.js";
import { validateWorkflow } from "../support/validate-workflow.js";

describe("runDemo", () => {
  test("init, generate and verify on the sample app; the generated workflows are valid", async () => {
    const workDir = await tempDir();
    const lines: string[] = [];
    const result = await runDemo({ workDir, log: (l) => lines.push(l) });
    expect(result.ok).toBe(true);
    expect(result.files).toEqual(
      expect.arrayContaining([
        "shipgate.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/deploy-production.yml",
      ]),
    );
    for (const name of ["ci", "deploy-staging", "deploy-production", "rollback"]) {
      const path = `.github/workflows/${name}.yml`;
      expect(await validateWorkflow(await readFile(join(workDir, path), "utf8"), path)).toEqual([]);
    }
    const config = await readFile(join(workDir, "shipgate.yml"), "utf8");
    expect(config.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=/);
    expect(lines.filter((l) => /verify\s+pass/.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => /stop\s+sample-app drained and stopped/.test(l))).toBe(true);
  }, 60_000);
});

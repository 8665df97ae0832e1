import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { VulnsGateResult } from "../../../src/gates/result.js";
import {
  describeWithTools,
  gate,
  lineOf,
  missingTool,
  projectDir,
  runPackageBin,
  runTool,
  type ToolRun,
} from "./support.js";

describe("Biome's SARIF (a linter's results)", () => {
  const dir = projectDir({
    "biome.json": "{}\n",
    "cart.js":
      "export function total(items) {\n  const unused = 1;\n  if (items == null) debugger;\n  return 0;\n}\n",
  });
  let biome: ToolRun;
  beforeAll(async () => {
    biome = await runPackageBin(
      "@biomejs/biome/bin/biome",
      ["lint", "--reporter=sarif", "--reporter-file=biome.sarif", "."],
      { cwd: dir() },
    );
  }, 60_000);

  it("counts no lint result as a vulnerability, and names the rules it left out", async () => {
    expect(biome.code).toBe(1);
    const { code, result } = await gate(["vulns", "biome.sarif", "--fail-on", "low"], dir());
    expect(code).toBe(0);
    const vulns = result as VulnsGateResult;
    expect(vulns.figure).toBe("no findings");
    expect(vulns.notes).toEqual([
      expect.stringMatching(
        /results? not counted: their rules are not security rules .*Biome's lint\/suspicious\/noDebugger \(1\)/,
      ),
    ]);
  });
});

const MISSING = missingTool("flawfinder", ["--version"], "flawfinder (apt-get install flawfinder)");

describeWithTools("flawfinder's SARIF (a security scanner's results)", MISSING, () => {
  const dir = projectDir({
    "copy.c": `#include <stdio.h>
#include <string.h>
void greet(char *name) {
  char buffer[16];
  strcpy(buffer, name);
  printf(name);
}
`,
  });
  let hits: ToolRun;
  beforeAll(async () => {
    hits = await runTool("flawfinder", ["copy.c"], { cwd: dir() });
    const sarif = await runTool("flawfinder", ["--sarif", "copy.c"], { cwd: dir() });
    await writeFile(join(dir(), "flawfinder.sarif"), sarif.stdout);
  }, 60_000);

  it("counts every hit: its rules name their CWE", async () => {
    const own = Number(/Hits = (\d+)/.exec(lineOf(hits.stdout, /^Hits = /))?.[1]);
    expect(own).toBeGreaterThan(0);
    const { code, result } = await gate(["vulns", "flawfinder.sarif", "--fail-on", "low"], dir());
    expect(code).toBe(1);
    const vulns = result as VulnsGateResult;
    expect(Object.values(vulns.counts).reduce((a, b) => a + b, 0)).toBe(own);
    expect(vulns.notes).toEqual([]);
  });
});

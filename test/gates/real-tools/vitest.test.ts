import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CoverageGateResult } from "../../../src/gates/result.js";
import { counts, gate, lineOf, projectDir, runPackageBin, type ToolRun, testsGate } from "./support.js";

/** One vitest 4 run: its JUnit report and its coverage (whose include pattern matches no file). */
const PROJECT = {
  "vitest.config.mjs": "export default { test: { include: ['**/*.test.js'] } };\n",
  // it.each without the value in the title: three cases with one name, the second fails.
  "sum.test.js": `import { describe, expect, it } from "vitest";
describe("sum", () => {
  it.each([1, 2, 3])("adds", (n) => expect(n).not.toBe(2));
});
`,
  // One title in three files, one of which fails.
  ...Object.fromEntries(
    ["a", "b", "c"].map((name) => [
      `render-${name}.test.js`,
      `import { expect, it } from "vitest";
it("renders without crashing", () => expect(${name === "b" ? "1" : "2"}).toBe(2));
`,
    ]),
  ),
  "later.test.js": `import { it } from "vitest";
it.todo("writes the receipt");
it.skip("sends the email", () => {});
`,
  // Fails once, passes on its retry: vitest's JUnit report shows a pass, nothing more.
  "retry.test.js": `import { expect, it } from "vitest";
let tries = 0;
it("reconnects", { retry: 2 }, () => {
  tries += 1;
  expect(tries).toBe(2);
});
`,
  "src/calc.js": "export const half = (n) => n / 2;\n",
};

describe("vitest 4", () => {
  const dir = projectDir(PROJECT);
  let vitest: ToolRun;
  beforeAll(async () => {
    vitest = await runPackageBin(
      "vitest/vitest.mjs",
      [
        "run",
        "--root",
        dir(),
        "--config",
        join(dir(), "vitest.config.mjs"),
        "--no-file-parallelism",
        "--reporter=default",
        "--reporter=junit",
        "--outputFile.junit=junit.xml",
        "--coverage.enabled",
        "--coverage.reportOnFailure",
        "--coverage.provider=v8",
        "--coverage.include=lib/**",
        "--coverage.reporter=json-summary",
        "--coverage.reporter=cobertura",
        "--coverage.reporter=text-summary",
        "--coverage.reportsDirectory=coverage",
      ],
      { cwd: dir() },
    );
  }, 120_000);

  it("fails the tests gate as vitest fails, with vitest's counts and every same-named failure", async () => {
    expect(vitest.code).toBe(1);
    const own = counts(lineOf(vitest.stdout, /^\s*Tests\s/));
    expect(own).toMatchObject({ failed: 2, passed: 5, skipped: 1, todo: 1 });
    const { code, tests } = await testsGate("junit.xml", dir());
    expect(code).toBe(1);
    // Vitest writes a todo test as <skipped/>, so it is counted with the skipped ones.
    expect(tests.totals).toMatchObject({
      passed: own.passed,
      failed: own.failed,
      skipped: own.skipped! + own.todo!,
      flaky: 0,
    });
    expect(tests.failures.map((f) => f.name).sort()).toEqual(["renders without crashing", "sum > adds"]);
  });

  it("cannot see vitest's retries: a test that passed on its retry reads as passed", async () => {
    const report = await readFile(join(dir(), "junit.xml"), "utf8");
    expect(report).toMatch(
      /<testcase classname="retry.test.js" name="reconnects" time="[\d.]+">\s*<\/testcase>/,
    );
    const { tests } = await testsGate("junit.xml", dir());
    expect(tests.flaky).toEqual([]);
  });

  it("fails the coverage gate when vitest covered no file (Unknown% (0/0))", async () => {
    expect(lineOf(vitest.stdout, /^Lines\s*:/)).toMatch(/Unknown% \( 0\/0 \)/);
    for (const report of ["coverage/coverage-summary.json", "coverage/cobertura-coverage.xml"]) {
      const { code, result } = await gate(["coverage", report, "--min", "80", "--branches", "50"], dir());
      expect(code, report).toBe(1);
      expect((result as CoverageGateResult).figure).toBe("no lines measured (0/0)");
    }
  });
});

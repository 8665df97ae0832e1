import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { CoverageGateResult } from "../../../src/gates/result.js";
import { counts, gate, lineOf, projectDir, runPackageBin, type ToolRun, testsGate } from "./support.js";

/** A jest 30 project, reported with jest-junit 17; coverage's include pattern matches no file. */
const PROJECT = {
  "package.json": '{ "name": "shop", "private": true }\n',
  // it.each without the value in the title: three cases with one name, the second fails.
  "sum.test.js": `describe("sum", () => {
  it.each([1, 2, 3])("adds", (n) => expect(n).not.toBe(2));
});
`,
  // One title in three files, one of which fails: jest-junit gives all three the same name.
  ...Object.fromEntries(
    ["a", "b", "c"].map((name) => [
      `render-${name}.test.js`,
      `it("renders without crashing", () => expect(${name === "b" ? "1" : "2"}).toBe(2));\n`,
    ]),
  ),
  "later.test.js": `it.todo("writes the receipt");
it.skip("sends the email", () => {});
`,
  // Fails once, passes on its retry: jest-junit writes one passed test case.
  "retry.test.js": `jest.retryTimes(2);
let tries = 0;
it("reconnects", () => {
  tries += 1;
  expect(tries).toBe(2);
});
`,
  // A test file that fails to load: jest-junit leaves it out unless reportTestSuiteErrors is on.
  "broken.test.js": `require("./missing");
it("never runs", () => {});
`,
  "src/calc.js": "exports.half = (n) => n / 2;\n",
};

/** Jest resolves reporters from the project, which has no node_modules: name it by its path. */
const JEST_JUNIT = fileURLToPath(new URL("../../../node_modules/jest-junit", import.meta.url));

/** Runs jest on the project (or the files matching `only`), with coverage by `provider`. */
function jest(
  dir: string,
  options: { provider: string; junit: string; env?: NodeJS.ProcessEnv; only?: string },
) {
  return runPackageBin(
    "jest/bin/jest.js",
    [
      "--rootDir",
      dir,
      "--ci",
      "--runInBand",
      "--watchman=false",
      "--cacheDirectory",
      join(dir, ".jest-cache"),
      "--reporters=default",
      `--reporters=${JEST_JUNIT}`,
      "--coverage",
      `--coverageProvider=${options.provider}`,
      "--collectCoverageFrom=lib/**/*.js",
      "--coverageReporters=json-summary",
      "--coverageReporters=cobertura",
      "--coverageReporters=text-summary",
      `--coverageDirectory=coverage-${options.provider}`,
      ...(options.only ? [options.only] : []),
    ],
    {
      cwd: dir,
      env: { JEST_JUNIT_OUTPUT_DIR: dir, JEST_JUNIT_OUTPUT_NAME: options.junit, ...options.env },
    },
  );
}

/** "Tests:       2 failed, 1 skipped, 1 todo, 5 passed, 9 total" */
const ownCounts = (run: ToolRun) => counts(lineOf(run.stderr, /^Tests:/));

describe("jest 30 with jest-junit 17", () => {
  const dir = projectDir(PROJECT);
  let babel: ToolRun;
  let v8: ToolRun;
  let onlyTodo: ToolRun;
  beforeAll(async () => {
    babel = await jest(dir(), { provider: "babel", junit: "junit.xml" });
    v8 = await jest(dir(), {
      provider: "v8",
      junit: "junit-suite-errors.xml",
      env: { JEST_JUNIT_REPORT_TEST_SUITE_ERRORS: "true" },
    });
    onlyTodo = await jest(dir(), { provider: "babel", junit: "junit-todo.xml", only: "later" });
  }, 180_000);

  it("fails the tests gate as jest fails, with jest's counts and every same-named failure", async () => {
    expect(babel.code).toBe(1);
    const own = ownCounts(babel);
    expect(own).toMatchObject({ failed: 2, skipped: 1, todo: 1, passed: 5 });
    const { code, tests } = await testsGate("junit.xml", dir());
    expect(code).toBe(1);
    expect(tests.totals).toMatchObject({
      passed: own.passed,
      failed: own.failed,
      skipped: own.skipped,
      todo: own.todo,
      flaky: 0,
    });
    expect(tests.failures.map((f) => f.name.trim()).sort()).toEqual(["renders without crashing", "sum adds"]);
  });

  it("fails the gate on a run where only todo and skipped tests were, though jest exits 0", async () => {
    expect(onlyTodo.code).toBe(0);
    expect(ownCounts(onlyTodo)).toEqual({ skipped: 1, todo: 1, total: 2 });
    const { code, result } = await gate(["tests", "junit-todo.xml"], dir());
    expect(code).toBe(1);
    expect(result).toMatchObject({
      figure: "0 passed, 1 skipped, 1 todo",
      summary: "all 2 tests were skipped or todo; nothing was tested",
    });
  });

  it("sees a test file that failed to load only with jest-junit's reportTestSuiteErrors", async () => {
    expect(babel.stderr).toContain("FAIL ./broken.test.js");
    const plain = await testsGate("junit.xml", dir());
    expect(plain.tests.failures.map((f) => f.name)).not.toContain("broken.test.js");
    const reported = await testsGate("junit-suite-errors.xml", dir());
    expect(reported.code).toBe(1);
    expect(reported.tests.failures).toContainEqual(
      expect.objectContaining({ name: "broken.test.js", status: "error" }),
    );
  });

  it("cannot see jest's retries: a test that passed on its retry reads as passed", async () => {
    const { tests } = await testsGate("junit.xml", dir());
    expect(tests.flaky).toEqual([]);
  });

  it("fails the coverage gate when jest covered no file, with either provider", async () => {
    for (const [provider, run] of [
      ["babel", babel],
      ["v8", v8],
    ] as const) {
      expect(lineOf(run.stdout, /^Lines\s*:/), provider).toMatch(/Unknown% \( 0\/0 \)/);
      for (const report of ["coverage-summary.json", "cobertura-coverage.xml"]) {
        const path = `coverage-${provider}/${report}`;
        const { code, result } = await gate(["coverage", path, "--min", "80", "--branches", "50"], dir());
        expect(code, path).toBe(1);
        expect((result as CoverageGateResult).figure, path).toBe("no lines measured (0/0)");
      }
    }
  });
});

import { beforeAll, expect, it } from "vitest";
import type { CoverageGateResult } from "../../../src/gates/result.js";
import {
  counts,
  describeWithTools,
  gate,
  lineOf,
  missingTool,
  projectDir,
  runTool,
  type ToolRun,
  testsGate,
} from "./support.js";

/**
 * Debian's pytest and coverage.py (6.5 on Debian 12, the version whose lcov report miscounts
 * LH), run as CI installs them: Debian's own python3, not another on PATH.
 */
const PYTHON = "/usr/bin/python3";
const MISSING =
  missingTool(PYTHON, ["-m", "pytest", "--version"], "python3-pytest (apt-get install python3-pytest)") ??
  missingTool(PYTHON, ["-m", "coverage", "--version"], "python3-coverage (apt-get install python3-coverage)");

const PROJECT = {
  // Only a docstring: coverage.py 6.5 writes LF:0 LH:1 for it.
  "pkg/__init__.py": '"""The shop package."""\n',
  // Four statements; the tests run three.
  "pkg/calc.py": `def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b")
    return a / b
`,
  // Four statements, three run; coverage.py 6.5 counts the docstring too and writes LF:4 LH:4.
  "pkg/fmt.py": `"""Money formatting."""


def money(cents):
    if cents < 0:
        return "-" + money(-cents)
    return f"{cents / 100:.2f}"
`,
  "tests/test_shop.py": `import pytest
from pkg.calc import div
from pkg.fmt import money


def test_div():
    assert div(4, 2) == 2


def test_money():
    assert money(150) == "1.50"


@pytest.mark.xfail(reason="refunds are not written yet")
def test_refund():
    raise NotImplementedError


@pytest.mark.skip(reason="needs a mail server")
def test_email():
    pass
`,
};

describeWithTools("pytest and coverage.py (Debian)", MISSING, () => {
  const dir = projectDir(PROJECT);
  let pytest: ToolRun;
  let report: ToolRun;
  beforeAll(async () => {
    const python = (...args: string[]) =>
      runTool(PYTHON, args, { cwd: dir(), env: { PYTHONDONTWRITEBYTECODE: "1" } });
    pytest = await python(
      "-m",
      "coverage",
      "run",
      "--source=pkg",
      "-m",
      "pytest",
      "-p",
      "no:cacheprovider",
      "--junitxml=junit.xml",
      "tests",
    );
    report = await python("-m", "coverage", "report");
    await python("-m", "coverage", "lcov", "-o", "coverage.lcov");
    await python("-m", "coverage", "xml", "-o", "coverage.xml");
  }, 120_000);

  it("passes the tests gate as pytest passes, an xfail counted as skipped", async () => {
    expect(pytest.code).toBe(0);
    const own = counts(lineOf(pytest.stdout, / passed/));
    expect(own).toMatchObject({ passed: 2, skipped: 1, xfailed: 1 });
    const { code, tests } = await testsGate("junit.xml", dir());
    expect(code).toBe(0);
    expect(tests.totals).toMatchObject({
      passed: own.passed,
      failed: 0,
      skipped: own.skipped! + own.xfailed!,
    });
  });

  it("reads coverage.py 6.5's lcov with coverage.py's own total, as its Cobertura report, and says why", async () => {
    expect(lineOf(report.stdout, /^TOTAL/)).toMatch(/^TOTAL\s+8\s+2\s+75%$/);
    for (const file of ["coverage.lcov", "coverage.xml"]) {
      const below = await gate(["coverage", file, "--min", "80"], dir());
      expect(below.code, file).toBe(1);
      expect((below.result as CoverageGateResult).figure, file).toBe("lines 75% (6/8)");
      expect((await gate(["coverage", file, "--min", "75"], dir())).code, file).toBe(0);
    }
    const { result } = await gate(["coverage", "coverage.lcov", "--min", "80"], dir());
    expect((result as CoverageGateResult).notes).toEqual([
      expect.stringMatching(
        /coverage\.lcov: pkg\/__init__\.py: LH:1 .* coverage\.py before 7\.2\.2 .* read as 0 of 0/,
      ),
      expect.stringMatching(/coverage\.lcov: pkg\/fmt\.py: LH:4 .* read as 3 of 4/),
    ]);
  });
});

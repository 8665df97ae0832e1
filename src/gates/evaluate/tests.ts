import type { TestsGateResult, TestTotals } from "../result.js";
import type { TestCaseResult, TestReport } from "../types.js";

export interface TestsThresholds {
  /** Fail when a test passed only on a retry (gates.tests.failOnFlaky). */
  failOnFlaky?: boolean;
}

export function evaluateTests(
  reports: readonly TestReport[],
  thresholds: TestsThresholds = {},
): TestsGateResult {
  const failOnFlaky = thresholds.failOnFlaky ?? false;
  const cases = reports.flatMap((r) => r.cases);
  const totals: TestTotals = { tests: cases.length, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0 };
  for (const c of cases) {
    if (c.status === "passed") totals.passed += 1;
    else if (c.status === "failed") totals.failed += 1;
    else if (c.status === "error") totals.errors += 1;
    else if (c.status === "skipped") totals.skipped += 1;
    else totals.flaky += 1;
  }
  const failures = cases.filter((c) => c.status === "failed" || c.status === "error");
  const flaky = cases.filter((c) => c.status === "flaky");
  const ran = totals.tests - totals.skipped;
  const ok = failures.length === 0 && ran > 0 && !(failOnFlaky && flaky.length > 0);
  return {
    gate: "tests",
    ok,
    figure: figureOf(totals),
    threshold: failOnFlaky ? "no failures, no flaky tests" : "no failures",
    summary: summaryOf({ failures, flaky, totals, ran, failOnFlaky }),
    reports: reports.map((r) => ({ file: r.file, format: r.format })),
    failOnFlaky,
    totals,
    failures,
    flaky,
    notes: passedElsewhere(failures, cases),
  };
}

/** "Cart adds an item" for jest (classname repeats the name), "tests.test_orders › test_refund" otherwise. */
export function testName(c: TestCaseResult): string {
  if (!c.classname || c.classname === c.name || c.name.startsWith(c.classname)) return c.name;
  return `${c.classname} › ${c.name}`;
}

function figureOf(t: TestTotals): string {
  const parts = [`${t.passed} passed`];
  if (t.failed > 0) parts.push(`${t.failed} failed`);
  if (t.errors > 0) parts.push(`${t.errors} error${t.errors === 1 ? "" : "s"}`);
  if (t.flaky > 0) parts.push(`${t.flaky} flaky`);
  if (t.skipped > 0) parts.push(`${t.skipped} skipped`);
  return parts.join(", ");
}

function summaryOf(input: {
  failures: TestCaseResult[];
  flaky: TestCaseResult[];
  totals: TestTotals;
  ran: number;
  failOnFlaky: boolean;
}): string {
  const { failures, flaky, totals, ran, failOnFlaky } = input;
  if (totals.tests === 0) return "the reports contain no test cases; did the tests run?";
  if (ran === 0)
    return `${totals.tests === 1 ? "the 1 test was" : `all ${totals.tests} tests were`} skipped; nothing was tested`;
  const first = failures[0];
  if (first) {
    const verb = first.status === "error" ? "errored" : "failed";
    const retried = first.attempts > 1 ? ` (all ${first.attempts} attempts)` : "";
    const more = failures.length > 1 ? `, and ${failures.length - 1} more` : "";
    return `${testName(first)} ${verb}${retried}${first.message ? `: ${first.message}` : ""}${more}`;
  }
  const flakyList = flaky.map(testName);
  const shown =
    flakyList.slice(0, 3).join(", ") + (flakyList.length > 3 ? `, and ${flakyList.length - 3} more` : "");
  if (flaky.length > 0 && failOnFlaky) return `passed only on retry (failOnFlaky is set): ${shown}`;
  if (flaky.length > 0) return `${all(ran)} passed; flaky (passed on retry): ${shown}`;
  return `${all(ran)} passed`;
}

/** "all 12 tests" or "the 1 test", to start a sentence about them. */
function all(n: number): string {
  return n === 1 ? "the 1 test" : `all ${n} tests`;
}

/**
 * Retries are folded within one report file only: the same test failing on one platform and
 * passing on another is a real failure. When a failed test passed in another file, say so, in
 * case that file was a rerun.
 */
function passedElsewhere(failures: TestCaseResult[], cases: TestCaseResult[]): string[] {
  const passed = new Map<string, string>();
  for (const c of cases) {
    if (c.status === "passed" || c.status === "flaky") passed.set(`${c.classname}\u0000${c.name}`, c.file);
  }
  return failures.flatMap((f) => {
    const other = passed.get(`${f.classname}\u0000${f.name}`);
    return other && other !== f.file
      ? [`${testName(f)} failed in ${f.file} but passed in ${other}; reports are not merged across files`]
      : [];
  });
}

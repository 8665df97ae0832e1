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
  const totals: TestTotals = {
    tests: cases.length,
    passed: 0,
    failed: 0,
    errors: 0,
    skipped: 0,
    todo: 0,
    flaky: 0,
  };
  const key: Record<TestCaseResult["status"], keyof TestTotals> = {
    passed: "passed",
    failed: "failed",
    error: "errors",
    skipped: "skipped",
    todo: "todo",
    flaky: "flaky",
  };
  for (const c of cases) totals[key[c.status]] += 1;
  const failures = cases.filter((c) => c.status === "failed" || c.status === "error");
  const flaky = cases.filter((c) => c.status === "flaky");
  const ran = totals.tests - totals.skipped - totals.todo;
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
    notes: [
      ...reports.flatMap((r) => r.notes.map((n) => `${r.file}: ${n}`)),
      ...sameNamed(cases),
      ...passedElsewhere(failures, cases),
    ],
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
  if (t.todo > 0) parts.push(`${t.todo} todo`);
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
  if (ran === 0) {
    const how = totals.todo === 0 ? "skipped" : totals.skipped === 0 ? "todo" : "skipped or todo";
    return `${totals.tests === 1 ? "the 1 test was" : `all ${totals.tests} tests were`} ${how}; nothing was tested`;
  }
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
 * Same-named cases in one file are separate tests (it.each without the value in its title, one
 * title in several test files). When some of them failed, say so, in case they were a runner's
 * retries written as separate cases: those count as flaky only where the format marks them.
 */
function sameNamed(cases: TestCaseResult[]): string[] {
  const groups = new Map<string, TestCaseResult[]>();
  for (const c of cases) {
    const id = `${c.file}\u0000${c.classname}\u0000${c.name}`;
    const group = groups.get(id);
    if (group) group.push(c);
    else groups.set(id, [c]);
  }
  return [...groups.values()].flatMap((group) => {
    const failed = group.filter((c) => c.status === "failed" || c.status === "error").length;
    if (group.length < 2 || failed === 0 || failed === group.length) return [];
    const first = group[0]!;
    return [
      `${testName(first)} is in ${first.file} ${group.length} times and failed ${failed} of them; same-named test cases are separate tests, and a retry counts as flaky only where the report marks it (Surefire, Gradle with mergeReruns)`,
    ];
  });
}

/**
 * Reports are never merged across files: the same test failing on one platform and passing on
 * another is a real failure. When a failed test passed in another file, say so, in
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

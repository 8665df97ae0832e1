import type { TestCaseResult } from "../../types.js";
import type { XmlElement } from "../../xml.js";

/** A test case as read, with the <testcase> element it was read from. */
export interface ReadCase {
  result: TestCaseResult;
  element: XmlElement;
}

/**
 * jest-junit writes `it.todo` tests as plain test cases, which read as passed, but leaves them
 * out of its suite's `tests` count. When a suite counts fewer tests than it has cases, and its
 * counts allow fewer passes than it has cases that read as passed, that many did not pass:
 * they are counted as todo. Both conditions, because writers also add cases they do not count
 * (jest-junit's failed hooks) and count a case twice (node: a failed todo under failures and
 * skipped). The report does not say which cases those are; jest-junit gives a todo test no
 * time, so zero-time cases go first. Call it only for suites without nested suites: writers
 * differ on whether a suite's counts include its children's.
 * Returns a note when cases were recounted.
 */
export function recountUncounted(suite: XmlElement, cases: readonly ReadCase[]): string | undefined {
  const tests = count(suite, "tests");
  if (tests === undefined) return undefined;
  const others = ["failures", "errors", "skipped"].reduce((sum, name) => sum + (count(suite, name) ?? 0), 0);
  const passes = Math.max(0, tests - others);
  const passedLike = cases.filter((c) => c.result.status === "passed" || c.result.status === "flaky").length;
  const surplus = Math.min(cases.length - tests, passedLike - passes);
  if (surplus <= 0) return undefined;
  const recounted = cases
    .filter((c) => c.result.status === "passed")
    .sort((a, b) => Number(timed(a.element)) - Number(timed(b.element)))
    .slice(0, surplus);
  for (const c of recounted) c.result.status = "todo";
  const n = recounted.length;
  return `suite "${suite.attributes.name ?? ""}" has ${passedLike} test cases that read as passed but counts ${passes} passes (tests="${tests}"); ${n} ${n === 1 ? "is" : "are"} counted as todo, not passed (jest-junit writes it.todo tests so)`;
}

function timed(testcase: XmlElement): boolean {
  return Number(testcase.attributes.time ?? 0) > 0;
}

function count(element: XmlElement, name: string): number | undefined {
  const raw = element.attributes[name];
  return raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined;
}

import { readReportText } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import type { TestCaseResult, TestReport, TestStatus } from "../../types.js";
import { list, parseXml, textOf } from "../../xml.js";
import { foldAttempts } from "./attempts.js";

/** JUnit XML as jest-junit, pytest --junitxml, Maven Surefire/Failsafe, Gradle and go-junit-report write it. */
export const id = "junit";
export const kind = "tests";
export const label = "JUnit XML";

export function sniff(head: string): boolean {
  return /<testsuites?[\s>/]/.test(head);
}

const ARRAYS: ReadonlySet<string> = new Set([
  "testsuite",
  "testcase",
  "failure",
  "error",
  "skipped",
  "flakyFailure",
  "flakyError",
  "rerunFailure",
  "rerunError",
]);

type Element = Record<string, unknown>;

export async function parse(file: string): Promise<TestReport> {
  const text = await readReportText(file);
  const doc = parseXml(file, text, label, { arrays: ARRAYS });
  const suites = doc.testsuites !== undefined ? [doc.testsuites] : doc.testsuite;
  if (suites === undefined) {
    const root = Object.keys(doc).find((k) => !k.startsWith("?") && !k.startsWith("#"));
    throw malformedReport(
      file,
      label,
      `the root element is <${root ?? "nothing"}>, not <testsuites> or <testsuite>`,
    );
  }
  const runs: TestCaseResult[] = [];
  const visit = (suite: Element, parentName?: string) => {
    const name = typeof suite["@name"] === "string" ? suite["@name"] : parentName;
    for (const testcase of list<Element>(suite.testcase)) runs.push(caseOf(file, testcase, name));
    for (const child of list<Element>(suite.testsuite)) visit(child, name);
  };
  for (const suite of list<Element>(suites)) visit(typeof suite === "object" && suite ? suite : {});

  // Group by identity in document order, so retries fold and every test keeps its place.
  const groups = new Map<string, TestCaseResult[]>();
  for (const run of runs) {
    const key = `${run.classname}\u0000${run.name}`;
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  return { kind: "tests", format: id, file, cases: [...groups.values()].flatMap(foldAttempts) };
}

/** One <testcase>: its outcome, and Surefire's record of earlier runs when it was rerun. */
function caseOf(file: string, testcase: Element, suite: string | undefined): TestCaseResult {
  const failures = list(testcase.failure);
  const errors = list(testcase.error);
  const reruns = [...list(testcase.rerunFailure), ...list(testcase.rerunError)];
  const flakes = [...list(testcase.flakyFailure), ...list(testcase.flakyError)];
  let status: TestStatus;
  let detail: unknown;
  if (failures.length > 0) [status, detail] = ["failed", failures[0]];
  else if (errors.length > 0) [status, detail] = ["error", errors[0]];
  else if (flakes.length > 0) [status, detail] = ["flaky", flakes[0]];
  else if (testcase.skipped !== undefined) [status, detail] = ["skipped", undefined];
  else status = "passed";
  const message = messageOf(detail);
  const name = String(testcase["@name"] ?? "");
  return {
    file,
    ...(suite !== undefined && { suite }),
    classname: String(testcase["@classname"] ?? suite ?? ""),
    name,
    status,
    // Surefire: a test that failed every rerun has <failure> plus one <rerunFailure> per rerun;
    // one that passed on a rerun has a <flakyFailure> per failed run and no <failure>.
    attempts: 1 + (status === "flaky" ? flakes.length : reruns.length),
    ...(message !== undefined && { message }),
  };
}

function messageOf(detail: unknown): string | undefined {
  if (detail === undefined || detail === null) return undefined;
  const element = typeof detail === "object" ? (detail as Element) : {};
  const attribute = typeof element["@message"] === "string" ? element["@message"] : undefined;
  const text = attribute ?? textOf(detail) ?? textOf(element.stackTrace);
  const first = text
    ?.split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  if (first === undefined) return undefined;
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

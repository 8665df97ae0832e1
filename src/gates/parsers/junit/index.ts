import { readReportText } from "../../read-text.js";
import type { TestCaseResult, TestReport, TestStatus } from "../../types.js";
import { checkStructure, childrenNamed, parseXml, type XmlElement, type XmlReport } from "../../xml.js";
import { foldAttempts } from "./attempts.js";

/** JUnit XML as jest-junit, pytest --junitxml, Maven Surefire/Failsafe, Gradle and go-junit-report write it. */
export const id = "junit";
export const kind = "tests";
export const label = "JUnit XML";

export function sniff(head: string): boolean {
  return /<testsuites?[\s>/]/.test(head);
}

/** Where each element the parser reads may be; the root is <testsuites> or <testsuite>. */
const PARENTS: Record<string, readonly string[]> = {
  testsuites: [],
  testsuite: ["testsuites", "testsuite"],
  testcase: ["testsuite"],
  ...Object.fromEntries(
    ["failure", "error", "skipped", "flakyFailure", "flakyError", "rerunFailure", "rerunError"].map(
      (name) => [name, ["testcase"]],
    ),
  ),
};

export async function parse(file: string): Promise<TestReport> {
  const text = await readReportText(file);
  const xml = parseXml(file, text, label);
  const { root } = xml;
  if (root.name !== "testsuites" && root.name !== "testsuite") {
    throw xml.malformed(root, `the root element is <${root.name}>, not <testsuites> or <testsuite>`);
  }
  checkStructure(xml, { parents: PARENTS, format: "JUnit XML" });
  const runs: TestCaseResult[] = [];
  const visit = (suite: XmlElement, parentName?: string) => {
    const name = suite.attributes.name ?? parentName;
    for (const testcase of childrenNamed(suite, "testcase")) runs.push(caseOf(xml, testcase, name));
    for (const child of childrenNamed(suite, "testsuite")) visit(child, name);
  };
  visit(root);

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
function caseOf(xml: XmlReport, testcase: XmlElement, suite: string | undefined): TestCaseResult {
  const name = testcase.attributes.name;
  if (name === undefined) throw xml.malformed(testcase, "a <testcase> has no name attribute");
  const of = (...names: string[]) => testcase.children.filter((c) => names.includes(c.name));
  const failures = of("failure");
  const errors = of("error");
  const reruns = of("rerunFailure", "rerunError");
  const flakes = of("flakyFailure", "flakyError");
  let status: TestStatus;
  let detail: XmlElement | undefined;
  if (failures.length > 0) [status, detail] = ["failed", failures[0]];
  else if (errors.length > 0) [status, detail] = ["error", errors[0]];
  else if (flakes.length > 0) [status, detail] = ["flaky", flakes[0]];
  else if (of("skipped").length > 0) status = "skipped";
  else status = "passed";
  const message = detail && messageOf(detail);
  return {
    file: xml.file,
    ...(suite !== undefined && { suite }),
    classname: testcase.attributes.classname ?? suite ?? "",
    name,
    status,
    // Surefire: a test that failed every rerun has <failure> plus one <rerunFailure> per rerun;
    // one that passed on a rerun has a <flakyFailure> per failed run and no <failure>.
    attempts: 1 + (status === "flaky" ? flakes.length : reruns.length),
    ...(message !== undefined && { message }),
  };
}

function messageOf(detail: XmlElement): string | undefined {
  // Surefire's flaky and rerun elements keep the trace in a <stackTrace> child.
  const text = detail.attributes.message ?? (detail.text || childrenNamed(detail, "stackTrace")[0]?.text);
  const first = text
    ?.split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  if (first === undefined) return undefined;
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

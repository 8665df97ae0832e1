import { readReportText } from "../../read-text.js";
import type { TestCaseResult, TestReport, TestStatus } from "../../types.js";
import { checkStructure, childrenNamed, parseXml, type XmlElement, type XmlReport } from "../../xml.js";
import { failuresOnlyNodeCounted } from "./node-summary.js";
import { type ReadCase, recountUncounted } from "./uncounted.js";

/**
 * JUnit XML as jest-junit, vitest, node's test runner, pytest --junitxml, Maven
 * Surefire/Failsafe, Gradle and go-junit-report write it.
 */
export const id = "junit";
export const kind = "tests";
export const label = "JUnit XML";

export function sniff(head: string): boolean {
  return /<testsuites?[\s>/]/.test(head);
}

/**
 * Where each element the parser reads may be; the root is <testsuites> or <testsuite>. Node's
 * test runner writes top-level tests straight under <testsuites>.
 */
const PARENTS: Record<string, readonly string[]> = {
  testsuites: [],
  testsuite: ["testsuites", "testsuite"],
  testcase: ["testsuite", "testsuites"],
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
  const cases: TestCaseResult[] = [];
  const notes: string[] = [];
  const visit = (suite: XmlElement, parentName?: string) => {
    const name = suite.attributes.name ?? parentName;
    const read: ReadCase[] = childrenNamed(suite, "testcase").map((element) => ({
      result: caseOf(xml, element, name),
      element,
    }));
    const nested = childrenNamed(suite, "testsuite");
    const recounted = suite.name === "testsuite" && nested.length === 0 && recountUncounted(suite, read);
    if (recounted) notes.push(recounted);
    cases.push(...read.map((c) => c.result));
    for (const child of nested) visit(child, name);
  };
  visit(root);
  const unseen = failuresOnlyNodeCounted(file, text, cases);
  if (unseen) cases.push(unseen);
  if (cases.length === 0 && root.attributes.name === JEST_JUNIT_NAME) {
    notes.push(
      "jest-junit writes nothing for a test file that failed to load unless its reportTestSuiteErrors option is true; check jest's own output",
    );
  }
  // Same-named cases stay separate tests: a rerun counts only where the format marks it
  // (Surefire's rerun and flaky elements, inside one <testcase>).
  return { kind: "tests", format: id, file, cases, notes };
}

/** The <testsuites> name jest-junit writes unless its suiteName option is set. */
const JEST_JUNIT_NAME = "jest tests";

/** One <testcase>: its outcome, and Surefire's record of earlier runs when it was rerun. */
function caseOf(xml: XmlReport, testcase: XmlElement, suite: string | undefined): TestCaseResult {
  const name = testcase.attributes.name;
  if (name === undefined) throw xml.malformed(testcase, "a <testcase> has no name attribute");
  const of = (...names: string[]) => testcase.children.filter((c) => names.includes(c.name));
  const failures = of("failure");
  const errors = of("error");
  const reruns = of("rerunFailure", "rerunError");
  const flakes = of("flakyFailure", "flakyError");
  const skipped = of("skipped");
  let status: TestStatus;
  let detail: XmlElement | undefined;
  // Node writes a todo test that failed with both <skipped type="todo"> and <failure>: a todo
  // is expected to fail, and node's own run does not fail on it.
  if (skipped.some((s) => s.attributes.type === "todo")) status = "todo";
  else if (failures.length > 0) [status, detail] = ["failed", failures[0]];
  else if (errors.length > 0) [status, detail] = ["error", errors[0]];
  else if (flakes.length > 0) [status, detail] = ["flaky", flakes[0]];
  else if (skipped.length > 0) status = "skipped";
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

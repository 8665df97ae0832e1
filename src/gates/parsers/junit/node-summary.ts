import type { TestCaseResult } from "../../types.js";

/**
 * Node's test runner ends its JUnit report with its own totals as comments (`<!-- fail 1 -->`).
 * It writes a test with subtests as a <testsuite>, and a failure of that test itself (thrown
 * after its subtests passed) appears nowhere else: node fails the run, the test cases do not.
 * When node's own count of failed and cancelled tests is higher than the failures the cases
 * show, the difference is a failure of its own, so the gate fails with node.
 */
export function failuresOnlyNodeCounted(
  file: string,
  text: string,
  cases: readonly TestCaseResult[],
): TestCaseResult | undefined {
  const total = (name: string) => {
    const match = new RegExp(`<!--\\s*${name}\\s+(\\d+)\\s*-->`).exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const failed = total("fail");
  if (total("tests") === undefined || failed === undefined) return undefined;
  const counted = failed + (total("cancelled") ?? 0);
  const shown = cases.filter((c) => c.status === "failed" || c.status === "error").length;
  if (counted <= shown) return undefined;
  return {
    file,
    classname: "",
    name: "node's own summary",
    status: "failed",
    attempts: 1,
    message: `node counted ${counted} failed or cancelled tests, the test cases show ${shown}; a test that failed after its subtests passed is written as a <testsuite> without its failure`,
  };
}

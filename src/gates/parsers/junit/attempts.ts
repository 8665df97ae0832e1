import type { TestCaseResult, TestStatus } from "../../types.js";

/**
 * Folds repeated runs of one test into one result. Retry plugins (Gradle's test-retry,
 * jest-junit with retries, pytest-rerunfailures) write the same classname+name once per
 * attempt, in the order they ran: a failure followed by a pass is flaky, not failed.
 */
export function foldAttempts(runs: TestCaseResult[]): TestCaseResult[] {
  const failedSomewhere = runs.some(
    (r) => r.status === "failed" || r.status === "error" || r.status === "flaky",
  );
  // Same name, never failed: distinct tests that share a title (parametrized), kept apart.
  if (runs.length === 1 || !failedSomewhere) return runs;

  const attempts = runs.reduce((sum, r) => sum + r.attempts, 0);
  const ran = runs.filter((r) => r.status !== "skipped");
  const last = ran[ran.length - 1]!;
  const firstFailure = ran.find((r) => r.status !== "passed");
  let status: TestStatus;
  if (last.status === "failed" || last.status === "error") status = last.status;
  else status = "flaky";
  const message = status === "flaky" ? firstFailure?.message : last.message;
  return [{ ...last, status, attempts, ...(message !== undefined && { message }) }];
}

import { type JobScriptLine, runsOnlyOnFailure } from "./classify.js";
import type { Step } from "./model/workflow.js";
import { firstAbove } from "./sorted.js";

/**
 * Whether a job's scripts wait for something after a point: a later line matches `waits` and
 * runs when the earlier one succeeded (it is in the same step, or in a step that does not run
 * only on failure: a wait inside a rollback step does not count). Computed in one pass from the
 * end of the job, so asking after every deploy command costs nothing more: scanning the later
 * lines for each one would cost the square of the job's scripts.
 */
export function laterWaits(lines: readonly JobScriptLine[], waits: RegExp) {
  const n = lines.length;
  // From line i on: a wait in a step that runs on success; a wait in line i's own step.
  const onSuccess = new Array<boolean>(n + 1).fill(false);
  const inStep = new Array<boolean>(n + 1).fill(false);
  for (let i = n - 1; i >= 0; i--) {
    const line = lines[i]!;
    const waiting = waits.test(line.text);
    onSuccess[i] = onSuccess[i + 1]! || (waiting && !runsOnlyOnFailure(line.step));
    inStep[i] = waiting || (lines[i + 1]?.step === line.step && inStep[i + 1]!);
  }
  return {
    /** After the line at `index` (a step's lines are consecutive). */
    afterLine(index: number): boolean {
      return onSuccess[index + 1]! || (lines[index + 1]?.step === lines[index]!.step && inStep[index + 1]!);
    },
    /** In the steps after `step`. */
    afterStep(step: Step): boolean {
      return onSuccess[firstAbove(lines, step.index, (line) => line.step.index)]!;
    },
  };
}

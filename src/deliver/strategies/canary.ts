import { MAX_STEP_FACTOR } from "../analysis/canary-analysis.js";
import type { Step } from "../steps.js";
import { begin, firstRelease, startAndVerify } from "./shared.js";
import type { Strategy } from "./types.js";

export interface CanaryOptions {
  /** Traffic percentages, e.g. [10, 50, 100]; 100 (or the last step) promotes. */
  steps: number[];
  stepSeconds: number;
  /** The longest a step holds for evidence; default 3 × stepSeconds. */
  maxStepSeconds?: number | undefined;
}

/**
 * The new release takes a growing share of traffic; at every share below 100 the analysis
 * compares it with the stable release on the same window, rolls back on evidence of harm and
 * advances on evidence of safety, holding the share up to `maxStepSeconds` for it.
 */
export const canary: Strategy<CanaryOptions> = {
  id: "canary",
  plan(input, options) {
    if (!input.stable) return [begin(input), ...firstRelease(input)];
    const { release, stable } = input;
    const steps: Step[] = [begin(input), ...startAndVerify(input)];
    const shares = [...new Set(options.steps.filter((s) => s > 0 && s < 100))].sort((a, b) => a - b);
    for (const weight of shares) {
      steps.push(
        { kind: "weights", weights: { [release]: weight, [stable]: 100 - weight } },
        {
          kind: "analyse",
          release,
          baseline: stable,
          weight,
          seconds: options.stepSeconds,
          maxSeconds: options.maxStepSeconds ?? MAX_STEP_FACTOR * options.stepSeconds,
        },
      );
    }
    steps.push(
      { kind: "weights", weights: { [release]: 100 } },
      { kind: "promote", release },
      { kind: "stop", release: stable },
    );
    return steps;
  },
};

/**
 * The two rollout policies the benchmark compares shipgate's against, on the same simulated
 * traffic (src/deliver/analysis/simulate.ts):
 *
 * - `absenceOfFailurePolicy`: what shipgate did before evidence to advance — the same
 *   anytime-valid tests roll back on evidence of harm, and a step advances when its time is up
 *   and it saw at least `minRequests` canary requests, whatever the evidence of safety.
 * - `thresholdPolicy`: a Flagger-style check — every `intervalSeconds` the interval's canary
 *   error rate is compared with `maxErrorRate`; `threshold` failed checks roll back; a step
 *   advances when its time is up. An interval without canary requests is not a failed check
 *   here (Flagger counts a query without data as one). Latency is not checked: Flagger's
 *   latency check is an absolute threshold in milliseconds, which these scenarios do not set.
 */
import {
  CANARY_ID,
  type CanaryScenario,
  createCanaryAnalysis,
  DEFAULT_MIN_REQUESTS,
  MAX_STEP_FACTOR,
  type Measurement,
  type PolicyDecision,
  type RolloutPolicy,
  STABLE_ID,
  type Verdict,
} from "../../src/deliver/analysis/index.js";

export function absenceOfFailurePolicy(scenario: CanaryScenario): RolloutPolicy {
  const analysis = createCanaryAnalysis(scenario.limits);
  const stepMs = scenario.stepSeconds * 1000;
  const maxStepMs = (scenario.maxStepSeconds ?? MAX_STEP_FACTOR * scenario.stepSeconds) * 1000;
  const minRequests = scenario.limits.minRequests ?? DEFAULT_MIN_REQUESTS;
  let last: Verdict | undefined;
  return {
    name: "advance on absence of failure",
    get verdict() {
      return last;
    },
    beginStep() {
      analysis.beginStep();
    },
    observe(measurement: Measurement, elapsedMs: number): PolicyDecision {
      last = analysis.observe(measurement, CANARY_ID, STABLE_ID);
      if (last.decision === "fail") return "fail";
      if (elapsedMs < stepMs) return "continue";
      if (last.decision !== "inconclusive" && last.harm.step.canaryRequests >= minRequests) return "advance";
      return elapsedMs >= maxStepMs ? "inconclusive" : "continue";
    },
  };
}

export interface ThresholdOptions {
  /** Seconds between checks. Flagger's default interval is 60 s; its tutorials use 30 s to 1 min. */
  intervalSeconds: number;
  /** Failed checks before a rollback (Flagger's `threshold`; its tutorials use 5 to 10). */
  threshold: number;
}

export function thresholdPolicy(scenario: CanaryScenario, options: ThresholdOptions): RolloutPolicy {
  const stepMs = scenario.stepSeconds * 1000;
  const intervalMs = options.intervalSeconds * 1000;
  let failedChecks = 0;
  let checkStartMs = 0;
  let counted = { requests: 0, errors: 0 };
  let atCheckStart = counted;
  return {
    name: `threshold check every ${options.intervalSeconds} s, ${options.threshold} failures`,
    verdict: undefined,
    beginStep() {
      checkStartMs = 0;
      atCheckStart = counted;
    },
    observe(measurement: Measurement, elapsedMs: number): PolicyDecision {
      if (!measurement.ok) return "continue";
      const canary = measurement.releases[CANARY_ID];
      if (canary) counted = { requests: canary.requests, errors: canary.errors };
      if (elapsedMs - checkStartMs >= intervalMs) {
        const requests = counted.requests - atCheckStart.requests;
        const errors = counted.errors - atCheckStart.errors;
        if (requests > 0 && errors / requests > scenario.limits.maxErrorRate) failedChecks++;
        if (failedChecks >= options.threshold) return "fail";
        checkStartMs = elapsedMs;
        atCheckStart = counted;
      }
      return elapsedMs >= stepMs ? "advance" : "continue";
    },
  };
}

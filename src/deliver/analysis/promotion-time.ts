/**
 * How long a healthy canary takes to be promoted under evidence to advance, at a given
 * traffic: the median of a few seeded simulated rollouts (./simulate.ts) of a canary identical
 * to the stable release. What `plan` prints, so that a team sees before its first deploy what
 * its limits cost at its traffic.
 *
 * The simulated releases fail `errorRate` of their requests and answer in a log-normal time
 * (median 50 ms, σ 0.5): the latency check compares the two releases' p95s as a ratio, so the
 * scale does not matter, but a heavier tail than this takes longer to bound.
 */
import { MAX_STEP_FACTOR } from "./canary-analysis.js";
import { runRollout } from "./simulate.js";
import type { AnalysisLimits } from "./types.js";

export interface PromotionTimeInput {
  limits: AnalysisLimits;
  /** The canary's shares below 100%, 0..1, ascending. */
  weights: readonly number[];
  stepSeconds: number;
  maxStepSeconds?: number | undefined;
  /** Requests per second over both releases. */
  totalRps: number;
  /** Both releases' error rate. Default 0.1%. */
  errorRate?: number;
  /** Simulated rollouts. Default 7. */
  runs?: number;
}

export interface PromotionTime {
  /** The traffic simulated: below `totalRps` when less already promotes as fast as the steps allow. */
  simulatedRps: number;
  runs: number;
  /** Rollouts promoted within the longest holds. */
  promoted: number;
  /** Median seconds from the first canary traffic to promotion, over the promoted runs. */
  medianSeconds: number | undefined;
}

const LATENCY = { medianMs: 50, sigma: 0.5 };
export const DEFAULT_ESTIMATE_ERROR_RATE = 0.001;

/**
 * Above this rate the simulation, which draws every request, first tries this rate: if a
 * healthy canary is already promoted as fast as the steps allow, more traffic cannot make it
 * faster, and the estimate costs a fraction of a second instead of tens at thousands of req/s.
 */
const PROBE_RPS = 1000;

export function estimatePromotionTime(input: PromotionTimeInput): PromotionTime {
  if (input.totalRps > PROBE_RPS) {
    const probe = simulate({ ...input, totalRps: PROBE_RPS });
    const fastest = input.weights.length * input.stepSeconds;
    if (probe.promoted === probe.runs && probe.medianSeconds !== undefined && probe.medianSeconds <= fastest)
      return probe;
  }
  return simulate(input);
}

function simulate(input: PromotionTimeInput): PromotionTime {
  const runs = input.runs ?? 7;
  const release = { errorRate: input.errorRate ?? DEFAULT_ESTIMATE_ERROR_RATE, latency: LATENCY };
  const scenario = {
    totalRps: input.totalRps,
    canaryWeights: input.weights,
    stepSeconds: input.stepSeconds,
    maxStepSeconds: input.maxStepSeconds ?? MAX_STEP_FACTOR * input.stepSeconds,
    canary: release,
    stable: release,
    limits: input.limits,
    // A measurement a second is enough for an estimate, and four times cheaper.
    observeMs: 1000,
  };
  const times: number[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const run = runRollout(scenario, seed);
    if (run.outcome === "promoted") times.push(run.atMs / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    simulatedRps: input.totalRps,
    runs,
    promoted: times.length,
    medianSeconds: times.length ? times[Math.floor((times.length - 1) / 2)] : undefined,
  };
}

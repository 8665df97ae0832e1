/**
 * The canary analysis: turns a stream of cumulative counters of the canary and the stable
 * release into verdicts. Three anytime-valid tests watch the same window (relative error rate,
 * absolute error rate, p95 latency), each spending a third of α, so the probability that a
 * canary no worse than the limits is ever rolled back stays ≤ α however many measurements,
 * steps and looks the rollout takes (evidence accumulates over the whole canary, never reset
 * per step).
 *
 * Failing needs evidence of harm; advancing needs evidence of safety (./safety-evidence.ts):
 * a step concludes `pass` only when anytime-valid bounds show the canary within every limit,
 * at level β per limit. Until then it is `inconclusive` and the step holds. Every interval also
 * adds to the harm account: canary errors beyond what the stable release's rate in the same
 * interval would have produced.
 */
import { AbsoluteErrorRateTest } from "./absolute-error-rate-test.js";
import { formatCounts, formatNumber } from "./format.js";
import { LatencyP95Test } from "./latency-test.js";
import { RelativeErrorRateTest } from "./relative-error-rate-test.js";
import { ReleaseWindow } from "./release-window.js";
import { DEFAULT_BETA, safeRatio, safetyEvidence } from "./safety-evidence.js";
import type {
  AnalysisLimits,
  Decision,
  HarmFigures,
  IntervalCounts,
  Measurement,
  ReleaseCounters,
  SafetyEvidence,
  Verdict,
  WindowFigures,
} from "./types.js";

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_ERROR_TOLERANCE = 0.2;
export const DEFAULT_MIN_REQUESTS = 50;
export const DEFAULT_LATENCY_TOLERANCE_MS = 2;
/** Consecutive failed measurements before the analysis holds: one blip is no reason to stop. */
export const PROVIDER_ERRORS_BEFORE_INCONCLUSIVE = 3;
/** Unless configured, a step holds for evidence up to this many times its least length. */
export const MAX_STEP_FACTOR = 3;
/** α is split evenly across the three tests (a union bound over their false alarms). */
export const TEST_COUNT = 3;

export interface CanaryAnalysis {
  /** Feeds one measurement of cumulative counters; `fail` as soon as any test fails, else `continue` (or `inconclusive` while the provider keeps failing). */
  observe(measurement: Measurement, canaryId: string, stableId: string): Verdict;
  /** Marks the start of a traffic step: `minRequests` and the step's harm count from here. */
  beginStep(): void;
  /**
   * Once the step has run its time: `pass` when the canary is shown within the limits, else
   * `inconclusive` (too few canary requests this step, no evidence yet, or a failing provider);
   * `fail` stays `fail`.
   */
  conclude(): Verdict;
}

const emptyWindow = (): WindowFigures => ({ requests: 0, errors: 0, errorRate: 0 });
const noHarm = (): HarmFigures => ({ canaryRequests: 0, canaryErrors: 0, excessErrors: 0 });

/** Adds one interval to a harm account, at the stable release's error rate of that interval. */
function addHarm(harm: HarmFigures, canary: IntervalCounts, stableRate: number): void {
  harm.canaryRequests += canary.requests;
  harm.canaryErrors += canary.errors;
  harm.excessErrors += canary.errors - canary.requests * stableRate;
}

function validated(limits: AnalysisLimits) {
  const alpha = limits.alpha ?? DEFAULT_ALPHA;
  const errorTolerance = limits.errorTolerance ?? DEFAULT_ERROR_TOLERANCE;
  const minRequests = limits.minRequests ?? DEFAULT_MIN_REQUESTS;
  const beta = limits.beta ?? DEFAULT_BETA;
  const latencyToleranceMs = limits.latencyToleranceMs ?? DEFAULT_LATENCY_TOLERANCE_MS;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(beta > 0 && beta < 1)) throw new RangeError(`beta must be in (0, 1), got ${beta}`);
  if (!(errorTolerance >= 0)) throw new RangeError(`errorTolerance must be ≥ 0, got ${errorTolerance}`);
  if (!(limits.maxErrorRate >= 0))
    throw new RangeError(`maxErrorRate must be ≥ 0, got ${limits.maxErrorRate}`);
  if (!(limits.maxLatencyRatio > 0))
    throw new RangeError(`maxLatencyRatio must be > 0, got ${limits.maxLatencyRatio}`);
  if (!(latencyToleranceMs >= 0))
    throw new RangeError(`latencyToleranceMs must be ≥ 0, got ${latencyToleranceMs}`);
  return { ...limits, alpha, beta, errorTolerance, minRequests, latencyToleranceMs };
}

export function createCanaryAnalysis(limits: AnalysisLimits): CanaryAnalysis {
  const settings = validated(limits);
  const alphaShare = settings.alpha / TEST_COUNT;
  const relative = new RelativeErrorRateTest({
    tolerance: settings.errorTolerance,
    alpha: alphaShare,
    safety: { ratio: safeRatio(settings), level: settings.beta / 2 },
  });
  const absolute = new AbsoluteErrorRateTest({ maxErrorRate: settings.maxErrorRate, alpha: alphaShare });
  const latency = new LatencyP95Test({
    maxLatencyRatio: settings.maxLatencyRatio,
    latencyToleranceMs: settings.latencyToleranceMs,
    alpha: alphaShare,
  });

  let canary: ReleaseWindow | undefined;
  let stable: ReleaseWindow | undefined;
  let baselineAt = 0;
  let lastAt = 0;
  let providerErrors = 0;
  let lastProviderError = "";
  let stepCanaryRequests = 0;
  let stepStableRequests = 0;
  let stepHarm = noHarm();
  const totalHarm = noHarm();
  /** The verdict of the measurement at which a test failed: the decision stands from then on. */
  let failure: Verdict | undefined;

  const evidence = (): SafetyEvidence | undefined =>
    canary && stable ? safetyEvidence(canary, stable, relative.safety()!, settings) : undefined;

  const verdict = (decision: Decision, reason: string, withEvidence?: SafetyEvidence): Verdict => ({
    decision,
    reason,
    canary: canary?.figures() ?? emptyWindow(),
    stable: stable?.figures() ?? emptyWindow(),
    tests: [relative.figures(), absolute.figures(), latency.figures()],
    elapsedMs: lastAt - baselineAt,
    ...(withEvidence && { evidence: withEvidence }),
    harm: { step: { ...stepHarm }, total: { ...totalHarm } },
  });

  const summary = (): string =>
    `canary ${formatCounts(canary?.errors ?? 0, canary?.requests ?? 0)} vs stable ` +
    `${formatCounts(stable?.errors ?? 0, stable?.requests ?? 0)} errors; e-values ` +
    `${formatNumber(relative.eValue())} (relative), ${formatNumber(absolute.eValue())} (absolute) ` +
    `below ${formatNumber(1 / alphaShare)}; p95 bounds ratio ${formatNumber(latency.ratioOfBounds())} ` +
    `within ${formatNumber(settings.maxLatencyRatio)} (α ${formatNumber(settings.alpha)} split in ${TEST_COUNT})`;

  const providerFailed = (at: number, error: string): Verdict => {
    providerErrors++;
    lastProviderError = error;
    if (providerErrors >= PROVIDER_ERRORS_BEFORE_INCONCLUSIVE) return providerVerdict();
    return verdict(
      "continue",
      `metrics provider error ${providerErrors} of ${PROVIDER_ERRORS_BEFORE_INCONCLUSIVE} in a row at ${at}: ${error}`,
    );
  };

  const providerVerdict = (): Verdict =>
    verdict(
      "inconclusive",
      `metrics provider failed ${providerErrors} times in a row; holding: ${lastProviderError}`,
    );

  const evaluate = (canaryCounters: ReleaseCounters, stableCounters: ReleaseCounters): Verdict => {
    if (!canary || !stable) {
      canary = new ReleaseWindow(canaryCounters);
      stable = new ReleaseWindow(stableCounters);
      return verdict("continue", "baseline taken: later measurements are compared against it");
    }
    const canaryInterval = canary.advance(canaryCounters);
    const stableInterval = stable.advance(stableCounters);
    if (!canaryInterval || !stableInterval)
      return verdict("continue", "counters went down (source restarted): taken as the new reference");
    stepCanaryRequests += canaryInterval.requests;
    stepStableRequests += stableInterval.requests;
    // An interval without stable traffic is priced at the stable rate of the whole window.
    const stableRate =
      stableInterval.requests > 0
        ? stableInterval.errors / stableInterval.requests
        : stable.requests > 0
          ? stable.errors / stable.requests
          : 0;
    addHarm(stepHarm, canaryInterval, stableRate);
    addHarm(totalHarm, canaryInterval, stableRate);
    relative.observe(canaryInterval, stableInterval);
    absolute.observe(canaryInterval);
    latency.evaluate(canary.latency, stable.latency);
    if (!relative.failed && !absolute.failed && !latency.failed) return verdict("continue", summary());
    const failed = verdict("fail", "", evidence());
    failed.reason = failed.tests
      .filter((test) => test.failed)
      .map((test) => `${test.name} failed: ${test.detail}`)
      .join("; ");
    failure = failed;
    return failed;
  };

  return {
    observe(measurement, canaryId, stableId) {
      if (failure) return failure;
      if (!measurement.ok) return providerFailed(measurement.at, measurement.error);
      const canaryCounters = measurement.releases[canaryId];
      const stableCounters = measurement.releases[stableId];
      if (!canaryCounters || !stableCounters) {
        const missing = [canaryCounters ? undefined : canaryId, stableCounters ? undefined : stableId];
        return providerFailed(
          measurement.at,
          `no counters for release ${missing.filter(Boolean).join(", ")}`,
        );
      }
      providerErrors = 0;
      if (!canary) baselineAt = measurement.at;
      lastAt = measurement.at;
      return evaluate(canaryCounters, stableCounters);
    },

    beginStep() {
      stepCanaryRequests = 0;
      stepStableRequests = 0;
      stepHarm = noHarm();
    },

    conclude() {
      if (failure) return failure;
      if (providerErrors >= PROVIDER_ERRORS_BEFORE_INCONCLUSIVE) return providerVerdict();
      if (!canary) return verdict("inconclusive", "no measurement yet: nothing to judge the step by");
      if (stepCanaryRequests < settings.minRequests)
        return verdict(
          "inconclusive",
          `canary received ${stepCanaryRequests} requests in this step (stable ${stepStableRequests}), ` +
            `fewer than the ${settings.minRequests} needed to pass`,
        );
      const shown = evidence()!;
      if (!shown.safe)
        return verdict(
          "inconclusive",
          `no evidence yet that the canary is within the limits (β ${formatNumber(shown.beta)}): ` +
            shown.checks
              .filter((check) => !check.met)
              .map((check) => check.detail)
              .join("; "),
          shown,
        );
      return verdict(
        "pass",
        `step passed with ${stepCanaryRequests} canary requests (stable ${stepStableRequests}), shown ` +
          `within the limits (β ${formatNumber(shown.beta)}): ${shown.checks.map((check) => check.detail).join("; ")}; ${summary()}`,
        shown,
      );
    },
  };
}

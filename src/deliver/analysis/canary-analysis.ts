/**
 * The canary analysis: turns a stream of cumulative counters of the canary and the stable
 * release into verdicts. Three anytime-valid tests watch the same window (relative error rate,
 * absolute error rate, p95 latency), each spending a third of α, so the probability that a
 * canary no worse than the limits is ever rolled back stays ≤ α however many measurements,
 * steps and looks the rollout takes (evidence accumulates over the whole canary, never reset
 * per step).
 */
import { AbsoluteErrorRateTest } from "./absolute-error-rate-test.js";
import { formatCounts, formatNumber } from "./format.js";
import { LatencyP95Test } from "./latency-test.js";
import { RelativeErrorRateTest } from "./relative-error-rate-test.js";
import { ReleaseWindow } from "./release-window.js";
import type {
  AnalysisLimits,
  Decision,
  Measurement,
  ReleaseCounters,
  Verdict,
  WindowFigures,
} from "./types.js";

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_ERROR_TOLERANCE = 0.2;
export const DEFAULT_MIN_REQUESTS = 50;
/** Consecutive failed measurements before the analysis holds: one blip is no reason to stop. */
export const PROVIDER_ERRORS_BEFORE_INCONCLUSIVE = 3;
/** α is split evenly across the three tests (a union bound over their false alarms). */
export const TEST_COUNT = 3;

export interface CanaryAnalysis {
  /** Feeds one measurement of cumulative counters; `fail` as soon as any test fails, else `continue` (or `inconclusive` while the provider keeps failing). */
  observe(measurement: Measurement, canaryId: string, stableId: string): Verdict;
  /** Marks the start of a traffic step: the canary's requests for `minRequests` count from here. */
  beginStep(): void;
  /** At a step's end: `pass`, or `inconclusive` when the step saw too few canary requests or the provider is failing; `fail` stays `fail`. */
  conclude(): Verdict;
}

const emptyWindow = (): WindowFigures => ({ requests: 0, errors: 0, errorRate: 0 });

function validated(limits: AnalysisLimits) {
  const alpha = limits.alpha ?? DEFAULT_ALPHA;
  const errorTolerance = limits.errorTolerance ?? DEFAULT_ERROR_TOLERANCE;
  const minRequests = limits.minRequests ?? DEFAULT_MIN_REQUESTS;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(errorTolerance >= 0)) throw new RangeError(`errorTolerance must be ≥ 0, got ${errorTolerance}`);
  if (!(limits.maxErrorRate >= 0))
    throw new RangeError(`maxErrorRate must be ≥ 0, got ${limits.maxErrorRate}`);
  if (!(limits.maxLatencyRatio > 0))
    throw new RangeError(`maxLatencyRatio must be > 0, got ${limits.maxLatencyRatio}`);
  return { ...limits, alpha, errorTolerance, minRequests };
}

export function createCanaryAnalysis(limits: AnalysisLimits): CanaryAnalysis {
  const settings = validated(limits);
  const alphaShare = settings.alpha / TEST_COUNT;
  const relative = new RelativeErrorRateTest({ tolerance: settings.errorTolerance, alpha: alphaShare });
  const absolute = new AbsoluteErrorRateTest({ maxErrorRate: settings.maxErrorRate, alpha: alphaShare });
  const latency = new LatencyP95Test({ maxLatencyRatio: settings.maxLatencyRatio, alpha: alphaShare });

  let canary: ReleaseWindow | undefined;
  let stable: ReleaseWindow | undefined;
  let baselineAt = 0;
  let lastAt = 0;
  let providerErrors = 0;
  let lastProviderError = "";
  let stepCanaryRequests = 0;
  let stepStableRequests = 0;
  /** The verdict of the measurement at which a test failed: the decision stands from then on. */
  let failure: Verdict | undefined;

  const verdict = (decision: Decision, reason: string): Verdict => ({
    decision,
    reason,
    canary: canary?.figures() ?? emptyWindow(),
    stable: stable?.figures() ?? emptyWindow(),
    tests: [relative.figures(), absolute.figures(), latency.figures()],
    elapsedMs: lastAt - baselineAt,
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
    relative.observe(canaryInterval, stableInterval);
    absolute.observe(canaryInterval);
    latency.evaluate(canary.latency, stable.latency);
    if (!relative.failed && !absolute.failed && !latency.failed) return verdict("continue", summary());
    const failed = verdict("fail", "");
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
      return verdict(
        "pass",
        `step passed with ${stepCanaryRequests} canary requests (stable ${stepStableRequests}): ${summary()}`,
      );
    },
  };
}

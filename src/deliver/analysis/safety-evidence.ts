/**
 * Evidence that a canary is not worse than the limits: what a traffic step needs before it
 * advances. The failing tests (relative, absolute, latency) show harm at level α; this shows
 * safety at level β, from anytime-valid confidence sequences over the whole analysed window,
 * so the bounds may be read at every measurement of every step.
 *
 * Three checks, each controlling the promotion of a canary beyond one limit at ≤ β (a canary
 * beyond a limit passes that limit's check only if a bound the check relies on misses, and the
 * levels of those bounds add up to β):
 *
 * - error rate, absolute: the canary's upper bound (at β) is at most `maxErrorRate`;
 * - error rate, relative: the canary is shown to fail less often than R = max(2, 1 + tolerance)
 *   times the stable release, interval by interval (the relative test's other side, at β/2:
 *   robust to shares and shared incidents that change over the rollout); or its upper bound is
 *   at most the stable's lower bound plus tolerance × `maxErrorRate` (each at β/4), the path for
 *   services whose errors are too rare to compare as a ratio. Failing asks for evidence that the
 *   canary is more than (1 + tolerance)× worse; advancing asks for evidence that it is neither R
 *   times worse nor tolerance × maxErrorRate worse in absolute terms. Between the two a canary
 *   is in the zone where neither decision is wrong (a sequential test's indifference zone):
 *   ruling out a 20% regression of a 0.1% error rate would take hundreds of errors, hours of a
 *   canary step's traffic;
 * - latency: the canary's p95 upper bound is at most `maxLatencyRatio` × the stable release's
 *   p95 lower bound, or that bound plus `latencyToleranceMs` when more, each at β/2
 *   (./quantile-bounds.ts). A source that measures in coarse
 *   buckets (a Prometheus histogram) cannot tell latencies inside its lowest bucket apart: a
 *   canary whose p95 is shown inside it is within the limit, since nothing finer is known of
 *   either release.
 *
 * The error-rate bounds assume each release's requests fail independently with one probability
 * over the window; the ratio test does not, which is why a shared incident does not stop a
 * healthy canary from advancing.
 */
import { rateBounds } from "./confidence-sequence.js";
import { formatMs, formatNumber, formatPercent } from "./format.js";
import type { LatencyHistogram } from "./histogram.js";
import { type LatencyLimits, latencyAllowance } from "./latency-test.js";
import { quantileLowerBound, quantileUpperBound } from "./quantile-bounds.js";
import type { RatioSafety } from "./relative-error-rate-test.js";
import type { EvidenceCheck, SafetyEvidence } from "./types.js";

export const DEFAULT_BETA = 0.05;
/** The relative check's ratio is never below this multiple of the stable release's rate. */
export const SAFE_RATIO_FLOOR = 2;

export interface SafetyLimits extends LatencyLimits {
  maxErrorRate: number;
  errorTolerance: number;
  /** Probability of advancing a canary beyond a limit, per limit. */
  beta: number;
}

export interface ReleaseTotals {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
}

const P95 = 0.95;

/** R: the ratio to stable the relative check shows the canary below. */
export function safeRatio(limits: Pick<SafetyLimits, "errorTolerance">): number {
  return Math.max(SAFE_RATIO_FLOOR, 1 + limits.errorTolerance);
}

/** The absolute allowance of the relative check's second path, given stable's lower bound. */
export function additiveAllowance(stableLower: number, limits: SafetyLimits): number {
  return stableLower + limits.errorTolerance * limits.maxErrorRate;
}

export function safetyEvidence(
  canary: ReleaseTotals,
  stable: ReleaseTotals,
  ratio: RatioSafety,
  limits: SafetyLimits,
): SafetyEvidence {
  const { beta } = limits;
  const canaryUpper = rateBounds(canary.requests, canary.errors, beta).upper;
  const canaryUpperQuarter = rateBounds(canary.requests, canary.errors, beta / 4).upper;
  const stableLower = rateBounds(stable.requests, stable.errors, beta / 4).lower;
  const allowance = additiveAllowance(stableLower, limits);
  const canaryP95 = quantileUpperBound(canary.latency, P95, beta / 2);
  const stableP95 = quantileLowerBound(stable.latency, P95, beta / 2);
  const resolutionMs = stable.latency.boundsMs?.[0] ?? 0;
  const latencyLimit = Math.max(latencyAllowance(stableP95, limits), resolutionMs);
  const counts = (r: ReleaseTotals) => `${r.errors}/${r.requests}`;

  const additiveMet = canaryUpperQuarter <= allowance;
  const relative: EvidenceCheck = ratio.shown
    ? {
        name: "error-rate-relative",
        bound: ratio.ratio,
        limit: ratio.ratio,
        met: true,
        detail:
          `canary errors shown below ${formatNumber(ratio.ratio)}× stable's interval by interval ` +
          `(e-value ${formatNumber(ratio.eValue)} ≥ ${formatNumber(ratio.threshold)})`,
      }
    : {
        name: "error-rate-relative",
        bound: canaryUpperQuarter,
        limit: allowance,
        met: additiveMet,
        detail:
          `canary error rate at most ${formatPercent(canaryUpperQuarter)}, allowed ${formatPercent(allowance)} ` +
          `with stable at least ${formatPercent(stableLower)} (${counts(stable)}); not yet shown below ` +
          `${formatNumber(ratio.ratio)}× stable's (e-value ${formatNumber(ratio.eValue)} of ${formatNumber(ratio.threshold)})`,
      };

  const checks: EvidenceCheck[] = [
    {
      name: "error-rate-absolute",
      bound: canaryUpper,
      limit: limits.maxErrorRate,
      met: canaryUpper <= limits.maxErrorRate,
      detail:
        `canary error rate at most ${formatPercent(canaryUpper)} (${counts(canary)}), ` +
        `limit ${formatPercent(limits.maxErrorRate)}`,
    },
    relative,
    {
      name: "latency-p95",
      bound: canaryP95,
      limit: latencyLimit,
      met: canaryP95 <= latencyLimit,
      detail:
        `canary p95 at most ${Number.isFinite(canaryP95) ? formatMs(canaryP95) : "unknown"} ` +
        `(${canary.latency.count} samples), allowed ${formatMs(latencyLimit)}` +
        latencyLimitReason(latencyLimit, stableP95, limits),
    },
  ];
  return { safe: checks.every((check) => check.met), beta, checks };
}

function latencyLimitReason(limit: number, stableP95: number, limits: SafetyLimits): string {
  if (limit > latencyAllowance(stableP95, limits))
    return " (the source's lowest bucket: nothing finer is measured)";
  const base = `stable p95 of at least ${formatMs(stableP95)}`;
  return limit > limits.maxLatencyRatio * stableP95
    ? ` = ${base} + ${formatMs(limits.latencyToleranceMs)}`
    : ` = ${formatNumber(limits.maxLatencyRatio)} × ${base}`;
}

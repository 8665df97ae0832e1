/**
 * Latency test: is the canary's p95 beyond what the stable release's allows — more than
 * `maxLatencyRatio` × stable's p95 and more than `latencyToleranceMs` above it?
 *
 * Each release's p95 gets anytime-valid bounds from the share of its requests slower than a
 * threshold (./quantile-bounds.ts). The test fails when the canary's p95 lower bound exceeds
 * the allowance computed from the stable's p95 upper bound. Each bound is at α/2 and the
 * allowance grows with stable's p95, so when both hold (probability ≥ 1 − α) a canary within the
 * allowance of the true stable p95 can never fail, however often the bounds are read.
 *
 * Why an absolute tolerance: a service answering in half a millisecond doubles its p95 with one
 * scheduling delay or a collector pause; a ratio alone calls that a regression no user feels.
 *
 * Resolution: the histogram's buckets are 2% wide, so the lower bound takes the bucket's lower
 * edge and the upper bound its upper edge; that keeps the bounds valid and makes the test
 * conservative by up to about 4% in the ratio. A histogram read from a coarser source (a
 * Prometheus histogram's `le` buckets) can only show a regression that moves the canary's p95
 * past whole source buckets.
 */
import { formatMs, formatNumber } from "./format.js";
import type { LatencyHistogram } from "./histogram.js";
import { quantileLowerBound, quantileUpperBound } from "./quantile-bounds.js";
import type { TestFigures } from "./types.js";

interface QuantileBounds {
  /** 0 while the data rule out no value below. */
  lower: number;
  /** ∞ while the data rule out no value above. */
  upper: number;
  /** The histogram's own p-quantile (bucket middle), `undefined` when empty. */
  estimate: number | undefined;
}

function boundsOf(histogram: LatencyHistogram, p: number, alpha: number): QuantileBounds {
  return {
    lower: quantileLowerBound(histogram, p, alpha),
    upper: quantileUpperBound(histogram, p, alpha),
    estimate: histogram.quantile(p, "mid"),
  };
}

export interface LatencyLimits {
  /** Limit on canary p95 over stable p95, e.g. 1.5. */
  maxLatencyRatio: number;
  /** Milliseconds the canary's p95 may exceed stable's whatever the ratio. */
  latencyToleranceMs: number;
}

/** The highest canary p95 the limits allow beside a stable p95 of `stableP95` ms. */
export function latencyAllowance(stableP95: number, limits: LatencyLimits): number {
  return Math.max(limits.maxLatencyRatio * stableP95, stableP95 + limits.latencyToleranceMs);
}

export interface LatencyTestOptions extends LatencyLimits {
  /** This test's share of the false-rollback probability; each band gets half. */
  alpha: number;
}

const P95 = 0.95;

export class LatencyP95Test {
  failed = false;
  private canaryBounds: QuantileBounds = { lower: 0, upper: Number.POSITIVE_INFINITY, estimate: undefined };
  private stableBounds: QuantileBounds = { lower: 0, upper: Number.POSITIVE_INFINITY, estimate: undefined };
  private canarySamples = 0;
  private stableSamples = 0;

  constructor(private readonly options: LatencyTestOptions) {}

  /** Re-reads the bounds from the windows so far (cumulative histograms of each release). */
  evaluate(canary: LatencyHistogram, stable: LatencyHistogram): void {
    const boundAlpha = this.options.alpha / 2;
    this.canaryBounds = boundsOf(canary, P95, boundAlpha);
    this.stableBounds = boundsOf(stable, P95, boundAlpha);
    this.canarySamples = canary.count;
    this.stableSamples = stable.count;
    if (this.ratioOfBounds() > this.allowedRatio()) this.failed = true;
  }

  /** The allowance as a ratio to the stable's p95 upper bound (∞ while that is unbounded). */
  private allowedRatio(): number {
    const { upper } = this.stableBounds;
    return Number.isFinite(upper) && upper > 0
      ? latencyAllowance(upper, this.options) / upper
      : Number.POSITIVE_INFINITY;
  }

  /** Canary p95 lower bound over stable p95 upper bound: 0 while either side is unbounded. */
  ratioOfBounds(): number {
    const { lower } = this.canaryBounds;
    const { upper } = this.stableBounds;
    if (lower <= 0 || !Number.isFinite(upper)) return 0;
    return lower / upper;
  }

  figures(): TestFigures {
    const statistic = this.ratioOfBounds();
    const canaryP95 = this.canaryBounds.estimate;
    const stableP95 = this.stableBounds.estimate;
    const estimate = canaryP95 !== undefined && stableP95 ? canaryP95 / stableP95 : undefined;
    const allowed = this.allowedRatio();
    const threshold = Number.isFinite(allowed) ? allowed : this.options.maxLatencyRatio;
    const byTolerance = threshold > this.options.maxLatencyRatio;
    const detail =
      `canary p95 ≥ ${formatMs(this.canaryBounds.lower)} (${this.canarySamples} samples) vs stable p95 ≤ ` +
      `${formatMs(this.stableBounds.upper)} (${this.stableSamples} samples): ratio of bounds ` +
      `${formatNumber(statistic)} ${this.failed ? "above" : "within"} ${formatNumber(threshold)}` +
      (byTolerance ? ` (stable p95 + ${formatMs(this.options.latencyToleranceMs)})` : "") +
      ` (α ${formatNumber(this.options.alpha)}, half per bound)`;
    return {
      name: "latency-p95",
      statistic,
      threshold,
      failed: this.failed,
      detail,
      alpha: this.options.alpha,
      ...(estimate === undefined ? {} : { estimate }),
      ...(statistic > 0 ? { lowerBound: statistic } : {}),
    };
  }
}

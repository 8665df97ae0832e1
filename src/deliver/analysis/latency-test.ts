/**
 * Latency test: is the canary's p95 more than `maxLatencyRatio` × the stable release's?
 *
 * Each release gets a time-uniform confidence band around its empirical distribution function
 * (Howard & Ramdas 2022, "Sequential estimation of quantiles with applications to A/B-testing
 * and best-arm identification", Bernoulli 28(3); the closed-form bound):
 *
 *   P(∃ t ≥ 1: sup_x |F̂_t(x) − F(x)| > g(t)) ≤ α,  g(t) = 0.85·sqrt((log log(e·t) + 0.8·log(1612/α)) / t)
 *
 * with t the number of samples. Inverting the band gives, for every t at once, Q(p) ≥ Q̂(p − g)
 * and Q(p) ≤ Q̂(p + g). The test fails when the canary's p95 lower bound exceeds the ratio times
 * the stable's p95 upper bound. Each band is at α/2, so when both hold (probability ≥ 1 − α) a
 * canary with Q_c(0.95) ≤ ratio·Q_s(0.95) can never fail, however often the bounds are read.
 * The band assumes each release's latencies are independent draws from one distribution.
 *
 * Resolution: the histogram's buckets are 2% wide, so the lower bound takes the bucket's lower
 * edge and the upper bound its upper edge; that keeps the bounds valid and makes the test
 * conservative by up to about 4% in the ratio. A histogram read from a coarser source (a
 * Prometheus histogram's `le` buckets) records each value at its source bucket's upper bound,
 * so its lower bound drops to the source bound below: the bounds stay valid, and the test can
 * only see a regression that moves the canary's p95 past whole source buckets.
 */
import { formatMs, formatNumber } from "./format.js";
import { BUCKET_COUNT, LatencyHistogram } from "./histogram.js";
import type { TestFigures } from "./types.js";

/** Howard & Ramdas (2022): constants of the closed-form time-uniform DKW bound. */
const BAND_SCALE = 0.85;
const BAND_ALPHA_WEIGHT = 0.8;
const BAND_ALPHA_NUMERATOR = 1612;

/** g(t): the half-width of the time-uniform band around F̂ after `samples` samples, at level `alpha`. */
export function quantileBandHalfWidth(samples: number, alpha: number): number {
  if (samples < 1) return Number.POSITIVE_INFINITY;
  const numerator =
    Math.log(Math.log(Math.E * samples)) + BAND_ALPHA_WEIGHT * Math.log(BAND_ALPHA_NUMERATOR / alpha);
  return BAND_SCALE * Math.sqrt(numerator / samples);
}

export interface QuantileBounds {
  /** 0 when p − g ≤ 0: the data cannot rule out any smaller value yet. */
  lower: number;
  /** ∞ when p + g > 1, or when the bound falls in the overflow bucket. */
  upper: number;
  /** The histogram's own p-quantile (bucket middle), `undefined` when empty. */
  estimate: number | undefined;
}

/** Anytime-valid bounds of the p-quantile of the distribution `histogram` samples, at `alpha`. */
export function quantileBounds(histogram: LatencyHistogram, p: number, alpha: number): QuantileBounds {
  if (histogram.count === 0) return { lower: 0, upper: Number.POSITIVE_INFINITY, estimate: undefined };
  const g = quantileBandHalfWidth(histogram.count, alpha);
  const [lowerBucket, midBucket, upperBucket] = histogram.bucketsAt([p - g, p, p + g]);
  const lower = p - g > 0 ? histogram.knownAbove(lowerBucket!) : 0;
  const unbounded = p + g > 1 || upperBucket! >= BUCKET_COUNT - 1;
  const upper = unbounded ? Number.POSITIVE_INFINITY : LatencyHistogram.valueOf(upperBucket!, "upper");
  return { lower, upper, estimate: LatencyHistogram.valueOf(midBucket!, "mid") };
}

export interface LatencyTestOptions {
  /** Limit on canary p95 over stable p95, e.g. 1.5. */
  maxLatencyRatio: number;
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
    const bandAlpha = this.options.alpha / 2;
    this.canaryBounds = quantileBounds(canary, P95, bandAlpha);
    this.stableBounds = quantileBounds(stable, P95, bandAlpha);
    this.canarySamples = canary.count;
    this.stableSamples = stable.count;
    if (this.ratioOfBounds() > this.options.maxLatencyRatio) this.failed = true;
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
    const threshold = this.options.maxLatencyRatio;
    const detail =
      `canary p95 ≥ ${formatMs(this.canaryBounds.lower)} (${this.canarySamples} samples) vs stable p95 ≤ ` +
      `${formatMs(this.stableBounds.upper)} (${this.stableSamples} samples): ratio of bounds ` +
      `${formatNumber(statistic)} ${this.failed ? "above" : "within"} ${formatNumber(threshold)} ` +
      `(α ${formatNumber(this.options.alpha)}, half per band)`;
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

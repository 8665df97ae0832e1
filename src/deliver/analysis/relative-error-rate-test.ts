/**
 * Relative error-rate test: is the canary's error rate more than (1 + tolerance) × the
 * stable release's, on the same window?
 *
 * Model (Lindon & Malek 2022, "Anytime-valid inference for multinomial count data"; used for
 * canaries by Netflix 2024): errors of each release are Poisson processes whose intensity is
 * its error rate times its share of a common, time-varying request rate. Given that an error
 * occurred while the canary had traffic share ρ, it came from the canary with probability
 *
 *   θ(Δ) = ρ·e^Δ / (ρ·e^Δ + 1 − ρ),   e^Δ = canary rate / stable rate,
 *
 * whatever the total traffic does. So the test only needs, per observation interval, the two
 * error counts and ρ = canary requests / all requests of that interval.
 *
 * H0: Δ ≤ Δ0 = log(1 + tolerance), against Δ > Δ0. For each grid point Δ_k > Δ0 the likelihood
 * ratio multiplies, per canary error, by θ(Δ_k)/θ(Δ0) and, per stable error, by
 * (1 − θ(Δ_k))/(1 − θ(Δ0)); the test statistic is the equal-weight mixture over the grid.
 *
 * The same mixture with alternatives below the null tests the other side, H0: Δ ≥ Δ1: the
 * factor's expectation below is then linear with negative slope and ≤ 1 for every θ ≥ θ_1. The
 * analysis uses it for the evidence a step needs to advance: the canary's rate shown below
 * `safeRatio` × the stable's, robust like this test to shares and shared incidents that change
 * from interval to interval (where comparing pooled rates would not be).
 *
 * Why it is a nonnegative supermartingale under H0, also when ρ changes between intervals:
 * for one error with the true canary probability θ = θ_t(Δ), the factor's expectation is
 *   θ·θ_k/θ_0 + (1 − θ)·(1 − θ_k)/(1 − θ_0),
 * linear in θ with positive slope (θ_k > θ_0); at θ = θ_0 it is θ_k + (1 − θ_k) = 1, hence it is
 * ≤ 1 for every θ ≤ θ_0, i.e. for every Δ ≤ Δ0 (θ rises with Δ), whatever ρ is in force. Each
 * interval's ρ is known before its errors are counted against it, so the product of factors is
 * a supermartingale for every k, and so is their average. By Ville's inequality
 * P(mixture ever ≥ 1/α) ≤ α, however often it is looked at.
 *
 * With Bernoulli requests and equal error probabilities, the canary's share of an interval's
 * errors given their total is hypergeometric rather than Binomial(total, ρ); the factor is
 * convex in the canary count and the hypergeometric is below the binomial in convex order
 * (Hoeffding 1963), so its expectation is still ≤ 1. For other rates inside H0 the Poisson
 * model is accurate while error probabilities are small.
 */
import { formatCounts, formatNumber, formatPercent } from "./format.js";
import { eValueFigures, logMeanExp, lowerBoundFromFamily, type OneSidedTest } from "./mixture.js";
import type { IntervalCounts, TestFigures } from "./types.js";

/** Alternatives as multiples of the null ratio: from a modest 1.5× up to a release that is broken. */
export const RATE_RATIO_ALTERNATIVES: readonly number[] = [1.5, 2, 3, 5, 10, 20, 50];

/** Alternatives of the safety side, as fractions of its null ratio. */
export const SAFE_RATIO_ALTERNATIVES: readonly number[] = [1 / 1.5, 1 / 2, 1 / 3, 1 / 5, 1 / 10];

/** Null ratios of the tests that bound the ratio from below (reported, never used to decide). */
const LOWER_BOUND_RATIOS: readonly number[] = [1, 1.5, 2, 3, 5, 10, 20];

/** P(an error came from the canary) when its rate is `ratio` × the stable's and its share is `rho`. */
export function canaryErrorShare(rho: number, ratio: number): number {
  return (rho * ratio) / (rho * ratio + 1 - rho);
}

/**
 * The mixture likelihood ratio for H0: rate ratio ≤ `nullValue`. Per interval, with r0 the null
 * ratio and r_k = r0·m_k an alternative, log θ_k/θ_0 = log m_k + D_k and log (1−θ_k)/(1−θ_0) =
 * D_k, where D_k = log(1 + ρ(r0 − 1)) − log(1 + ρ(r_k − 1)); one logarithm per alternative.
 */
export class RateRatioMixture implements OneSidedTest {
  private readonly logMultipliers: Float64Array;
  private readonly ratios: Float64Array;
  private readonly logLikelihoodRatios: Float64Array;
  private readonly logThreshold: number;
  everRejected = false;

  constructor(
    readonly nullValue: number,
    alpha: number,
    multipliers: readonly number[] = RATE_RATIO_ALTERNATIVES,
  ) {
    this.logMultipliers = Float64Array.from(multipliers, Math.log);
    this.ratios = Float64Array.from(multipliers, (m) => m * nullValue);
    this.logLikelihoodRatios = new Float64Array(multipliers.length);
    this.logThreshold = Math.log(1 / alpha);
  }

  /** One interval in which the canary had share `rho` (0 < rho < 1) of the requests. */
  observe(rho: number, canaryErrors: number, stableErrors: number): void {
    if (canaryErrors + stableErrors === 0) return;
    const logNull = Math.log1p(rho * (this.nullValue - 1));
    for (let k = 0; k < this.ratios.length; k++) {
      const shared = logNull - Math.log1p(rho * (this.ratios[k]! - 1));
      this.logLikelihoodRatios[k]! +=
        canaryErrors * this.logMultipliers[k]! + (canaryErrors + stableErrors) * shared;
    }
    if (!this.everRejected && this.logEValue() >= this.logThreshold) this.everRejected = true;
  }

  logEValue(): number {
    return logMeanExp(this.logLikelihoodRatios);
  }
}

export interface RelativeErrorRateTestOptions {
  /** How much worse (relative) the canary may be: 0.2 = 20%. */
  tolerance: number;
  /** This test's share of the false-rollback probability. */
  alpha: number;
  /** The ratio the evidence to advance must show the canary below, and at what level. */
  safety?: { ratio: number; level: number };
}

/** Whether the canary's error rate is shown below `ratio` × the stable's. */
export interface RatioSafety {
  ratio: number;
  shown: boolean;
  eValue: number;
  threshold: number;
}

export class RelativeErrorRateTest {
  private readonly test: RateRatioMixture;
  private readonly safeTest: RateRatioMixture | undefined;
  private readonly boundFamily: RateRatioMixture[];
  private readonly canary: IntervalCounts = { requests: 0, errors: 0 };
  private readonly stable: IntervalCounts = { requests: 0, errors: 0 };
  /** Counts of intervals not yet weighed, while one release has had no requests. */
  private pending = { canary: { requests: 0, errors: 0 }, stable: { requests: 0, errors: 0 } };

  constructor(private readonly options: RelativeErrorRateTestOptions) {
    this.test = new RateRatioMixture(1 + options.tolerance, options.alpha);
    this.safeTest =
      options.safety &&
      new RateRatioMixture(options.safety.ratio, options.safety.level, SAFE_RATIO_ALTERNATIVES);
    this.boundFamily = LOWER_BOUND_RATIOS.map((ratio) => new RateRatioMixture(ratio, options.alpha));
  }

  /**
   * One observation interval of both releases. An interval in which one release had no
   * requests is not weighed on its own (θ would be 0 or 1 under every hypothesis): it is merged
   * into the next, until both releases have had requests. At low traffic most short intervals
   * give the canary no request, and weighing only those that do would take the canary's share
   * from intervals picked for having its requests — several times its real share, which makes
   * each canary error count for less. The merge depends on request counts only, never on
   * errors, so the errors of each merged interval are still weighed against a share known
   * before they are counted, and the test keeps its level.
   */
  observe(canary: IntervalCounts, stable: IntervalCounts): void {
    const pending = this.pending;
    pending.canary.requests += Math.max(0, canary.requests);
    pending.canary.errors += Math.max(0, canary.errors);
    pending.stable.requests += Math.max(0, stable.requests);
    pending.stable.errors += Math.max(0, stable.errors);
    if (pending.canary.requests === 0 || pending.stable.requests === 0) return;
    this.pending = { canary: { requests: 0, errors: 0 }, stable: { requests: 0, errors: 0 } };
    this.weigh(pending.canary, pending.stable);
  }

  private weigh(canary: IntervalCounts, stable: IntervalCounts): void {
    const total = canary.requests + stable.requests;
    const rho = canary.requests / total;
    this.canary.requests += canary.requests;
    this.canary.errors += canary.errors;
    this.stable.requests += stable.requests;
    this.stable.errors += stable.errors;
    this.test.observe(rho, canary.errors, stable.errors);
    this.safeTest?.observe(rho, canary.errors, stable.errors);
    for (const bound of this.boundFamily) bound.observe(rho, canary.errors, stable.errors);
  }

  /** Ever reached the threshold: the decision is taken at the crossing and stays. */
  get failed(): boolean {
    return this.test.everRejected;
  }

  eValue(): number {
    return Math.exp(this.test.logEValue());
  }

  /** The safety side now (not "ever": evidence of safety must still stand when it is used). */
  safety(): RatioSafety | undefined {
    if (!this.safeTest || !this.options.safety) return undefined;
    const logEValue = this.safeTest.logEValue();
    const threshold = 1 / this.options.safety.level;
    return {
      ratio: this.options.safety.ratio,
      shown: logEValue >= Math.log(threshold),
      eValue: Math.exp(logEValue),
      threshold,
    };
  }

  /** Ratio of the pooled error rates over the informative intervals (undefined without data). */
  estimate(): number | undefined {
    const { canary, stable } = this;
    if (canary.requests === 0 || stable.requests === 0 || stable.errors === 0) return undefined;
    return canary.errors / canary.requests / (stable.errors / stable.requests);
  }

  figures(): TestFigures {
    const estimate = this.estimate();
    const lowerBound = lowerBoundFromFamily(this.boundFamily);
    const bound =
      lowerBound === undefined ? "" : `, at least ${formatNumber(lowerBound)}× worse (anytime-valid bound)`;
    return eValueFigures({
      name: "error-rate-relative",
      logEValue: this.test.logEValue(),
      alpha: this.options.alpha,
      failed: this.failed,
      subject:
        `canary ${formatCounts(this.canary.errors, this.canary.requests)} vs stable ` +
        `${formatCounts(this.stable.errors, this.stable.requests)} errors while both had traffic` +
        `${estimate === undefined ? "" : `, ratio ${formatNumber(estimate)}`}${bound}`,
      alternative: `canary more than ${formatPercent(this.options.tolerance)} worse`,
      estimate,
      lowerBound,
    });
  }
}

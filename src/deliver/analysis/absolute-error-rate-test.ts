/**
 * Absolute error-rate test: is the canary's error probability p above the configured limit p0?
 *
 * H0: p ≤ p0 against p > p0, as an equal-weight mixture of Bernoulli likelihood ratios over a
 * grid p_k > p0. Per request the k-th ratio multiplies by p_k/p0 on an error and by
 * (1 − p_k)/(1 − p0) otherwise; the expectation of that factor, p·p_k/p0 + (1 − p)(1 − p_k)/(1 − p0),
 * is linear in p, equals 1 at p = p0 and so is ≤ 1 for every p ≤ p0, also when p changes from
 * request to request. The mixture is a nonnegative supermartingale under H0, and by Ville's
 * inequality reaches 1/α with probability ≤ α. An interval's (requests, errors) enter at once:
 * the order of requests inside it does not change the product.
 */
import { formatCounts, formatPercent } from "./format.js";
import { eValueFigures, logMeanExp, lowerBoundFromFamily, type OneSidedTest } from "./mixture.js";
import type { IntervalCounts, TestFigures } from "./types.js";

/**
 * Alternatives as multiples of the limit's odds p0/(1 − p0): multiplying odds keeps every p_k
 * inside (p0, 1) whatever p0 is.
 */
export const ERROR_ODDS_ALTERNATIVES: readonly number[] = [1.25, 1.5, 2, 3, 5, 10, 20, 50];

/** Null error rates of the tests that bound the canary's rate from below (reported only). */
const LOWER_BOUND_RATES: readonly number[] = [
  1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
];

/** p with odds multiplied by `multiplier`. */
export function withOddsTimes(p: number, multiplier: number): number {
  const odds = (p / (1 - p)) * multiplier;
  return odds / (1 + odds);
}

/** The mixture likelihood ratio for H0: error probability ≤ `nullValue`. */
export class ErrorProbabilityMixture implements OneSidedTest {
  /** log(p_k/p0) and log((1 − p_k)/(1 − p0)): the per-interval update is two multiply-adds. */
  private readonly logErrorFactor: Float64Array;
  private readonly logSuccessFactor: Float64Array;
  private readonly logLikelihoodRatios: Float64Array;
  private readonly logThreshold: number;
  /** With p0 = 0 a single error refutes H0; with p0 ≥ 1 nothing can. */
  private readonly degenerate: "none" | "zero" | "one";
  private errorsSeen = false;
  everRejected = false;

  constructor(
    readonly nullValue: number,
    alpha: number,
    multipliers: readonly number[] = ERROR_ODDS_ALTERNATIVES,
  ) {
    this.degenerate = nullValue <= 0 ? "zero" : nullValue >= 1 ? "one" : "none";
    const alternatives =
      this.degenerate === "none" ? multipliers.map((m) => withOddsTimes(nullValue, m)) : [];
    this.logErrorFactor = Float64Array.from(alternatives, (p) => Math.log(p / nullValue));
    this.logSuccessFactor = Float64Array.from(alternatives, (p) => Math.log1p(-p) - Math.log1p(-nullValue));
    this.logLikelihoodRatios = new Float64Array(alternatives.length);
    this.logThreshold = Math.log(1 / alpha);
  }

  observe(requests: number, errors: number): void {
    if (requests <= 0) return;
    const clampedErrors = Math.min(errors, requests);
    if (clampedErrors > 0) this.errorsSeen = true;
    const successes = requests - clampedErrors;
    for (let k = 0; k < this.logLikelihoodRatios.length; k++) {
      this.logLikelihoodRatios[k]! +=
        clampedErrors * this.logErrorFactor[k]! + successes * this.logSuccessFactor[k]!;
    }
    if (!this.everRejected && this.logEValue() >= this.logThreshold) this.everRejected = true;
  }

  logEValue(): number {
    if (this.degenerate === "zero") return this.errorsSeen ? Number.POSITIVE_INFINITY : 0;
    if (this.degenerate === "one") return 0;
    return logMeanExp(this.logLikelihoodRatios);
  }
}

export interface AbsoluteErrorRateTestOptions {
  /** The canary's error-rate limit, e.g. 0.01. */
  maxErrorRate: number;
  /** This test's share of the false-rollback probability. */
  alpha: number;
}

export class AbsoluteErrorRateTest {
  private readonly test: ErrorProbabilityMixture;
  private readonly boundFamily: ErrorProbabilityMixture[];
  private readonly canary: IntervalCounts = { requests: 0, errors: 0 };

  constructor(private readonly options: AbsoluteErrorRateTestOptions) {
    this.test = new ErrorProbabilityMixture(options.maxErrorRate, options.alpha);
    this.boundFamily = LOWER_BOUND_RATES.map((rate) => new ErrorProbabilityMixture(rate, options.alpha));
  }

  /** One observation interval of the canary. */
  observe(canary: IntervalCounts): void {
    if (canary.requests <= 0) return;
    this.canary.requests += canary.requests;
    this.canary.errors += canary.errors;
    this.test.observe(canary.requests, canary.errors);
    for (const bound of this.boundFamily) bound.observe(canary.requests, canary.errors);
  }

  /** Ever reached the threshold: the decision is taken at the crossing and stays. */
  get failed(): boolean {
    return this.test.everRejected;
  }

  eValue(): number {
    return Math.exp(this.test.logEValue());
  }

  figures(): TestFigures {
    const { requests, errors } = this.canary;
    const lowerBound = lowerBoundFromFamily(this.boundFamily);
    const bound =
      lowerBound === undefined ? "" : `, at least ${formatPercent(lowerBound)} (anytime-valid bound)`;
    return eValueFigures({
      name: "error-rate-absolute",
      logEValue: this.test.logEValue(),
      alpha: this.options.alpha,
      failed: this.failed,
      subject: `canary ${formatCounts(errors, requests)} errors${bound}`,
      alternative: `canary error rate above ${formatPercent(this.options.maxErrorRate)}`,
      estimate: requests > 0 ? errors / requests : undefined,
      lowerBound,
    });
  }
}

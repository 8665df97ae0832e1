/**
 * Helpers shared by the mixture tests: an equal-weight mixture of likelihood ratios kept in
 * log space, and a confidence bound read off a family of one-sided tests.
 */
import { formatNumber } from "./format.js";
import type { TestFigures } from "./types.js";

/** log((1/K)·Σ exp(v_k)) without overflow: the log of an equal-weight mixture. */
export function logMeanExp(values: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum / values.length);
}

/** A one-sided test of "parameter ≤ null" that can say whether it has ever rejected. */
export interface OneSidedTest {
  readonly nullValue: number;
  readonly everRejected: boolean;
}

/**
 * The anytime-valid lower bound from a family of one-sided tests at ascending nulls q_1 < q_2 <
 * …, each at level α: the largest q_j such that the tests at q_1..q_j have all rejected. If the
 * true value θ is at most that q_j, the test at the smallest grid null ≥ θ (a true null) has
 * rejected, which happens with probability ≤ α; so P(θ ≤ bound ever) ≤ α. The grid makes the
 * bound conservative by up to one grid step. `undefined` while the first test has not rejected.
 */
export function lowerBoundFromFamily(tests: readonly OneSidedTest[]): number | undefined {
  let bound: number | undefined;
  for (const test of tests) {
    if (!test.everRejected) break;
    bound = test.nullValue;
  }
  return bound;
}

export interface EValueFiguresInput {
  name: TestFigures["name"];
  /** log of the mixture e-value. */
  logEValue: number;
  alpha: number;
  failed: boolean;
  /** What was counted, e.g. "canary 3/240 (1.25%) vs stable …". */
  subject: string;
  /** The alternative the e-value argues for, in words. */
  alternative: string;
  estimate?: number | undefined;
  lowerBound?: number | undefined;
}

/** The figures of a mixture test that fails when its e-value reaches 1/α. */
export function eValueFigures(input: EValueFiguresInput): TestFigures {
  const statistic = Math.exp(input.logEValue);
  const threshold = 1 / input.alpha;
  const detail =
    `${input.subject}; e-value ${formatNumber(statistic)} ${input.failed ? "reached" : "below"} ` +
    `${formatNumber(threshold)} for "${input.alternative}" (α ${formatNumber(input.alpha)})`;
  return {
    name: input.name,
    statistic,
    threshold,
    failed: input.failed,
    detail,
    alpha: input.alpha,
    ...(input.estimate === undefined ? {} : { estimate: input.estimate }),
    ...(input.lowerBound === undefined ? {} : { lowerBound: input.lowerBound }),
  };
}

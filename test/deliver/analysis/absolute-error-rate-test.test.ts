import { describe, expect, test } from "vitest";
import {
  AbsoluteErrorRateTest,
  ERROR_ODDS_ALTERNATIVES,
  ErrorProbabilityMixture,
  withOddsTimes,
} from "../../../src/deliver/analysis/absolute-error-rate-test.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

describe("ErrorProbabilityMixture by hand", () => {
  test("withOddsTimes multiplies the odds", () => {
    expect(withOddsTimes(0.5, 3)).toBeCloseTo(0.75, 12);
    expect(withOddsTimes(0.01, 2)).toBeCloseTo(0.02 / 1.01, 12);
  });

  test("one alternative: the Bernoulli likelihood ratio of (requests, errors)", () => {
    const p0 = 0.01;
    const p1 = withOddsTimes(p0, 2);
    const mixture = new ErrorProbabilityMixture(p0, 0.01, [2]);
    mixture.observe(60, 2);
    mixture.observe(40, 1);
    expect(Math.exp(mixture.logEValue())).toBeCloseTo((p1 / p0) ** 3 * ((1 - p1) / (1 - p0)) ** 97, 12);
  });

  test("the default grid averages the grid's likelihood ratios", () => {
    const p0 = 0.02;
    const mixture = new ErrorProbabilityMixture(p0, 0.01);
    mixture.observe(50, 4);
    const byHand =
      ERROR_ODDS_ALTERNATIVES.map((m) => {
        const p = withOddsTimes(p0, m);
        return (p / p0) ** 4 * ((1 - p) / (1 - p0)) ** 46;
      }).reduce((sum, lr) => sum + lr, 0) / ERROR_ODDS_ALTERNATIVES.length;
    expect(Math.exp(mixture.logEValue())).toBeCloseTo(byHand, 10);
  });

  test("a zero limit fails at the first error; a limit of 1 never fails", () => {
    const zero = new ErrorProbabilityMixture(0, 0.01);
    zero.observe(100, 0);
    expect(zero.everRejected).toBe(false);
    zero.observe(1, 1);
    expect(zero.everRejected).toBe(true);
    const one = new ErrorProbabilityMixture(1, 0.01);
    one.observe(100, 100);
    expect(one.everRejected).toBe(false);
  });
});

describe("AbsoluteErrorRateTest", () => {
  test("a canary well above the limit fails and the figures say against what", () => {
    const absolute = new AbsoluteErrorRateTest({ maxErrorRate: 0.01, alpha: 0.01 });
    for (let i = 0; i < 20 && !absolute.failed; i++) absolute.observe({ requests: 20, errors: 2 });
    const figures = absolute.figures();
    expect(figures).toMatchObject({ name: "error-rate-absolute", failed: true, threshold: 100 });
    expect(figures.estimate).toBeCloseTo(0.1, 12);
    expect(figures.lowerBound).toBeGreaterThanOrEqual(0.01);
    expect(figures.detail).toContain("above 1%");
  });

  test("validity: at the limit exactly, the e-value reaches 1/α in ≤ α of runs", () => {
    const alpha = 0.1;
    const random = new SeededRandom(21);
    let falseAlarms = 0;
    const runs = 250;
    for (let run = 0; run < runs; run++) {
      const absolute = new AbsoluteErrorRateTest({ maxErrorRate: 0.02, alpha });
      for (let interval = 0; interval < 300 && !absolute.failed; interval++)
        absolute.observe({ requests: 25, errors: random.binomial(25, 0.02) });
      if (absolute.failed) falseAlarms++;
    }
    expect(falseAlarms / runs).toBeLessThan(alpha);
  });
});

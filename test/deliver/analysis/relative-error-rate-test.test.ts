import { describe, expect, test } from "vitest";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";
import {
  canaryErrorShare,
  RATE_RATIO_ALTERNATIVES,
  RateRatioMixture,
  RelativeErrorRateTest,
} from "../../../src/deliver/analysis/relative-error-rate-test.js";

describe("canaryErrorShare", () => {
  test("is the traffic share at equal rates and grows with the ratio", () => {
    expect(canaryErrorShare(0.1, 1)).toBeCloseTo(0.1, 12);
    expect(canaryErrorShare(0.5, 3)).toBeCloseTo(0.75, 12);
    expect(canaryErrorShare(0.2, 2)).toBeCloseTo(1 / 3, 12);
  });
});

describe("RateRatioMixture by hand", () => {
  test("one alternative: each canary error multiplies by θ1/θ0, each stable error by (1−θ1)/(1−θ0)", () => {
    // ρ = 0.5, null ratio 1, alternative 2: θ0 = 1/2, θ1 = 2/3.
    const mixture = new RateRatioMixture(1, 0.01, [2]);
    mixture.observe(0.5, 2, 1);
    expect(Math.exp(mixture.logEValue())).toBeCloseTo((4 / 3) ** 2 * (2 / 3), 12); // 32/27
  });

  test("the share in force at each interval is used when ρ changes", () => {
    const mixture = new RateRatioMixture(1, 0.01, [2]);
    mixture.observe(0.5, 1, 0); // θ0 = 1/2, θ1 = 2/3: × 4/3
    mixture.observe(0.2, 0, 1); // θ0 = 1/5, θ1 = 1/3: × (2/3)/(4/5) = 5/6
    expect(Math.exp(mixture.logEValue())).toBeCloseTo(10 / 9, 12);
  });

  test("a tolerance moves the null: ratio 1.2 against 2.4 at ρ = 0.5", () => {
    const mixture = new RateRatioMixture(1.2, 0.01, [2]);
    mixture.observe(0.5, 1, 0); // θ0 = 1.2/2.2 = 6/11, θ1 = 2.4/3.4 = 12/17
    expect(Math.exp(mixture.logEValue())).toBeCloseTo(12 / 17 / (6 / 11), 12);
  });

  test("the default grid is the equal-weight average of the grid's likelihood ratios", () => {
    const mixture = new RateRatioMixture(1, 0.01);
    mixture.observe(0.25, 3, 2);
    const byHand =
      RATE_RATIO_ALTERNATIVES.map((m) => {
        const theta = canaryErrorShare(0.25, m);
        return (theta / 0.25) ** 3 * ((1 - theta) / 0.75) ** 2;
      }).reduce((sum, lr) => sum + lr, 0) / RATE_RATIO_ALTERNATIVES.length;
    expect(Math.exp(mixture.logEValue())).toBeCloseTo(byHand, 10);
  });

  test("stays finite in log space where the product overflows", () => {
    const mixture = new RateRatioMixture(1, 0.01);
    for (let i = 0; i < 2000; i++) mixture.observe(0.05, 5, 0);
    expect(Number.isFinite(mixture.logEValue())).toBe(true);
    expect(mixture.logEValue()).toBeGreaterThan(1000);
    expect(mixture.everRejected).toBe(true);
  });
});

describe("RelativeErrorRateTest", () => {
  test("an interval where one release had no requests is weighed with the next, at their joint share", () => {
    const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha: 0.01 });
    relative.observe({ requests: 0, errors: 0 }, { requests: 0, errors: 0 });
    relative.observe({ requests: 10, errors: 5 }, { requests: 0, errors: 0 });
    expect(relative.eValue()).toBe(1);
    expect(relative.figures().detail).toContain("canary 0/0");
    // Stable's first requests close the merged interval: the canary's 10 of 70 requests.
    relative.observe({ requests: 0, errors: 0 }, { requests: 60, errors: 1 });
    const byHand = new RateRatioMixture(1.2, 0.01);
    byHand.observe(10 / 70, 5, 1);
    expect(relative.eValue()).toBeCloseTo(Math.exp(byHand.logEValue()), 10);
    expect(relative.figures().detail).toContain("canary 5/10");
  });

  /** Sparse traffic: per interval the canary gets `canaryMean` requests on average, often none. */
  function sparseRun(
    random: SeededRandom,
    options: { canaryMean: number; stableMean: number; canaryRate: number; stableRate: number },
    until: (relative: RelativeErrorRateTest, canaryErrors: number, interval: number) => boolean,
    alpha: number,
  ): { failed: boolean; canaryErrors: number } {
    const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha });
    let canaryErrors = 0;
    for (let interval = 0; !relative.failed && !until(relative, canaryErrors, interval); interval++) {
      const canary = random.poisson(options.canaryMean);
      const stable = random.poisson(options.stableMean);
      const errors = random.binomial(canary, options.canaryRate);
      canaryErrors += errors;
      relative.observe(
        { requests: canary, errors },
        { requests: stable, errors: random.binomial(stable, options.stableRate) },
      );
    }
    return { failed: relative.failed, canaryErrors };
  }

  test("validity at low traffic: most intervals give the canary no request, at the null boundary", () => {
    const alpha = 0.1;
    const runs = 300;
    const random = new SeededRandom(12);
    let falseAlarms = 0;
    for (let run = 0; run < runs; run++) {
      const { failed } = sparseRun(
        random,
        { canaryMean: 0.3, stableMean: 3, canaryRate: 0.06, stableRate: 0.05 },
        (_, __, interval) => interval >= 2000,
        alpha,
      );
      if (failed) falseAlarms++;
    }
    expect(falseAlarms / runs).toBeLessThan(alpha);
  });

  test("power at low traffic: a canary at 5% against 0.1% fails within a few canary errors", () => {
    const random = new SeededRandom(13);
    const needed: number[] = [];
    for (let run = 0; run < 200; run++) {
      const { failed, canaryErrors } = sparseRun(
        random,
        { canaryMean: 0.5, stableMean: 4.5, canaryRate: 0.05, stableRate: 0.001 },
        () => false,
        0.01 / 3,
      );
      expect(failed).toBe(true);
      needed.push(canaryErrors);
    }
    needed.sort((a, b) => a - b);
    // Weighing only the intervals with canary requests took the share from them (about 0.4
    // here, not 0.1) and needed about 6.
    expect(needed[100]).toBeLessThanOrEqual(5);
  });

  test("fails at the first interval where the e-value reaches 1/α, and says so with the counts", () => {
    const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha: 0.01 });
    const byHand = new RateRatioMixture(1.2, 0.01);
    let intervals = 0;
    while (!relative.failed) {
      relative.observe({ requests: 10, errors: 1 }, { requests: 90, errors: 0 });
      byHand.observe(0.1, 1, 0);
      intervals++;
      expect(relative.failed).toBe(byHand.logEValue() >= Math.log(100));
    }
    expect(intervals).toBeLessThan(10);
    const figures = relative.figures();
    expect(figures).toMatchObject({ name: "error-rate-relative", threshold: 100, failed: true, alpha: 0.01 });
    expect(figures.statistic).toBeGreaterThanOrEqual(100);
    expect(figures.detail).toContain(`canary ${intervals}/${intervals * 10}`);
    expect(figures.detail).toContain("reached 100");
    expect(figures.lowerBound).toBeGreaterThanOrEqual(1);
  });

  test("validity: at the null boundary, with ρ changing, the e-value reaches 1/α in ≤ α of runs", () => {
    // Errors from the canary with probability θ(Δ0) exactly, the hardest case under H0.
    const alpha = 0.1;
    const runs = 250;
    const random = new SeededRandom(11);
    let falseAlarms = 0;
    for (let run = 0; run < runs; run++) {
      const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha });
      for (let interval = 0; interval < 300 && !relative.failed; interval++) {
        const rho = [0.05, 0.3, 0.8][Math.floor(interval / 100)]!;
        const errors = random.poisson(2);
        const canaryErrors = random.binomial(errors, canaryErrorShare(rho, 1.2));
        relative.observe(
          { requests: Math.round(rho * 1000), errors: canaryErrors },
          { requests: Math.round((1 - rho) * 1000), errors: errors - canaryErrors },
        );
      }
      if (relative.failed) falseAlarms++;
    }
    // Typically far below α (the mixture is conservative); allow for sampling noise.
    expect(falseAlarms / runs).toBeLessThan(alpha);
  });

  test("tolerance: a canary 10% worse with a 20% tolerance does not fail", () => {
    const random = new SeededRandom(3);
    let failures = 0;
    for (let run = 0; run < 50; run++) {
      const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha: 0.01 / 3 });
      for (let interval = 0; interval < 400; interval++) {
        const canary = random.poisson(100);
        const stable = random.poisson(100);
        relative.observe(
          { requests: canary, errors: random.binomial(canary, 0.011) },
          { requests: stable, errors: random.binomial(stable, 0.01) },
        );
      }
      if (relative.failed) failures++;
    }
    expect(failures).toBe(0);
  });

  test("power: a canary at 5% against 0.1% fails within a dozen canary errors", () => {
    const random = new SeededRandom(4);
    for (let run = 0; run < 20; run++) {
      const relative = new RelativeErrorRateTest({ tolerance: 0.2, alpha: 0.01 / 3 });
      let canaryErrors = 0;
      while (!relative.failed) {
        const canary = { requests: 12, errors: random.binomial(12, 0.05) };
        canaryErrors += canary.errors;
        relative.observe(canary, { requests: 112, errors: random.binomial(112, 0.001) });
      }
      expect(canaryErrors).toBeLessThanOrEqual(12);
    }
  });
});

import { describe, expect, test } from "vitest";
import { rateBounds, rateShown } from "../../../src/deliver/analysis/confidence-sequence.js";
import { formatMs, formatNumber, formatPercent } from "../../../src/deliver/analysis/format.js";
import { LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import { quantileLowerBound, quantileUpperBound } from "../../../src/deliver/analysis/quantile-bounds.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";
import {
  type RatioSafety,
  RelativeErrorRateTest,
} from "../../../src/deliver/analysis/relative-error-rate-test.js";
import {
  additiveAllowance,
  type ReleaseTotals,
  type SafetyLimits,
  safeRatio,
  safetyEvidence,
} from "../../../src/deliver/analysis/safety-evidence.js";

const MEDIAN_MS = 20;
const SIGMA = 0.5;
const Z95 = 1.6448536269514722;
/** The p95 of the log-normal the samples are drawn from. */
const TRUE_P95 = MEDIAN_MS * Math.exp(Z95 * SIGMA);

const p95Upper = (histogram: LatencyHistogram, level: number) => quantileUpperBound(histogram, 0.95, level);
const p95Lower = (histogram: LatencyHistogram, level: number) => quantileLowerBound(histogram, 0.95, level);

function sampled(random: SeededRandom, n: number, medianMs = MEDIAN_MS, sigma = SIGMA): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < n; i++) histogram.record(random.logNormal(medianMs, sigma));
  return histogram;
}

const LIMITS: SafetyLimits = {
  maxErrorRate: 0.02,
  errorTolerance: 0.2,
  maxLatencyRatio: 1.5,
  latencyToleranceMs: 2,
  beta: 0.05,
};

interface Release {
  requests: number;
  errorRate: number;
  medianMs?: number;
}

/**
 * Both releases over `intervals` equal observation intervals, as the analysis sees them: the
 * totals, and the ratio test's safety side (at β/2, ratio safeRatio(limits)) fed interval by
 * interval, the way createCanaryAnalysis wires them.
 */
function observed(
  random: SeededRandom,
  canary: Release,
  stable: Release,
  limits: SafetyLimits = LIMITS,
  intervals = 20,
): { canary: ReleaseTotals; stable: ReleaseTotals; ratio: RatioSafety } {
  const test = new RelativeErrorRateTest({
    tolerance: limits.errorTolerance,
    alpha: 0.01,
    safety: { ratio: safeRatio(limits), level: limits.beta / 2 },
  });
  const canaryTotals: ReleaseTotals = { requests: 0, errors: 0, latency: new LatencyHistogram() };
  const stableTotals: ReleaseTotals = { requests: 0, errors: 0, latency: new LatencyHistogram() };
  for (let i = 0; i < intervals; i++) {
    const counts = [canary, stable].map((release, r) => {
      const totals = r === 0 ? canaryTotals : stableTotals;
      const requests = Math.round(((i + 1) * release.requests) / intervals) - totals.requests;
      const errors = random.binomial(requests, release.errorRate);
      totals.requests += requests;
      totals.errors += errors;
      for (let j = 0; j < requests; j++)
        totals.latency.record(random.logNormal(release.medianMs ?? MEDIAN_MS, SIGMA));
      return { requests, errors };
    });
    test.observe(counts[0]!, counts[1]!);
  }
  return { canary: canaryTotals, stable: stableTotals, ratio: test.safety()! };
}

const NOT_SHOWN: RatioSafety = { ratio: 2, shown: false, eValue: 0.5, threshold: 40 };

describe("the relative check's allowances", () => {
  test("safeRatio: max(2, 1 + tolerance)", () => {
    expect(safeRatio({ errorTolerance: 0 })).toBe(2);
    expect(safeRatio({ errorTolerance: 0.2 })).toBe(2);
    expect(safeRatio({ errorTolerance: 1 })).toBe(2);
    expect(safeRatio({ errorTolerance: 1.5 })).toBe(2.5);
    expect(safeRatio({ errorTolerance: 4 })).toBe(5);
  });

  test("additiveAllowance: L + tolerance × maxErrorRate", () => {
    const tol02 = { ...LIMITS, maxErrorRate: 0.02, errorTolerance: 0.2 };
    expect(additiveAllowance(0.01, tol02)).toBeCloseTo(0.014, 15);
    expect(additiveAllowance(0.001, tol02)).toBeCloseTo(0.005, 15);
    expect(additiveAllowance(0, tol02)).toBeCloseTo(0.004, 15);
    const tol15 = { ...LIMITS, maxErrorRate: 0.02, errorTolerance: 1.5 };
    expect(additiveAllowance(0.01, tol15)).toBeCloseTo(0.04, 15);
    expect(additiveAllowance(0.05, tol15)).toBeCloseTo(0.08, 15);
  });

  test("together: the canary may be max(max(2, 1 + tol)·L, L + tol·maxErrorRate), whichever allows more", () => {
    const allowance = (stableLower: number, limits: SafetyLimits) =>
      Math.max(safeRatio(limits) * stableLower, additiveAllowance(stableLower, limits));
    const tol02 = { ...LIMITS, maxErrorRate: 0.02, errorTolerance: 0.2 };
    expect(allowance(0.01, tol02)).toBeCloseTo(0.02, 15); // 2·L > L + 0.004
    expect(allowance(0.001, tol02)).toBeCloseTo(0.005, 15); // L + 0.004 > 2·L
    expect(allowance(0.004, tol02)).toBeCloseTo(0.008, 15); // equal
    const tol15 = { ...LIMITS, maxErrorRate: 0.02, errorTolerance: 1.5 };
    expect(allowance(0.01, tol15)).toBeCloseTo(0.04, 15); // L + 0.03 > 2.5·L
    expect(allowance(0.05, tol15)).toBeCloseTo(0.125, 15); // 2.5·L > L + 0.03
    expect(allowance(0.02, tol15)).toBeCloseTo(0.05, 15); // equal
  });
});

describe("p95 bounds (quantileUpperBound / quantileLowerBound at 0.95)", () => {
  test("20,000 log-normal samples: lower ≤ true p95 ≤ upper, both within 15%", () => {
    for (const seed of [1, 2, 3]) {
      const histogram = sampled(new SeededRandom(seed), 20_000);
      for (const level of [0.05, 0.025, 0.01]) {
        const lower = p95Lower(histogram, level);
        const upper = p95Upper(histogram, level);
        expect(lower).toBeLessThanOrEqual(TRUE_P95);
        expect(upper).toBeGreaterThanOrEqual(TRUE_P95);
        expect(lower).toBeGreaterThan(TRUE_P95 * 0.85);
        expect(upper).toBeLessThan(TRUE_P95 * 1.15);
        // The histogram's own p95 lies between them.
        expect(lower).toBeLessThanOrEqual(histogram.quantile(0.95, "lower")!);
        expect(upper).toBeGreaterThanOrEqual(histogram.quantile(0.95, "upper")!);
      }
    }
  });

  test("the bounds are bucket edges, and the upper one is exactly the first edge shown", () => {
    const histogram = sampled(new SeededRandom(4), 20_000);
    const level = 0.025;
    const upper = p95Upper(histogram, level);
    const lower = p95Lower(histogram, level);
    // Edges are 0.01 ms × 1.02^i; bucket i is (edge i − 1, edge i].
    const edgeIndex = (ms: number) => Math.log(ms / 0.01) / Math.log(1.02);
    const upperBucket = Math.round(edgeIndex(upper));
    expect(edgeIndex(upper)).toBeCloseTo(upperBucket, 9);
    expect(LatencyHistogram.edges(upperBucket)[1]).toBe(upper);
    expect(edgeIndex(lower)).toBeCloseTo(Math.round(edgeIndex(lower)), 9);
    const slowerThan = (bucket: number) => {
      let above = 0;
      for (let j = bucket + 1; j < histogram.counts.length; j++) above += histogram.counts[j]!;
      return above;
    };
    const n = histogram.count;
    expect(rateShown("below", n, slowerThan(upperBucket), 0.05, level)).toBe(true);
    expect(rateShown("below", n, slowerThan(upperBucket - 1), 0.05, level)).toBe(false);
  });

  test("narrower with more samples and at a larger level", () => {
    const random = new SeededRandom(5);
    const small = sampled(random, 1000);
    const large = sampled(random, 50_000);
    expect(p95Upper(large, 0.025) / p95Lower(large, 0.025)).toBeLessThan(
      p95Upper(small, 0.025) / p95Lower(small, 0.025),
    );
    expect(p95Upper(small, 0.001)).toBeGreaterThanOrEqual(p95Upper(small, 0.05));
    expect(p95Lower(small, 0.001)).toBeLessThanOrEqual(p95Lower(small, 0.05));
  });

  test("an empty histogram: ∞ and 0", () => {
    const empty = new LatencyHistogram();
    expect(p95Upper(empty, 0.025)).toBe(Number.POSITIVE_INFINITY);
    expect(p95Lower(empty, 0.025)).toBe(0);
  });

  test("tiny samples: no upper bound; the lower bound is 0 for one sample and below the order statistic it rests on", () => {
    const level = 0.025;
    const one = sampled(new SeededRandom(6), 1);
    expect(p95Upper(one, level)).toBe(Number.POSITIVE_INFINITY);
    expect(p95Lower(one, level)).toBe(0);

    for (const seed of [7, 8, 9]) {
      const random = new SeededRandom(seed);
      const values = Array.from({ length: 10 }, () => random.logNormal(MEDIAN_MS, SIGMA));
      const ten = new LatencyHistogram();
      for (const value of values) ten.record(value);
      // Ruling out p95 above any value needs ~100 samples with none above it.
      expect(p95Upper(ten, level)).toBe(Number.POSITIVE_INFINITY);
      // The p95 is shown above x once k of the 10 samples lie above x, k the fewest that show
      // a share above 5%: with 10 samples all above x, P ≤ 0.05^10 under "share ≤ 5%".
      let fewest = 1;
      while (!rateShown("above", 10, fewest, 0.05, level)) fewest++;
      expect(fewest).toBeLessThan(10);
      values.sort((a, b) => a - b);
      const lower = p95Lower(ten, level);
      expect(lower).toBeGreaterThan(0);
      expect(lower).toBeLessThan(values[10 - fewest]!);
      expect(lower).toBeLessThanOrEqual(TRUE_P95);
    }
  });

  test("coverage over 1,000 seeded runs, read every 200 samples up to 10,000: each bound misses in at most level", () => {
    const runs = 1000;
    const step = 200;
    const reads = 50;
    const level = 0.05;
    const seed = 31_337;
    const random = new SeededRandom(seed);
    let lowerMissedRuns = 0;
    let upperMissedRuns = 0;
    let lowerMissedReads = 0;
    let upperMissedReads = 0;
    let finiteUpper = 0;
    for (let run = 0; run < runs; run++) {
      const histogram = new LatencyHistogram();
      let lowerMissed = false;
      let upperMissed = false;
      for (let read = 0; read < reads; read++) {
        for (let i = 0; i < step; i++) histogram.record(random.logNormal(MEDIAN_MS, SIGMA));
        const lower = p95Lower(histogram, level);
        const upper = p95Upper(histogram, level);
        if (Number.isFinite(upper)) finiteUpper++;
        if (lower > TRUE_P95) {
          lowerMissedReads++;
          lowerMissed = true;
        }
        if (upper < TRUE_P95) {
          upperMissedReads++;
          upperMissed = true;
        }
      }
      if (lowerMissed) lowerMissedRuns++;
      if (upperMissed) upperMissedRuns++;
    }
    const percent = (count: number) => `${((count / runs) * 100).toFixed(1)}%`;
    console.log(
      `p95 bound coverage: log-normal median ${MEDIAN_MS} ms sigma ${SIGMA} (true p95 ${TRUE_P95.toFixed(2)} ms), ` +
        `level ${level} per bound, ${runs} runs, seed ${seed}, read every ${step} samples up to ${step * reads}: ` +
        `lower bound ever above the truth in ${lowerMissedRuns} runs (${percent(lowerMissedRuns)}, ` +
        `${lowerMissedReads} of ${runs * reads} reads), upper bound ever below it in ${upperMissedRuns} runs ` +
        `(${percent(upperMissedRuns)}, ${upperMissedReads} reads)`,
    );
    expect(lowerMissedRuns / runs).toBeLessThanOrEqual(level);
    expect(upperMissedRuns / runs).toBeLessThanOrEqual(level);
    // Not vacuous: the upper bound is finite at nearly every read (it is from about 150 samples on).
    expect(finiteUpper).toBeGreaterThan(runs * reads * 0.95);
  });
});

describe("p95 bounds of a coarse (Prometheus-like) histogram", () => {
  const BOUNDS_MS = [5, 10, 25, 50, 100, 250];

  /** A true value recorded the way a Prometheus source reports it: at its bucket's upper bound. */
  function coarseSample(
    random: SeededRandom,
    n: number,
    medianMs: number,
    withBounds = true,
  ): LatencyHistogram {
    const histogram = new LatencyHistogram();
    if (withBounds) histogram.boundsMs = BOUNDS_MS;
    for (let i = 0; i < n; i++) {
      const value = random.logNormal(medianMs, SIGMA);
      // Above the last bound (the +Inf bucket; P < 1e-6 here) at twice it.
      const bound = BOUNDS_MS.find((b) => value <= b) ?? 2 * BOUNDS_MS[BOUNDS_MS.length - 1]!;
      histogram.record(bound);
    }
    return histogram;
  }

  test("the lower bound is never above the true p95; the upper bound never below it", () => {
    const random = new SeededRandom(12);
    for (const medianMs of [8, 20, 40]) {
      const truth = medianMs * Math.exp(Z95 * SIGMA);
      for (const n of [50, 500, 5000, 20_000]) {
        for (let run = 0; run < 20; run++) {
          const histogram = coarseSample(random, n, medianMs);
          expect(p95Lower(histogram, 0.025)).toBeLessThanOrEqual(truth);
          expect(p95Upper(histogram, 0.025)).toBeGreaterThanOrEqual(truth);
        }
      }
    }
  });

  test("with lots of data the lower bound is the source bound below the p95's source bucket", () => {
    const histogram = coarseSample(new SeededRandom(13), 20_000, MEDIAN_MS);
    // True p95 45.5 ms is in the (25, 50] source bucket: recorded at 50, known only above 25.
    expect(p95Lower(histogram, 0.025)).toBe(25);
    expect(p95Upper(histogram, 0.025)).toBeGreaterThanOrEqual(50);
    expect(p95Upper(histogram, 0.025)).toBeLessThan(50 * 1.03);
  });

  test("without boundsMs the same counts put the lower bound above the true p95 (what knownAbove prevents)", () => {
    const histogram = coarseSample(new SeededRandom(13), 20_000, MEDIAN_MS, false);
    expect(p95Lower(histogram, 0.025)).toBeGreaterThan(TRUE_P95);
  });
});

describe("safetyEvidence", () => {
  test("a canary identical to stable with lots of traffic is safe, every check met, the numbers in the details", () => {
    const { canary, stable, ratio } = observed(
      new SeededRandom(21),
      { requests: 20_000, errorRate: 0.001 },
      { requests: 200_000, errorRate: 0.001 },
    );
    const evidence = safetyEvidence(canary, stable, ratio, LIMITS);
    expect(evidence.safe).toBe(true);
    expect(evidence.beta).toBe(0.05);
    expect(evidence.checks.map((check) => check.name)).toEqual([
      "error-rate-absolute",
      "error-rate-relative",
      "latency-p95",
    ]);
    for (const check of evidence.checks) {
      expect(check.met, check.name).toBe(true);
      expect(check.bound).toBeLessThanOrEqual(check.limit);
    }
    const [absolute, relative, latency] = evidence.checks;

    // Absolute: the canary's upper bound at β.
    const canaryUpper = rateBounds(canary.requests, canary.errors, 0.05).upper;
    expect(absolute!.bound).toBe(canaryUpper);
    expect(absolute!.limit).toBe(0.02);
    expect(absolute!.detail).toContain(`at most ${formatPercent(canaryUpper)} (${canary.errors}/20000)`);
    expect(absolute!.detail).toContain("limit 2%");

    // Relative: shown below 2× by the ratio test, or the additive path (bounds at β/4).
    if (ratio.shown) {
      expect(relative!.bound).toBe(2);
      expect(relative!.detail).toContain("shown below 2×");
    } else {
      const canaryQuarter = rateBounds(canary.requests, canary.errors, 0.0125).upper;
      const stableQuarter = rateBounds(stable.requests, stable.errors, 0.0125).lower;
      expect(relative!.bound).toBe(canaryQuarter);
      expect(relative!.limit).toBeCloseTo(stableQuarter + 0.2 * 0.02, 15);
      expect(relative!.detail).toContain(`(${stable.errors}/200000)`);
      expect(relative!.detail).toContain(`allowed ${formatPercent(relative!.limit)}`);
      expect(relative!.detail).toContain(`stable at least ${formatPercent(stableQuarter)}`);
    }

    // Latency: both p95 bounds at β/2.
    const canaryP95 = p95Upper(canary.latency, 0.025);
    const stableP95 = p95Lower(stable.latency, 0.025);
    expect(latency!.bound).toBe(canaryP95);
    expect(latency!.limit).toBeCloseTo(1.5 * stableP95, 12);
    expect(latency!.bound / latency!.limit).toBeLessThan(0.8);
    expect(latency!.detail).toContain(`canary p95 at most ${formatMs(canaryP95)} (20000 samples)`);
    expect(latency!.detail).toContain(`1.5 × stable p95 of at least ${formatMs(stableP95)}`);
  });

  test("the relative check: met when the ratio is shown, else on the additive path", () => {
    const random = new SeededRandom(26);
    const canary: ReleaseTotals = { requests: 20_000, errors: 20, latency: sampled(random, 2000) };
    const stable: ReleaseTotals = { requests: 200_000, errors: 200, latency: sampled(random, 2000) };
    const relativeOf = (ratio: RatioSafety, limits = LIMITS) =>
      safetyEvidence(canary, stable, ratio, limits).checks.find(
        (check) => check.name === "error-rate-relative",
      )!;

    const shown = relativeOf({ ratio: 2, shown: true, eValue: 55, threshold: 40 });
    expect(shown).toMatchObject({ met: true, bound: 2, limit: 2 });
    expect(shown.detail).toContain(`e-value ${formatNumber(55)} ≥ ${formatNumber(40)}`);

    // Not shown: canary ≤ 0.23% (β/4) against stable ≥ 0.07% + 0.2 × 2%.
    const additive = relativeOf(NOT_SHOWN);
    expect(additive.met).toBe(true);
    expect(additive.bound).toBe(rateBounds(20_000, 20, 0.0125).upper);
    expect(additive.limit).toBeCloseTo(additiveAllowance(rateBounds(200_000, 200, 0.0125).lower, LIMITS), 15);
    expect(additive.detail).toContain("not yet shown below 2× stable's");
    // ...and with a tiny maxErrorRate the additive path is closed.
    const strict = relativeOf(NOT_SHOWN, { ...LIMITS, maxErrorRate: 0.001 });
    expect(strict.met).toBe(false);
    expect(strict.bound).toBeGreaterThan(strict.limit);
  });

  test("a canary at 5% errors against maxErrorRate 2% is not safe on error-rate-absolute", () => {
    const { canary, stable, ratio } = observed(
      new SeededRandom(22),
      { requests: 20_000, errorRate: 0.05 },
      { requests: 200_000, errorRate: 0.001 },
    );
    const evidence = safetyEvidence(canary, stable, ratio, LIMITS);
    expect(evidence.safe).toBe(false);
    const byName = Object.fromEntries(evidence.checks.map((check) => [check.name, check]));
    expect(byName["error-rate-absolute"]!.met).toBe(false);
    expect(byName["error-rate-absolute"]!.bound).toBeGreaterThan(0.05);
    expect(byName["error-rate-relative"]!.met).toBe(false);
    expect(byName["latency-p95"]!.met).toBe(true);
  });

  test("a canary at twice the stable error rate is not safe on error-rate-relative alone", () => {
    const limits = { ...LIMITS, maxErrorRate: 0.05, errorTolerance: 0.2 };
    const { canary, stable, ratio } = observed(
      new SeededRandom(23),
      { requests: 100_000, errorRate: 0.02 },
      { requests: 200_000, errorRate: 0.01 },
      limits,
    );
    expect(ratio.shown).toBe(false);
    const evidence = safetyEvidence(canary, stable, ratio, limits);
    expect(evidence.safe).toBe(false);
    const byName = Object.fromEntries(evidence.checks.map((check) => [check.name, check]));
    expect(byName["error-rate-absolute"]!.met).toBe(true);
    expect(byName["error-rate-relative"]!.met).toBe(false);
    expect(byName["latency-p95"]!.met).toBe(true);
    // Additive path: L + 0.2 × 5% with L (at β/4) under 1%, against a canary bound above 2%.
    expect(byName["error-rate-relative"]!.limit).toBeGreaterThan(0.018);
    expect(byName["error-rate-relative"]!.limit).toBeLessThan(0.02);
    expect(byName["error-rate-relative"]!.bound).toBeGreaterThan(0.02);
  });

  test("a canary with its latency median doubled is not safe on latency-p95 at maxLatencyRatio 1.5", () => {
    const { canary, stable, ratio } = observed(
      new SeededRandom(24),
      { requests: 20_000, errorRate: 0.001, medianMs: 2 * MEDIAN_MS },
      { requests: 200_000, errorRate: 0.001 },
    );
    const evidence = safetyEvidence(canary, stable, ratio, LIMITS);
    expect(evidence.safe).toBe(false);
    const byName = Object.fromEntries(evidence.checks.map((check) => [check.name, check]));
    expect(byName["error-rate-absolute"]!.met).toBe(true);
    expect(byName["error-rate-relative"]!.met).toBe(true);
    expect(byName["latency-p95"]!.met).toBe(false);
    expect(byName["latency-p95"]!.bound / byName["latency-p95"]!.limit).toBeGreaterThan(1.2);
  });

  test("a sub-millisecond p95 doubled is safe within latencyToleranceMs, and not on the ratio alone", () => {
    const random = new SeededRandom(26);
    const canary: ReleaseTotals = { requests: 20_000, errors: 0, latency: sampled(random, 20_000, 1) };
    const stable: ReleaseTotals = { requests: 200_000, errors: 0, latency: sampled(random, 200_000, 0.5) };
    const latencyOf = (latencyToleranceMs: number) =>
      safetyEvidence(canary, stable, NOT_SHOWN, { ...LIMITS, latencyToleranceMs }).checks.find(
        (check) => check.name === "latency-p95",
      )!;
    const tolerant = latencyOf(2);
    expect(tolerant.met).toBe(true);
    expect(tolerant.limit).toBeCloseTo(p95Lower(stable.latency, 0.025) + 2, 12);
    expect(tolerant.detail).toMatch(/= stable p95 of at least [\d.]+ ms \+ 2 ms$/);
    expect(latencyOf(0).met).toBe(false);
  });

  test("a canary with 100 requests is shown safe on nothing, however good its numbers", () => {
    const random = new SeededRandom(25);
    const { stable } = observed(
      random,
      { requests: 100, errorRate: 0 },
      { requests: 200_000, errorRate: 0.001 },
    );
    const canary: ReleaseTotals = { requests: 100, errors: 0, latency: sampled(random, 100) };
    const evidence = safetyEvidence(canary, stable, NOT_SHOWN, LIMITS);
    expect(evidence.safe).toBe(false);
    for (const check of evidence.checks) expect(check.met, check.name).toBe(false);
    const latency = evidence.checks.find((check) => check.name === "latency-p95")!;
    expect(latency.bound).toBe(Number.POSITIVE_INFINITY);
    expect(latency.detail).toContain("canary p95 at most unknown (100 samples)");
  });

  test("no data at all: not safe, nothing met", () => {
    const empty = (): ReleaseTotals => ({ requests: 0, errors: 0, latency: new LatencyHistogram() });
    const evidence = safetyEvidence(empty(), empty(), NOT_SHOWN, LIMITS);
    expect(evidence.safe).toBe(false);
    for (const check of evidence.checks) expect(check.met, check.name).toBe(false);
  });

  test("a canary at exactly the error limit is shown safe on error-rate-absolute in at most β of runs", () => {
    // The absolute check is met only if the canary's upper bound (at β) misses its true rate:
    // over a whole rollout read at every checkpoint, at most β of the time.
    const runs = 2000;
    const checkpoints = [1000, 2000, 5000, 10_000, 20_000, 50_000];
    const seed = 4242;
    const random = new SeededRandom(seed);
    const latency = new LatencyHistogram();
    const stable: ReleaseTotals = { requests: 1_000_000, errors: 20_000, latency };
    let shownSafe = 0;
    for (let run = 0; run < runs; run++) {
      let requests = 0;
      let errors = 0;
      for (const checkpoint of checkpoints) {
        errors += random.binomial(checkpoint - requests, LIMITS.maxErrorRate);
        requests = checkpoint;
        const evidence = safetyEvidence({ requests, errors, latency }, stable, NOT_SHOWN, LIMITS);
        if (evidence.checks[0]!.met) {
          shownSafe++;
          break;
        }
      }
    }
    console.log(
      `safetyEvidence: canary at exactly maxErrorRate ${LIMITS.maxErrorRate}, ${runs} runs, seed ${seed}, ` +
        `read at n=${checkpoints.join(",")}: error-rate-absolute met in ${shownSafe} runs ` +
        `(${((shownSafe / runs) * 100).toFixed(2)}%, β = ${LIMITS.beta})`,
    );
    expect(shownSafe / runs).toBeLessThanOrEqual(LIMITS.beta);
  });

  test("a canary at exactly 2× a stable rate ≥ tolerance × maxErrorRate is shown safe on error-rate-relative in at most β of runs", () => {
    // Stable 1%, canary 2% = safeRatio × stable, and 2% > 1% + 0.2 × 2%: beyond both paths.
    const runs = 1000;
    const intervals = 30;
    const seed = 5151;
    const random = new SeededRandom(seed);
    const latency = new LatencyHistogram();
    let shownSafe = 0;
    let byRatio = 0;
    for (let run = 0; run < runs; run++) {
      const test = new RelativeErrorRateTest({
        tolerance: LIMITS.errorTolerance,
        alpha: 0.01,
        safety: { ratio: safeRatio(LIMITS), level: LIMITS.beta / 2 },
      });
      const canary = { requests: 0, errors: 0, latency };
      const stable = { requests: 0, errors: 0, latency };
      for (let i = 0; i < intervals; i++) {
        // The canary's share grows over the rollout: 5% of 2,000 requests an interval, then 25%, then 50%.
        const canaryRequests = i < 10 ? 100 : i < 20 ? 500 : 1000;
        const stableRequests = 2000 - canaryRequests;
        const canaryErrors = random.binomial(canaryRequests, 0.02);
        const stableErrors = random.binomial(stableRequests, 0.01);
        canary.requests += canaryRequests;
        canary.errors += canaryErrors;
        stable.requests += stableRequests;
        stable.errors += stableErrors;
        test.observe(
          { requests: canaryRequests, errors: canaryErrors },
          { requests: stableRequests, errors: stableErrors },
        );
        const ratio = test.safety()!;
        if (safetyEvidence(canary, stable, ratio, LIMITS).checks[1]!.met) {
          shownSafe++;
          if (ratio.shown) byRatio++;
          break;
        }
      }
    }
    console.log(
      `safetyEvidence: canary at exactly 2× stable's 1% error rate, ${runs} runs of ${intervals} intervals, ` +
        `seed ${seed}, read after every interval: error-rate-relative met in ${shownSafe} runs ` +
        `(${((shownSafe / runs) * 100).toFixed(2)}%, ${byRatio} by the ratio test; β = ${LIMITS.beta})`,
    );
    expect(shownSafe / runs).toBeLessThanOrEqual(LIMITS.beta);
  });
});

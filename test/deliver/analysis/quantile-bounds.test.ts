import { describe, expect, test } from "vitest";
import { rateShown } from "../../../src/deliver/analysis/confidence-sequence.js";
import { LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import { quantileLowerBound, quantileUpperBound } from "../../../src/deliver/analysis/quantile-bounds.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

function sampled(random: SeededRandom, n: number, medianMs: number, sigma = 0.5): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < n; i++) histogram.record(random.logNormal(medianMs, sigma));
  return histogram;
}

/** Samples recorded above the bucket holding `ms`. */
function countAbove(histogram: LatencyHistogram, ms: number): number {
  let above = 0;
  for (let j = LatencyHistogram.bucketOf(ms) + 1; j < histogram.counts.length; j++)
    above += histogram.counts[j]!;
  return above;
}

describe("quantileUpperBound / quantileLowerBound", () => {
  test("are the bucket edges where the share of slower requests is first shown below, and last shown above, 5%", () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.record(ms / 10);
    const level = 0.01;
    const upper = quantileUpperBound(histogram, 0.95, level);
    const lower = quantileLowerBound(histogram, 0.95, level);
    expect(lower).toBeLessThan(950);
    expect(upper).toBeGreaterThan(950);
    // The upper bound is a bucket's upper edge where "under 5% slower" is shown; one bucket
    // down it is not yet shown.
    const n = histogram.count;
    expect(rateShown("below", n, countAbove(histogram, upper * 0.999), 0.05, level)).toBe(true);
    expect(rateShown("below", n, countAbove(histogram, (upper / 1.02) * 0.999), 0.05, level)).toBe(false);
    // The lower bound is the last edge where "over 5% slower" is shown; one bucket up it is not.
    expect(rateShown("above", n, countAbove(histogram, lower * 0.999), 0.05, level)).toBe(true);
    expect(rateShown("above", n, countAbove(histogram, lower * 1.02 * 1.001), 0.05, level)).toBe(false);
    // Within 4% of the truth with 10,000 samples: far tighter than a DKW band's ±0.07 in rank.
    expect(upper / 950).toBeLessThan(1.04);
    expect(950 / lower).toBeLessThan(1.04);
  });

  test("say nothing without enough samples: ∞ above, 0 below", () => {
    const twenty = new LatencyHistogram();
    twenty.record(10, 20);
    // Twenty requests at 10 ms cannot show that fewer than 5% are slower than 10 ms.
    expect(quantileUpperBound(twenty, 0.95, 0.01)).toBe(Number.POSITIVE_INFINITY);
    expect(quantileUpperBound(new LatencyHistogram(), 0.95, 0.01)).toBe(Number.POSITIVE_INFINITY);
    expect(quantileLowerBound(new LatencyHistogram(), 0.95, 0.01)).toBe(0);
    // One request at 10 ms cannot show that more than 5% are slower than anything; three can
    // (three of three above 9.8 ms would happen with probability 0.05³ if they were not).
    const one = new LatencyHistogram();
    one.record(10);
    expect(quantileLowerBound(one, 0.95, 0.01)).toBe(0);
    one.record(10, 2);
    expect(quantileLowerBound(one, 0.95, 0.01)).toBeGreaterThan(9.5);
  });

  test("cover the true p95 of log-normal samples, over 2,000 seeded runs", () => {
    const random = new SeededRandom(2);
    const truth = 20 * Math.exp(1.6448536 * 0.5);
    const level = 0.01;
    let missed = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      const histogram = sampled(random, 2000, 20);
      if (quantileLowerBound(histogram, 0.95, level) > truth) missed++;
      else if (quantileUpperBound(histogram, 0.95, level) < truth) missed++;
    }
    console.log(`p95 bounds at level ${level} each: ${missed} of ${runs} runs missed the true p95 (seed 2)`);
    expect(missed / runs).toBeLessThanOrEqual(2 * level);
  });

  test("on a coarse source the lower bound drops to the source bound below", () => {
    // All values recorded at 50 ms, the upper bound of the source bucket (25, 50].
    const histogram = LatencyHistogram.fromSnapshot({
      count: 10_000,
      sumMs: 400_000,
      buckets: [[LatencyHistogram.bucketOf(50), 10_000]],
      boundsMs: [5, 10, 25, 50, 100],
    });
    expect(quantileLowerBound(histogram, 0.95, 0.01)).toBe(25);
    // …and the upper bound is the source bound itself, not the upper edge of the finer bucket
    // it was recorded in: the values were recorded at exactly 50 ms.
    expect(quantileUpperBound(histogram, 0.95, 0.01)).toBe(50);
    expect(LatencyHistogram.valueOf(LatencyHistogram.bucketOf(50), "upper")).toBeGreaterThan(50);
  });
});

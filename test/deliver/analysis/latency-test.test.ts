import { describe, expect, test } from "vitest";
import { BUCKET_COUNT, LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import {
  LatencyP95Test,
  quantileBandHalfWidth,
  quantileBounds,
} from "../../../src/deliver/analysis/latency-test.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

function sampled(random: SeededRandom, n: number, medianMs: number, sigma = 0.5): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < n; i++) histogram.record(random.logNormal(medianMs, sigma));
  return histogram;
}

describe("quantileBandHalfWidth (Howard & Ramdas 2022)", () => {
  test("0.85·sqrt((log log(e·t) + 0.8·log(1612/α)) / t)", () => {
    const byHand =
      0.85 * Math.sqrt((Math.log(Math.log(Math.E * 1000)) + 0.8 * Math.log(1612 / 0.001)) / 1000);
    expect(quantileBandHalfWidth(1000, 0.001)).toBeCloseTo(byHand, 14);
    expect(byHand).toBeCloseTo(0.0988, 4);
    // At t = 1, log log e = 0.
    expect(quantileBandHalfWidth(1, 0.05)).toBeCloseTo(0.85 * Math.sqrt(0.8 * Math.log(1612 / 0.05)), 14);
  });

  test("is infinite without samples and shrinks with more samples or a larger α", () => {
    expect(quantileBandHalfWidth(0, 0.01)).toBe(Number.POSITIVE_INFINITY);
    expect(quantileBandHalfWidth(10_000, 0.01)).toBeLessThan(quantileBandHalfWidth(1000, 0.01));
    expect(quantileBandHalfWidth(1000, 0.05)).toBeLessThan(quantileBandHalfWidth(1000, 0.01));
  });
});

describe("quantileBounds", () => {
  test("bounds come from the ranks p ± g, at the buckets' outer edges", () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.record(ms / 10);
    const alpha = 0.01;
    const g = quantileBandHalfWidth(10_000, alpha);
    const bounds = quantileBounds(histogram, 0.95, alpha);
    const lowRank = Math.ceil((0.95 - g) * 10_000) / 10;
    const highRank = Math.ceil((0.95 + g) * 10_000) / 10;
    expect(bounds.lower).toBe(LatencyHistogram.edges(LatencyHistogram.bucketOf(lowRank))[0]);
    expect(bounds.upper).toBe(LatencyHistogram.edges(LatencyHistogram.bucketOf(highRank))[1]);
    expect(bounds.lower).toBeLessThan(950);
    expect(bounds.upper).toBeGreaterThan(950);
  });

  test("with few samples the upper bound is infinite, and with fewer still the lower bound is 0", () => {
    const histogram = new LatencyHistogram();
    histogram.record(10, 20); // g ≈ 0.64: p − g > 0 but p + g > 1
    expect(quantileBounds(histogram, 0.95, 0.01)).toEqual({
      lower: LatencyHistogram.edges(LatencyHistogram.bucketOf(10))[0],
      upper: Number.POSITIVE_INFINITY,
      estimate: histogram.quantile(0.95),
    });
    const three = new LatencyHistogram();
    three.record(10, 3); // g > 1
    expect(quantileBounds(three, 0.95, 0.01).lower).toBe(0);
    expect(quantileBounds(new LatencyHistogram(), 0.95, 0.01).upper).toBe(Number.POSITIVE_INFINITY);
  });

  test("cover the true p95 of a log-normal sample", () => {
    const random = new SeededRandom(2);
    const truth = 20 * Math.exp(1.6448536 * 0.5);
    for (let run = 0; run < 20; run++) {
      const bounds = quantileBounds(sampled(random, 5000, 20), 0.95, 0.01);
      expect(bounds.lower).toBeLessThanOrEqual(truth);
      expect(bounds.upper).toBeGreaterThanOrEqual(truth);
    }
  });
});

describe("LatencyP95Test", () => {
  test("a canary twice as slow fails once both bands are narrow, with the bounds in the detail", () => {
    const random = new SeededRandom(8);
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, alpha: 0.01 / 3 });
    latency.evaluate(sampled(random, 20_000, 40), sampled(random, 20_000, 20));
    const figures = latency.figures();
    expect(figures.failed).toBe(true);
    expect(figures.statistic).toBeGreaterThan(1.5);
    expect(figures.estimate).toBeCloseTo(2, 1);
    expect(figures.detail).toMatch(/canary p95 ≥ [\d.]+ ms \(20000 samples\) vs stable p95 ≤ [\d.]+ ms/);
  });

  test("equal releases do not fail, and nothing fails before the stable's band is bounded", () => {
    const random = new SeededRandom(9);
    const equal = new LatencyP95Test({ maxLatencyRatio: 1.2, alpha: 0.01 / 3 });
    equal.evaluate(sampled(random, 20_000, 20), sampled(random, 20_000, 20));
    expect(equal.failed).toBe(false);
    const early = new LatencyP95Test({ maxLatencyRatio: 1.5, alpha: 0.01 / 3 });
    early.evaluate(sampled(random, 20_000, 200), sampled(random, 500, 20));
    expect(early.ratioOfBounds()).toBe(0);
    expect(early.failed).toBe(false);
  });
});

describe("LatencyP95Test on a coarse source (a Prometheus histogram's le buckets)", () => {
  /** What the prometheus provider makes of `n` requests that all took `ms`: each at its le bucket's upper bound. */
  const fromPrometheusBuckets = (ms: number, n: number): LatencyHistogram => {
    const bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
    const upper = bounds.find((b) => ms <= b)!;
    return LatencyHistogram.fromSnapshot({
      count: n,
      sumMs: ms * n,
      buckets: [[LatencyHistogram.bucketOf(upper), n]],
      boundsMs: bounds,
    });
  };

  test("a canary 8% slower whose p95 crosses a bucket bound is not a regression (without the bounds it reads as 2×)", () => {
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, alpha: 0.01 / 3 });
    latency.evaluate(fromPrometheusBuckets(26, 20_000), fromPrometheusBuckets(24, 20_000));
    expect(latency.failed).toBe(false);
    // The canary's values lie in (25, 50] ms: 25 is all that is known of them from below.
    expect(latency.figures().detail).toMatch(/canary p95 ≥ 25 ms/);
  });

  test("a canary whose p95 moved past whole buckets fails", () => {
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, alpha: 0.01 / 3 });
    latency.evaluate(fromPrometheusBuckets(80, 20_000), fromPrometheusBuckets(20, 20_000));
    expect(latency.failed).toBe(true);
    expect(latency.ratioOfBounds()).toBeGreaterThan(1.5);
  });

  test("knownAbove drops to the source bound below the bucket, and the window keeps the bounds", () => {
    const histogram = fromPrometheusBuckets(40, 10);
    const bucket = LatencyHistogram.bucketOf(50);
    expect(histogram.knownAbove(bucket)).toBe(25);
    expect(new LatencyHistogram().knownAbove(bucket)).toBe(LatencyHistogram.valueOf(bucket, "lower"));
    expect(histogram.knownAbove(BUCKET_COUNT - 1)).toBe(10_000);
    expect(histogram.snapshot().boundsMs).toEqual(histogram.boundsMs);
  });
});

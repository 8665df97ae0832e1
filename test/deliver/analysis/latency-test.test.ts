import { describe, expect, test } from "vitest";
import { BUCKET_COUNT, LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import { LatencyP95Test } from "../../../src/deliver/analysis/latency-test.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

function sampled(random: SeededRandom, n: number, medianMs: number, sigma = 0.5): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < n; i++) histogram.record(random.logNormal(medianMs, sigma));
  return histogram;
}

describe("LatencyP95Test", () => {
  test("a canary twice as slow fails once both bounds are narrow, with the bounds in the detail", () => {
    const random = new SeededRandom(8);
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, latencyToleranceMs: 2, alpha: 0.01 / 3 });
    latency.evaluate(sampled(random, 20_000, 40), sampled(random, 20_000, 20));
    const figures = latency.figures();
    expect(figures.failed).toBe(true);
    expect(figures.statistic).toBeGreaterThan(1.5);
    expect(figures.estimate).toBeCloseTo(2, 1);
    expect(figures.detail).toMatch(/canary p95 ≥ [\d.]+ ms \(20000 samples\) vs stable p95 ≤ [\d.]+ ms/);
  });

  test("equal releases do not fail, and nothing fails before the stable's p95 is bounded", () => {
    const random = new SeededRandom(9);
    const equal = new LatencyP95Test({ maxLatencyRatio: 1.2, latencyToleranceMs: 2, alpha: 0.01 / 3 });
    equal.evaluate(sampled(random, 20_000, 20), sampled(random, 20_000, 20));
    expect(equal.failed).toBe(false);
    const early = new LatencyP95Test({ maxLatencyRatio: 1.5, latencyToleranceMs: 2, alpha: 0.01 / 3 });
    early.evaluate(sampled(random, 20_000, 200), sampled(random, 30, 20));
    expect(early.ratioOfBounds()).toBe(0);
    expect(early.failed).toBe(false);
  });
});

describe("LatencyP95Test's absolute tolerance (latencyToleranceMs)", () => {
  const options = (latencyToleranceMs: number) => ({
    maxLatencyRatio: 1.5,
    latencyToleranceMs,
    alpha: 0.01 / 3,
  });

  test("a sub-millisecond p95 that doubles is within 2 ms of tolerance, and a regression by the ratio alone", () => {
    const random = new SeededRandom(10);
    const canary = sampled(random, 20_000, 1);
    const stable = sampled(random, 20_000, 0.5);
    const tolerant = new LatencyP95Test(options(2));
    tolerant.evaluate(canary, stable);
    expect(tolerant.failed).toBe(false);
    expect(tolerant.figures().detail).toMatch(/within [\d.]+ \(stable p95 \+ 2 ms\)/);
    const ratioOnly = new LatencyP95Test(options(0));
    ratioOnly.evaluate(canary, stable);
    expect(ratioOnly.failed).toBe(true);
  });

  test("a canary more than the tolerance above a fast stable fails, with the allowance as its threshold", () => {
    const random = new SeededRandom(11);
    const latency = new LatencyP95Test(options(2));
    latency.evaluate(sampled(random, 20_000, 4), sampled(random, 20_000, 1));
    const figures = latency.figures();
    expect(figures.failed).toBe(true);
    // Above 1.5: the tolerance, not the ratio, sets the allowance beside a ~2 ms stable p95.
    expect(figures.threshold).toBeGreaterThan(1.5);
    expect(figures.statistic).toBeGreaterThan(figures.threshold);
  });

  test("beside a slow stable the ratio sets the allowance: 2 ms is nothing next to 1.5 × 40 ms", () => {
    const random = new SeededRandom(12);
    const latency = new LatencyP95Test(options(2));
    latency.evaluate(sampled(random, 20_000, 40), sampled(random, 20_000, 40));
    expect(latency.figures().threshold).toBe(1.5);
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
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, latencyToleranceMs: 2, alpha: 0.01 / 3 });
    latency.evaluate(fromPrometheusBuckets(26, 20_000), fromPrometheusBuckets(24, 20_000));
    expect(latency.failed).toBe(false);
    // The canary's values lie in (25, 50] ms: 25 is all that is known of them from below.
    expect(latency.figures().detail).toMatch(/canary p95 ≥ 25 ms/);
  });

  test("a canary whose p95 moved past whole buckets fails", () => {
    const latency = new LatencyP95Test({ maxLatencyRatio: 1.5, latencyToleranceMs: 2, alpha: 0.01 / 3 });
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

import { describe, expect, test } from "vitest";
import { BUCKET_COUNT, LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

describe("LatencyHistogram buckets", () => {
  test("bucket 0 holds everything at or below 10 µs, the last everything beyond the range", () => {
    expect(LatencyHistogram.bucketOf(0)).toBe(0);
    expect(LatencyHistogram.bucketOf(-5)).toBe(0);
    expect(LatencyHistogram.bucketOf(0.01)).toBe(0);
    expect(LatencyHistogram.bucketOf(0.0101)).toBe(1);
    expect(LatencyHistogram.bucketOf(1e9)).toBe(BUCKET_COUNT - 1);
    expect(LatencyHistogram.edges(0)).toEqual([0, 0.01]);
  });

  test("every value lies in (lower, upper] of its bucket, and buckets are 2% wide", () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const ms = random.logNormal(20, 2);
      const [lower, upper] = LatencyHistogram.edges(LatencyHistogram.bucketOf(ms));
      expect(lower).toBeLessThan(ms);
      expect(ms).toBeLessThanOrEqual(upper * (1 + 1e-12));
    }
    const [lower, upper] = LatencyHistogram.edges(400);
    expect(upper / lower).toBeCloseTo(1.02, 12);
    expect(LatencyHistogram.edges(401)[0]).toBeCloseTo(upper, 12);
  });
});

describe("LatencyHistogram quantiles", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  const histogram = histogramOf(values);

  test("the quantile is the bucket of the ⌈p·n⌉-th value, reported by its edges or middle", () => {
    const [lower, upper] = LatencyHistogram.edges(LatencyHistogram.bucketOf(95));
    expect(histogram.quantile(0.95, "lower")).toBe(lower);
    expect(histogram.quantile(0.95, "upper")).toBe(upper);
    expect(histogram.quantile(0.95)).toBeCloseTo(Math.sqrt(lower * upper), 12);
    expect(histogram.quantile(0.5, "lower")).toBeLessThan(50);
    expect(histogram.quantile(0.5, "upper")).toBeGreaterThanOrEqual(50);
    expect(new LatencyHistogram().quantile(0.5)).toBeUndefined();
  });

  test("bucketsAt reads several levels in one pass, as quantile would", () => {
    const levels = [0, 0.1, 0.5, 0.95, 0.99, 1];
    const buckets = histogram.bucketsAt(levels);
    levels.forEach((level, i) => {
      expect(LatencyHistogram.valueOf(buckets[i]!, "upper")).toBe(histogram.quantile(level, "upper"));
      expect(LatencyHistogram.valueOf(buckets[i]!, "mid")).toBe(histogram.quantile(level, "mid"));
    });
    expect(new LatencyHistogram().bucketsAt([0.5, 0.9])).toEqual([-1, -1]);
  });
});

describe("LatencyHistogram windows", () => {
  test("since gives what was recorded after the earlier snapshot", () => {
    const cumulative = histogramOf([5, 10, 20]);
    const earlier = LatencyHistogram.fromSnapshot(cumulative.snapshot());
    cumulative.record(10, 2);
    cumulative.record(400);
    const window = cumulative.since(earlier);
    expect(window.count).toBe(3);
    expect(window.sumMs).toBe(420);
    expect(window.snapshot().buckets).toEqual([
      [LatencyHistogram.bucketOf(10), 2],
      [LatencyHistogram.bucketOf(400), 1],
    ]);
  });

  test("snapshot and fromSnapshot round-trip", () => {
    const histogram = histogramOf([0.001, 1, 1, 3.5, 250, 1e7]);
    const snapshot = histogram.snapshot();
    expect(snapshot.count).toBe(6);
    expect(snapshot.buckets[0]).toEqual([0, 1]);
    expect(LatencyHistogram.fromSnapshot(snapshot).snapshot()).toEqual(snapshot);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  test("advanceTo adds the same difference as since and moves forward; a reset changes nothing", () => {
    const source = histogramOf([1, 2, 3]);
    const previous = LatencyHistogram.fromSnapshot(source.snapshot());
    source.record(2);
    source.record(90, 3);
    const expected = source.since(previous);
    const window = new LatencyHistogram();
    expect(previous.advanceTo(source.snapshot(), window)).toBe(true);
    expect(window.snapshot()).toEqual(expected.snapshot());
    expect(previous.snapshot()).toEqual(source.snapshot());

    const restarted = histogramOf([2]);
    expect(previous.advanceTo(restarted.snapshot(), window)).toBe(false);
    expect(window.snapshot()).toEqual(expected.snapshot());
    expect(previous.snapshot()).toEqual(source.snapshot());
  });
});

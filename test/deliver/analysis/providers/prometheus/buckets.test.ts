import { describe, expect, test } from "vitest";
import { BUCKET_COUNT, LatencyHistogram } from "../../../../../src/deliver/analysis/histogram.js";
import { histogramFromBuckets } from "../../../../../src/deliver/analysis/providers/prometheus/buckets.js";
import type { SeriesTotal } from "../../../../../src/deliver/analysis/providers/prometheus/counter-totals.js";

/** Cumulative `le` counts of one histogram series set, as Prometheus exposes them. */
const buckets = (counts: Record<string, number>, extra: Record<string, string> = {}): SeriesTotal[] =>
  Object.entries(counts).map(([le, total]) => ({ labels: { le, ...extra }, total }));

describe("histogramFromBuckets: Prometheus le buckets as the analysis histogram", () => {
  test("each source bucket's count sits at its upper bound, and the bounds travel with it", () => {
    const snapshot = histogramFromBuckets(
      buckets({ "0.005": 10, "0.01": 30, "0.025": 30, "0.05": 35, "+Inf": 36 }),
      { unit: "seconds", sum: 0.9 },
    );
    expect(snapshot.count).toBe(36);
    expect(snapshot.sumMs).toBeCloseTo(900, 9);
    expect(snapshot.buckets).toEqual([
      [LatencyHistogram.bucketOf(5), 10],
      [LatencyHistogram.bucketOf(10), 20],
      [LatencyHistogram.bucketOf(50), 5],
      [BUCKET_COUNT - 1, 1],
    ]);
    expect(snapshot.boundsMs).toEqual([5, 10, 25, 50]);
  });

  test("series of several instances and routes add up per le", () => {
    const snapshot = histogramFromBuckets(
      [
        ...buckets({ "0.1": 4, "1": 6, "+Inf": 6 }, { instance: "a" }),
        ...buckets({ "0.1": 1, "1": 3, "+Inf": 4 }, { instance: "b" }),
      ],
      { unit: "seconds", sum: 0 },
    );
    expect(snapshot.count).toBe(10);
    expect(snapshot.buckets).toEqual([
      [LatencyHistogram.bucketOf(100), 5],
      [LatencyHistogram.bucketOf(1000), 4],
      [BUCKET_COUNT - 1, 1],
    ]);
  });

  test("millisecond histograms are read as such", () => {
    const snapshot = histogramFromBuckets(buckets({ "5": 2, "50": 3, "+Inf": 3 }), {
      unit: "milliseconds",
      sum: 40,
    });
    expect(snapshot.boundsMs).toEqual([5, 50]);
    expect(snapshot.sumMs).toBe(40);
    expect(snapshot.buckets).toEqual([
      [LatencyHistogram.bucketOf(5), 2],
      [LatencyHistogram.bucketOf(50), 1],
    ]);
  });

  test("a step below zero (a reset seen in one le series only) counts as none", () => {
    const snapshot = histogramFromBuckets(buckets({ "0.1": 9, "1": 7, "+Inf": 12 }), {
      unit: "seconds",
      sum: 0,
    });
    expect(snapshot.buckets).toEqual([
      [LatencyHistogram.bucketOf(100), 9],
      [BUCKET_COUNT - 1, 3],
    ]);
    expect(snapshot.count).toBe(12);
  });

  test("a series without an le label is a configuration error, named", () => {
    expect(() =>
      histogramFromBuckets([{ labels: { route: "/" }, total: 3 }], { unit: "seconds", sum: 0 }),
    ).toThrow(/no readable le label.*_bucket series/);
  });

  test("the quantiles the analysis reads are valid bounds at the source's resolution", () => {
    const histogram = LatencyHistogram.fromSnapshot(
      histogramFromBuckets(buckets({ "0.01": 10, "0.025": 90, "0.05": 100, "+Inf": 100 }), {
        unit: "seconds",
        sum: 0,
      }),
    );
    // The 95th value lies in (25 ms, 50 ms]: nothing finer is known.
    const p95 = histogram.bucketsAt([0.95])[0]!;
    expect(histogram.knownAbove(p95)).toBe(25);
    expect(LatencyHistogram.valueOf(p95, "upper")).toBeGreaterThanOrEqual(50);
  });
});

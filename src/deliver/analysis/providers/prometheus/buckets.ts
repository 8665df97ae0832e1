/**
 * A Prometheus histogram's `le` buckets as the analysis's HistogramSnapshot.
 *
 * Prometheus keeps a few cumulative buckets (`le` = "at most"); the analysis histogram has 830
 * buckets 2% wide. Every value of the source bucket (a, b] is recorded at b, the only value
 * known to be at least as large, and the snapshot carries the source bounds (`boundsMs`) so the
 * latency test takes a for the lower bound of a quantile: both bounds stay valid, at the
 * source's resolution. Nothing is interpolated: linear interpolation inside a bucket (what
 * `histogram_quantile` does) is a guess, and a guess cannot back an anytime-valid bound.
 * Values above the largest finite bound (the `+Inf` bucket) go to the overflow bucket, which
 * leaves a quantile that falls there unbounded above.
 */
import { BUCKET_COUNT, type HistogramSnapshot, LatencyHistogram } from "../../histogram.js";
import type { SeriesTotal } from "./counter-totals.js";

export const MS_PER_UNIT = { seconds: 1000, milliseconds: 1 } as const;
export type LatencyUnit = keyof typeof MS_PER_UNIT;

/**
 * Builds the snapshot from each bucket series' increase since the baseline. Series of several
 * instances (or routes) that share an `le` add up. Throws for a series without a readable `le`.
 */
export function histogramFromBuckets(
  buckets: readonly SeriesTotal[],
  options: { unit: LatencyUnit; sum: number },
): HistogramSnapshot {
  const byBound = new Map<number, number>();
  for (const { labels, total } of buckets) {
    const le = parseBound(labels.le);
    if (le === undefined) {
      throw new Error(
        `a latency series has no readable le label (${JSON.stringify(labels.le ?? null)}): queries.latency must select a histogram's _bucket series`,
      );
    }
    byBound.set(le, (byBound.get(le) ?? 0) + total);
  }
  const scale = MS_PER_UNIT[options.unit];
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  let below = 0;
  let count = 0;
  for (const bound of bounds) {
    const cumulative = byBound.get(bound)!;
    // Each source bucket's own count is the step between cumulative counts; a step below zero
    // can only come from a reset seen in one series and not its neighbour, and counts as none.
    const own = Math.max(0, cumulative - below);
    below = Math.max(below, cumulative);
    if (own === 0) continue;
    const bucket = Number.isFinite(bound) ? LatencyHistogram.bucketOf(bound * scale) : BUCKET_COUNT - 1;
    counts.set(bucket, (counts.get(bucket) ?? 0) + own);
    count += own;
  }
  return {
    count,
    sumMs: Math.max(0, options.sum * scale),
    buckets: [...counts.entries()].sort(([a], [b]) => a - b),
    boundsMs: bounds.filter(Number.isFinite).map((bound) => bound * scale),
  };
}

function parseBound(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "+Inf" || text === "Inf" || text === "+inf") return Number.POSITIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) || text.trim() === "" ? undefined : value;
}

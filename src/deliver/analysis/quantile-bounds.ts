/**
 * Anytime-valid bounds of a latency quantile, from the rate of requests slower than a
 * threshold: the p-quantile is at most x once the share of requests above x is shown below
 * 1 − p, and above x once that share is shown above 1 − p (./confidence-sequence.ts). The
 * thresholds are the histogram's bucket edges. The checks are monotone in the threshold (a
 * higher one has fewer requests above it), so of all the thresholds only the one next to the
 * true quantile can err: the bounds hold at the level given, with no correction for the scan,
 * and a binary search finds them.
 *
 * The bounds assume each release's latencies are independent draws from one distribution over
 * the analysed window. A histogram read from a coarser source (a Prometheus histogram's `le`
 * buckets) records each value at its source bucket's upper bound: the upper bound stays valid
 * (a value is never above where it was recorded) and the lower bound drops to the source bound
 * below (`LatencyHistogram.knownAbove`).
 */
import { rateShown } from "./confidence-sequence.js";
import { BUCKET_COUNT, LatencyHistogram } from "./histogram.js";

/** Slow-request counts above each bucket: `above[j]` = samples in buckets after j. */
function countsAbove(histogram: LatencyHistogram): Float64Array {
  const above = new Float64Array(BUCKET_COUNT);
  let running = 0;
  for (let j = BUCKET_COUNT - 1; j >= 0; j--) {
    above[j] = running;
    running += histogram.counts[j]!;
  }
  return above;
}

/**
 * The smallest bucket edge the release's p-quantile is shown to be at or below, at `level`: ∞
 * while none is. "Shown fewer than 1 − p slower at edge j" only gets easier as j rises.
 */
export function quantileUpperBound(histogram: LatencyHistogram, p: number, level: number): number {
  const n = histogram.count;
  if (n <= 0) return Number.POSITIVE_INFINITY;
  const above = countsAbove(histogram);
  const shown = (j: number) => rateShown("below", n, above[j]!, 1 - p, level);
  let lo = 0;
  let hi = BUCKET_COUNT - 2;
  if (!shown(hi)) return Number.POSITIVE_INFINITY;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (shown(mid)) hi = mid;
    else lo = mid + 1;
  }
  return knownAtMost(histogram, lo);
}

/**
 * The largest value a sample in `bucket` can have: the bucket's upper edge or, from a coarser
 * source, the source bound inside the bucket that the values were recorded at.
 */
function knownAtMost(histogram: LatencyHistogram, bucket: number): number {
  const [lower, upper] = LatencyHistogram.edges(bucket);
  let atMost = upper;
  for (const bound of histogram.boundsMs ?? []) if (bound > lower && bound <= upper) atMost = bound;
  return atMost;
}

/**
 * The largest value the release's p-quantile is shown to exceed, at `level`: 0 while none is.
 * A sample above bucket j is known to exceed `knownAbove(j + 1)` (the bucket's lower edge, or
 * the coarser source's bound below it), so that is the threshold the count is exact for.
 */
export function quantileLowerBound(histogram: LatencyHistogram, p: number, level: number): number {
  const n = histogram.count;
  if (n <= 0) return 0;
  const above = countsAbove(histogram);
  const shown = (j: number) => rateShown("above", n, above[j]!, 1 - p, level);
  if (!shown(0)) return 0;
  let lo = 0;
  let hi = BUCKET_COUNT - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (shown(mid)) lo = mid;
    else hi = mid - 1;
  }
  return histogram.knownAbove(lo + 1);
}

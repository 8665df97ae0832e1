/**
 * A latency histogram with log-spaced buckets: every recorded value lands in a bucket whose
 * upper edge is at most 2% above its lower edge, from 10 µs to about two minutes. Counts are
 * cumulative and mergeable, so the router keeps one per release and the analysis subtracts
 * two snapshots to get a window.
 */
const MIN_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Bucket 0 holds everything at or below MIN_MS; the last bucket everything above the range. */
export const BUCKET_COUNT = 830;

/** What a histogram looks like on the wire: sparse `[bucket, count]` pairs, ascending. */
export interface HistogramSnapshot {
  count: number;
  /** Sum of the recorded values in milliseconds, for the mean. */
  sumMs: number;
  buckets: Array<[number, number]>;
  /**
   * Set when the source measured coarser than these buckets (a Prometheus histogram): the upper
   * bounds of its buckets in milliseconds, ascending. Each value was recorded at the upper bound
   * of the source bucket that held it, so it is known only to lie above the bound before that.
   */
  boundsMs?: number[];
}

export type QuantileSide = "lower" | "upper" | "mid";

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKET_COUNT);
  count = 0;
  sumMs = 0;
  /** The source's coarser bucket bounds, when it had them (see `HistogramSnapshot.boundsMs`). */
  boundsMs: readonly number[] | undefined;

  static bucketOf(ms: number): number {
    if (!(ms > MIN_MS)) return 0;
    const index = Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
    return index >= BUCKET_COUNT ? BUCKET_COUNT - 1 : index;
  }

  /** The bucket's range `(lower, upper]` in milliseconds. */
  static edges(bucket: number): [number, number] {
    if (bucket <= 0) return [0, MIN_MS];
    return [MIN_MS * GROWTH ** (bucket - 1), MIN_MS * GROWTH ** bucket];
  }

  static fromSnapshot(snapshot: HistogramSnapshot): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bucket, n] of snapshot.buckets) histogram.counts[bucket] = n;
    histogram.count = snapshot.count;
    histogram.sumMs = snapshot.sumMs;
    histogram.boundsMs = snapshot.boundsMs;
    return histogram;
  }

  record(ms: number, times = 1): void {
    this.counts[LatencyHistogram.bucketOf(ms)]! += times;
    this.count += times;
    this.sumMs += ms * times;
  }

  /** `this - earlier`: the values recorded since `earlier` was taken of the same histogram. */
  since(earlier: LatencyHistogram): LatencyHistogram {
    const window = new LatencyHistogram();
    for (let i = 0; i < BUCKET_COUNT; i++)
      window.counts[i] = Math.max(0, this.counts[i]! - earlier.counts[i]!);
    window.count = Math.max(0, this.count - earlier.count);
    window.sumMs = Math.max(0, this.sumMs - earlier.sumMs);
    return window;
  }

  /**
   * The p-quantile (0 < p ≤ 1): the bucket holding the ⌈p·n⌉-th smallest value, reported as
   * that bucket's lower edge, upper edge or geometric middle. `undefined` when empty.
   */
  quantile(p: number, side: QuantileSide = "mid"): number | undefined {
    if (this.count === 0) return undefined;
    const clamped = Math.min(1, Math.max(0, p));
    const rank = Math.max(1, Math.ceil(clamped * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return LatencyHistogram.valueOf(i, side);
    }
    return LatencyHistogram.edges(BUCKET_COUNT - 1)[1];
  }

  /**
   * The buckets holding the ⌈p·n⌉-th smallest value for several levels p (ascending) in one
   * pass; -1 for each when empty. `quantile` reports an edge of the same bucket; the analysis
   * reads five levels of each release after every measurement.
   */
  bucketsAt(levels: readonly number[]): number[] {
    const out = levels.map(() => -1);
    if (this.count === 0) return out;
    let seen = 0;
    let next = 0;
    for (let i = 0; i < BUCKET_COUNT && next < levels.length; i++) {
      seen += this.counts[i]!;
      while (
        next < levels.length &&
        seen >= Math.max(1, Math.ceil(Math.min(1, Math.max(0, levels[next]!)) * this.count))
      )
        out[next++] = i;
    }
    for (; next < levels.length; next++) out[next] = BUCKET_COUNT - 1;
    return out;
  }

  /**
   * The largest value every sample in `bucket` is known to exceed: the bucket's lower edge or,
   * when the source measured coarser (`boundsMs`), the source bound below that edge, since a
   * value recorded at a source bucket's upper bound may have been anywhere above the bound
   * before it. What an anytime-valid lower bound of a quantile must use.
   */
  knownAbove(bucket: number): number {
    const edge = LatencyHistogram.valueOf(bucket, "lower");
    if (!this.boundsMs) return edge;
    let below = 0;
    for (const bound of this.boundsMs) {
      if (bound >= edge) break;
      below = bound;
    }
    return below;
  }

  /** A bucket's value as `quantile` reports it for `side`. */
  static valueOf(bucket: number, side: QuantileSide): number {
    const [lower, upper] = LatencyHistogram.edges(bucket);
    if (side === "lower") return lower;
    if (side === "upper") return upper;
    return bucket === 0 ? upper : Math.sqrt(lower * upper);
  }

  /**
   * Moves this cumulative histogram forward to `later`, a later snapshot of the same
   * histogram, and adds what was recorded in between to `window`: the same difference as
   * `fromSnapshot(later).since(this)`, touching only the snapshot's non-empty buckets, which is
   * what keeps the analysis cheap at one measurement every 250 ms. Returns false, changing
   * nothing, when a count went down (the source restarted and counts from zero again).
   */
  advanceTo(later: HistogramSnapshot, window: LatencyHistogram): boolean {
    if (later.count < this.count) return false;
    for (const [bucket, n] of later.buckets) if (n < this.counts[bucket]!) return false;
    for (const [bucket, n] of later.buckets) {
      const delta = n - this.counts[bucket]!;
      if (delta === 0) continue;
      window.counts[bucket]! += delta;
      this.counts[bucket] = n;
    }
    window.count += later.count - this.count;
    window.sumMs += Math.max(0, later.sumMs - this.sumMs);
    this.count = later.count;
    this.sumMs = later.sumMs;
    return true;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKET_COUNT; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return {
      count: this.count,
      sumMs: this.sumMs,
      buckets,
      ...(this.boundsMs && { boundsMs: [...this.boundsMs] }),
    };
  }
}

/**
 * What the analysis keeps of one release: its last cumulative counters (to diff the next
 * measurement against) and the totals of the analysed window since the baseline.
 */
import { LatencyHistogram } from "./histogram.js";
import type { IntervalCounts, ReleaseCounters, WindowFigures } from "./types.js";

const FIGURE_QUANTILES = [0.5, 0.95, 0.99] as const;

export class ReleaseWindow {
  requests = 0;
  errors = 0;
  /** Latencies of the whole window: the sum of every interval since the baseline. */
  readonly latency = new LatencyHistogram();
  private previousRequests: number;
  private previousErrors: number;
  /** The last cumulative histogram, moved forward by each measurement. */
  private previousLatency: LatencyHistogram;

  /** `baseline`: the first counters seen; the window starts there. */
  constructor(baseline: ReleaseCounters) {
    this.previousRequests = baseline.requests;
    this.previousErrors = baseline.errors;
    this.previousLatency = LatencyHistogram.fromSnapshot(baseline.latency);
    this.latency.boundsMs = baseline.latency.boundsMs;
  }

  /**
   * The interval's counts since the previous counters, added to the window (its latencies go
   * straight into the window histogram). Counters that went down (the source restarted and
   * began again from zero) give no interval: they become the new reference and `undefined` is
   * returned.
   */
  advance(counters: ReleaseCounters): IntervalCounts | undefined {
    const restarted =
      counters.requests < this.previousRequests ||
      counters.errors < this.previousErrors ||
      !this.previousLatency.advanceTo(counters.latency, this.latency);
    const interval = {
      requests: counters.requests - this.previousRequests,
      errors: counters.errors - this.previousErrors,
    };
    this.previousRequests = counters.requests;
    this.previousErrors = counters.errors;
    this.latency.boundsMs = counters.latency.boundsMs;
    if (restarted) {
      this.previousLatency = LatencyHistogram.fromSnapshot(counters.latency);
      return undefined;
    }
    this.requests += interval.requests;
    this.errors += interval.errors;
    return interval;
  }

  figures(): WindowFigures {
    const figures: WindowFigures = {
      requests: this.requests,
      errors: this.errors,
      errorRate: this.requests > 0 ? this.errors / this.requests : 0,
    };
    if (this.latency.count === 0) return figures;
    const [p50, p95, p99] = this.latency.bucketsAt(FIGURE_QUANTILES);
    figures.p50Ms = LatencyHistogram.valueOf(p50!, "mid");
    figures.p95Ms = LatencyHistogram.valueOf(p95!, "mid");
    figures.p99Ms = LatencyHistogram.valueOf(p99!, "mid");
    return figures;
  }
}

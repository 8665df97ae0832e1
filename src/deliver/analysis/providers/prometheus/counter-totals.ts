/**
 * Counts since a baseline, rebuilt from raw samples, series by series, across counter resets.
 *
 * Why not PromQL's `increase()`: it extrapolates to the ends of its range, so it answers
 * fractions, can go down from one evaluation to the next, and drops the first sample of a
 * series born inside the range (a canary's first errors). Why not a raw `sum(...)`: one
 * restarted instance lowers the sum, which reads as a reset of the whole release. So every
 * series is followed on its own, exactly as Prometheus's own reset rule does it (a value below
 * the previous one means the counter restarted from zero), and the totals it keeps only grow:
 * cumulative counters the analysis can subtract.
 */
import type { Sample, Series } from "./client.js";

interface SeriesState {
  labels: Record<string, string>;
  /** Timestamp of the last sample taken in: samples at or before it were counted already. */
  lastAt: number;
  lastValue: number;
  /** Increase since the baseline. */
  total: number;
}

export interface SeriesTotal {
  labels: Record<string, string>;
  total: number;
}

/** The set of series one query template selects for one release, followed sample by sample. */
export class CounterTotals {
  private readonly series = new Map<string, SeriesState>();
  /** Evaluation time (seconds) of the last query taken in. */
  queriedAt: number | undefined;
  /** The smallest gap seen between two samples of one series: the scrape interval, as observed. */
  spacingSeconds: number | undefined;

  /**
   * Takes in a query's answer (evaluated at `at`). A `baseline` answer sets where counting
   * starts: each series as it stands, nothing counted. After it, every sample newer than its
   * series' last one adds its increase, or its whole value when it is lower than the last one
   * (the counter restarted from zero); a series first seen after the baseline began at zero
   * since then (a new instance, a status code answered for the first time), so its first value
   * counts whole. Samples already taken in (query ranges overlap so that samples written late
   * are not missed) are skipped.
   */
  absorb(answer: readonly Series[], options: { at: number; baseline: boolean }): void {
    if (options.baseline) this.series.clear();
    for (const { labels, samples } of answer) {
      const last = samples.at(-1);
      if (!last) continue;
      this.observeSpacing(samples);
      const key = seriesKey(labels);
      if (options.baseline) {
        this.series.set(key, { labels, lastAt: last.at, lastValue: last.value, total: 0 });
        continue;
      }
      let state = this.series.get(key);
      for (const sample of samples) {
        if (!state) {
          state = { labels, lastAt: sample.at, lastValue: sample.value, total: sample.value };
          this.series.set(key, state);
          continue;
        }
        if (sample.at <= state.lastAt) continue;
        state.total += sample.value >= state.lastValue ? sample.value - state.lastValue : sample.value;
        state.lastAt = sample.at;
        state.lastValue = sample.value;
      }
    }
    this.queriedAt = options.at;
  }

  private observeSpacing(samples: readonly Sample[]): void {
    for (let i = 1; i < samples.length; i++) {
      const gap = samples[i]!.at - samples[i - 1]!.at;
      if (gap > 0 && (this.spacingSeconds === undefined || gap < this.spacingSeconds))
        this.spacingSeconds = gap;
    }
  }

  /** Every series seen so far with its increase since the baseline. */
  totals(): SeriesTotal[] {
    return [...this.series.values()].map(({ labels, total }) => ({ labels, total }));
  }

  /** The timestamp of the newest sample of any series, or undefined before any. */
  newestSampleAt(): number | undefined {
    let newest: number | undefined;
    for (const state of this.series.values())
      if (newest === undefined || state.lastAt > newest) newest = state.lastAt;
    return newest;
  }

  get seriesCount(): number {
    return this.series.size;
  }
}

/** A series' identity: its labels, metric name included, in a fixed order. */
export function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

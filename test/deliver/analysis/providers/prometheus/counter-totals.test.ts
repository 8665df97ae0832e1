import { describe, expect, test } from "vitest";
import type { Series } from "../../../../../src/deliver/analysis/providers/prometheus/client.js";
import {
  CounterTotals,
  seriesKey,
} from "../../../../../src/deliver/analysis/providers/prometheus/counter-totals.js";

const instance = (port: number, status = "200") => ({
  __name__: "http_requests_total",
  instance: `127.0.0.1:${port}`,
  status,
});

/** One series' samples from `[time, value]` pairs. */
const series = (labels: Record<string, string>, ...points: Array<[number, number]>): Series => ({
  labels,
  samples: points.map(([at, value]) => ({ at, value })),
});

const totalOf = (totals: CounterTotals) => totals.totals().reduce((sum, s) => sum + s.total, 0);

describe("CounterTotals: increases since the baseline, series by series", () => {
  test("the baseline counts nothing; later samples add their increases", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 500], [11, 520], [12, 540])], { at: 12, baseline: true });
    expect(totalOf(totals)).toBe(0);
    totals.absorb([series(instance(1), [12, 540], [13, 560], [14, 575])], { at: 14, baseline: false });
    expect(totalOf(totals)).toBe(35);
  });

  test("samples already taken in are skipped when query ranges overlap", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 100])], { at: 10, baseline: true });
    totals.absorb([series(instance(1), [10, 100], [11, 110])], { at: 11, baseline: false });
    totals.absorb([series(instance(1), [10, 100], [11, 110], [12, 130])], { at: 12, baseline: false });
    expect(totalOf(totals)).toBe(30);
  });

  test("a counter that goes down restarted from zero: its new value counts whole (Prometheus's reset rule)", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 1000])], { at: 10, baseline: true });
    totals.absorb([series(instance(1), [11, 1040], [12, 7], [13, 19])], { at: 13, baseline: false });
    // 40 before the restart, then 7 and 12 after it: never the 1,000 the raw counter lost.
    expect(totalOf(totals)).toBe(59);
  });

  test("one instance restarting does not read as a reset of the release (the sum would drop)", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 5000]), series(instance(2), [10, 5000])], {
      at: 10,
      baseline: true,
    });
    totals.absorb([series(instance(1), [11, 5050]), series(instance(2), [11, 3])], {
      at: 11,
      baseline: false,
    });
    expect(totalOf(totals)).toBe(53);
  });

  test("a series first seen after the baseline started at zero: a first 5xx, a new instance", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 90])], { at: 10, baseline: true });
    totals.absorb([series(instance(1), [11, 99]), series(instance(1, "500"), [11, 1])], {
      at: 11,
      baseline: false,
    });
    totals.absorb([series(instance(3), [12, 4], [13, 9])], { at: 13, baseline: false });
    expect(totals.totals().map((s) => [s.labels.instance, s.labels.status, s.total])).toEqual([
      ["127.0.0.1:1", "200", 9],
      ["127.0.0.1:1", "500", 1],
      ["127.0.0.1:3", "200", 9],
    ]);
  });

  test("a scrape gap loses nothing: the increase across it is counted when samples resume", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 100])], { at: 10, baseline: true });
    totals.absorb([], { at: 20, baseline: false });
    totals.absorb([series(instance(1), [30, 400])], { at: 30, baseline: false });
    expect(totalOf(totals)).toBe(300);
  });

  test("totals only grow, so two of them can be subtracted", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [0, 0])], { at: 0, baseline: true });
    let previous = 0;
    let value = 0;
    for (let t = 1; t <= 200; t++) {
      // Restarts every 37 s.
      value = t % 37 === 0 ? 1 : value + (t % 5);
      totals.absorb([series(instance(1), [t - 1, Number.NaN], [t, value])].map(withoutNaN), {
        at: t,
        baseline: false,
      });
      const total = totalOf(totals);
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
  });

  test("a second baseline starts over", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 100])], { at: 10, baseline: true });
    totals.absorb([series(instance(1), [11, 150])], { at: 11, baseline: false });
    totals.absorb([series(instance(1), [12, 170])], { at: 12, baseline: true });
    expect(totalOf(totals)).toBe(0);
  });

  test("keeps the scrape interval it sees and the newest sample's time", () => {
    const totals = new CounterTotals();
    totals.absorb([series(instance(1), [10, 1], [12, 2], [13, 3]), series(instance(2), [11, 1], [15, 2])], {
      at: 15,
      baseline: true,
    });
    expect(totals.spacingSeconds).toBe(1);
    expect(totals.newestSampleAt()).toBe(15);
    expect(totals.queriedAt).toBe(15);
  });

  test("a series is its labels, whatever their order", () => {
    expect(seriesKey({ a: "1", b: "2" })).toBe(seriesKey({ b: "2", a: "1" }));
    expect(seriesKey({ a: "1" })).not.toBe(seriesKey({ a: "2" }));
  });
});

function withoutNaN(s: Series): Series {
  return { ...s, samples: s.samples.filter((sample) => Number.isFinite(sample.value)) };
}

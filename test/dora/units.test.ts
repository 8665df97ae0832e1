import { describe, expect, it } from "vitest";
import { parseEvents } from "../../src/dora/events-file.js";
import { resolvePeriod } from "../../src/dora/period.js";
import { median, percentile } from "../../src/dora/stats.js";
import { classify, loadTierTable, lowestTier } from "../../src/dora/tiers.js";

describe("statistics", () => {
  it("median of odd and even samples", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("p90 is the nearest rank, an observed value", () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    // n = 10: rank ceil(9) = 9th; n = 11: rank ceil(9.9) = 10th.
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });
});

describe("tiers (2024 levels)", () => {
  const table = loadTierTable();

  it("names its report, year and section, and marks what is unverified", () => {
    expect(table.year).toBe(2024);
    expect(table.report).toBe("Accelerate State of DevOps Report");
    expect(table.section).toMatch(/performance levels/);
    expect(table.metrics.changeFailureRate.tiers.medium.verified).toBe(false);
    for (const metric of Object.values(table.metrics)) {
      for (const tier of Object.values(metric.tiers)) {
        if (!tier.verified) expect(tier.note).toBeTruthy();
        for (const source of tier.sources) expect(table.sources[source]).toBeTruthy();
      }
    }
  });

  it("deployment frequency: more than once a day is elite; once a day is high", () => {
    const m = table.metrics.deploymentFrequency;
    expect(classify(m, 1.01).tier).toBe("elite");
    expect(classify(m, 1).tier).toBe("high");
    expect(classify(m, 1 / 7).tier).toBe("high");
    expect(classify(m, 1 / 8).tier).toBe("medium");
    expect(classify(m, 1 / 30).tier).toBe("medium");
    expect(classify(m, 1 / 31).tier).toBe("low");
    expect(classify(m, 1 / 400)).toEqual({ tier: "low", beyondRange: true });
  });

  it("lead time: under a day elite, a day to a week high, up to a month medium", () => {
    const m = table.metrics.leadTime;
    expect(classify(m, 23.9).tier).toBe("elite");
    expect(classify(m, 24).tier).toBe("high");
    expect(classify(m, 168).tier).toBe("high");
    expect(classify(m, 169).tier).toBe("medium");
    expect(classify(m, 721).tier).toBe("low");
  });

  it("change failure rate: the best level met; medium (10%) is below high (20%) in 2024", () => {
    const m = table.metrics.changeFailureRate;
    expect(classify(m, 0.05).tier).toBe("elite");
    expect(classify(m, 0.08).tier).toBe("high");
    expect(classify(m, 0.2).tier).toBe("high");
    expect(classify(m, 0.21).tier).toBe("low");
    expect(classify(m, 0.41)).toEqual({ tier: "low", beyondRange: true });
  });

  it("recovery time: under an hour elite, under a day high, then low", () => {
    const m = table.metrics.recoveryTime;
    expect(classify(m, 0.99).tier).toBe("elite");
    expect(classify(m, 1).tier).toBe("high");
    expect(classify(m, 24).tier).toBe("low");
    expect(classify(m, 721)).toEqual({ tier: "low", beyondRange: true });
  });

  it("the overall tier is the lowest known", () => {
    expect(lowestTier(["elite", "medium", null, "high"])).toBe("medium");
    expect(lowestTier([null, null])).toBeNull();
  });
});

describe("period", () => {
  const now = new Date("2024-06-30T12:00:00Z");

  it("defaults to the 90 days before now", () => {
    const p = resolvePeriod({ now });
    expect(p.untilMs).toBe(now.getTime());
    expect(p.untilMs - p.sinceMs).toBe(90 * 86_400_000);
  });

  it("rejects a period that ends before it starts, and a malformed date", () => {
    expect(() => resolvePeriod({ since: "2024-07-01", until: "2024-06-01", now })).toThrow(/not before/);
    expect(() => resolvePeriod({ since: "last week", now })).toThrow(/invalid --since/);
  });
});

describe("events file", () => {
  it("parses deployments and incidents and skips blank lines", () => {
    const events = parseEvents(
      [
        '{"type":"deployment","id":"a","env":"production","at":"2024-03-01T10:00:00+01:00","startedAt":"2024-03-01T08:30:00Z","commit":"abc1234","status":"rolled_back","hotfix":false}',
        "",
        '{"type":"incident","env":"production","start":"2024-03-01T09:00:00Z","deployment":"a"}',
      ].join("\n"),
      "e.jsonl",
    );
    expect(events.deployments).toEqual([
      {
        id: "a",
        env: "production",
        kind: "deploy",
        status: "rolled_back",
        finishedMs: Date.parse("2024-03-01T09:00:00Z"),
        startedMs: Date.parse("2024-03-01T08:30:00Z"),
        commit: "abc1234",
        hotfix: false,
        source: "events",
      },
    ]);
    expect(events.incidents).toEqual([
      { env: "production", startMs: Date.parse("2024-03-01T09:00:00Z"), deploymentId: "a" },
    ]);
  });

  it("rejects unknown fields at their column", () => {
    expect(() =>
      parseEvents('{"type":"incident","env":"production","start":"2024-03-01T09:00:00Z","sev":1}', "e.jsonl"),
    ).toThrow(/Unrecognized key/);
    try {
      parseEvents('{"type":"incident","env":"production","start":"2024-03-01T09:00:00Z","sev":1}', "e.jsonl");
    } catch (error) {
      expect((error as { diagnostics: Array<{ location: unknown }> }).diagnostics[0]!.location).toEqual({
        file: "e.jsonl",
        line: 1,
        column: '{"type":"incident","env":"production","start":"2024-03-01T09:00:00Z",'.length + 1,
      });
    }
  });
});

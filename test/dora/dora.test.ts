import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeDora } from "../../src/dora/index.js";
import type { ComputeDoraOptions, DoraReport } from "../../src/dora/types.js";
import { buildScenario, type Scenario } from "./support/scenario.js";

const H = 1;
/** One second, in hours. */
const SECOND = 1 / 3600;

let scenario: Scenario;
let report: DoraReport;

/** The scenario's ledger and git history, with the imported events.jsonl. */
const withEvents = (options: ComputeDoraOptions) =>
  computeDora({ cwd: scenario.dir, eventsFile: "events.jsonl", ...options });

beforeAll(async () => {
  scenario = await buildScenario();
  report = await withEvents({
    since: "2024-03-01",
    until: "2024-03-10", // a bare --until includes the day: the period is [Mar 1, Mar 11), 10 days
  });
});

afterAll(async () => {
  await rm(scenario.dir, { recursive: true, force: true });
});

describe("computeDora over the whole scenario", () => {
  it("reads both sources and the production environment", () => {
    expect(report.env).toBe("production");
    expect(report.period).toEqual({
      since: "2024-03-01T00:00:00.000Z",
      until: "2024-03-11T00:00:00.000Z",
      days: 10,
    });
    expect(report.sources).toEqual({
      ledgerDeployments: 9,
      importedDeployments: 4,
      importedIncidents: 2,
      git: true,
    });
    expect(report.hotfixWindowHours).toBe(24);
  });

  it("deployment frequency: successful deploys per day, and the gaps between them", () => {
    const df = report.deploymentFrequency;
    // Successes: d0 d1 d2 d3 d4 d5 d7 d9 d10 d11 d12 (d6 failed, d8 rolled back).
    expect(df.count).toBe(11);
    expect(df.perDay).toBeCloseTo(11 / 10);
    expect(df.perWeek).toBeCloseTo((11 / 10) * 7);
    // Gaps in hours: d0→d1 12-2=10, d1→d2 (24+10)-12=22, d2→d3 24, d3→d4 (24+6)-10=20,
    // d4→d5 3, d5→d7 (24+4)-9=19, d7→d9 (48+1)-4=45, d9→d10 24, d10→d11 24, d11→d12 24h 1s.
    // Sorted: 3 10 19 20 22 24 24 24 24+1s 45: median (22+24)/2 = 23; p90 = rank ceil(0.9·10) = 9th.
    expect(df.intervalHours.n).toBe(10);
    expect(df.intervalHours.median).toBeCloseTo(23);
    expect(df.intervalHours.p90).toBeCloseTo(24 + SECOND, 6);
    // 1.1 a day is more than once a day: "on demand".
    expect(df.tier).toBe("elite");
  });

  it("lead time follows merges, rebases and squash merges", () => {
    const lt = report.leadTime;
    // d1 (Mar 1 12:00): merge m1, change began at a1 06:00 → 6h.
    // d2 (Mar 2 10:00): rebased b1' (authored 01:00) → 9h, b2' (03:00) → 7h.
    // d3 (Mar 3 10:00): d1 direct 06:00 → 4h; squash S1 matched to feature-c, c1 at 00:00 → 10h.
    // d4 (Mar 4 06:00): squash S2, branch deleted → its own time 05:00 → 1h (fallback).
    // d5 (Mar 4 09:00): hf 08:00 → 1h.      d7 (Mar 5 04:00): f 00:00 → 4h.
    // d9 (Mar 7 01:00): g (Mar 6 00:00, rolled back with d8) → 25h, h 00:00 → 1h.
    // d10 (Mar 8 01:00): revert Mar 7 20:00 → 5h.   d11 (Mar 9 01:00): i 00:00 → 1h.
    // d12 (Mar 10 01:00:01): hi Mar 9 10:00 → 15h 1s.
    const samples = [6, 9, 7, 4, 10, 1, 1, 4, 25, 1, 5, 1, 15 + SECOND].sort((a, b) => a - b);
    // Sorted: 1 1 1 1 4 4 5 6 7 9 10 15+1s 25: median is the 7th = 5; p90 rank ceil(11.7) = 12th.
    expect(lt.hours.n).toBe(samples.length);
    expect(lt.hours.median).toBeCloseTo(samples[6]!);
    expect(lt.hours.median).toBeCloseTo(5 * H);
    expect(lt.hours.p90).toBeCloseTo(15 + SECOND, 6);
    expect(lt.changes).toEqual({ direct: 8, rebased: 2, merge: 1, squash: 1, "squash-fallback": 1 });
    expect(lt.deployments).toBe(10);
    expect(lt.fallbackDeployments).toBe(1);
    // d0 is the first deployment: nothing to measure its change set from.
    expect(lt.unmeasured).toEqual({ noBaseline: 1, commitUnavailable: 0, noNewCommits: 0 });
    expect(lt.tier).toBe("elite");
  });

  it("change failure rate: failed, rolled back, incident and hotfixed deployments", () => {
    const cfr = report.changeFailureRate;
    // d4 hotfixed by d5 (3h later, "Hotfix:"); d6 failed; d7 named by an incident; d8 rolled
    // back; d9 reverted by d10 exactly 24h later (the window is inclusive). Not failures:
    // d1 → d2 within 22h (not a fix); d11 → d12 is a fix but 24h 1s later, outside the window.
    expect(cfr.n).toBe(13);
    expect(cfr.failures).toBe(5);
    expect(cfr.rate).toBeCloseTo(5 / 13);
    expect(cfr.byKind).toEqual({ failed: 1, rolled_back: 1, rollback: 0, hotfix: 2, incident: 1 });
    expect(report.failures.map((f) => f.deploymentId)).toEqual(["d4", "d6", "d7", "d8", "d9"]);
    // 38% is above high's 20% and within low's 40%.
    expect(cfr.tier).toBe("low");
  });

  it("recovery time per failure kind", () => {
    const rt = report.recoveryTime;
    // d4 live 06:00 → hotfix live 09:00 = 3h; d6 failed 02:00 → d7 live 04:00 = 2h;
    // d7 incident 06:00 → 07:30 = 1.5h; d8 started 01:00 → rolled back 01:30 = 0.5h;
    // d9 live Mar 7 01:00 → revert live Mar 8 01:00 = 24h.
    // Sorted 0.5 1.5 2 3 24: median 2, p90 rank ceil(4.5) = 5th = 24.
    expect(rt.hours).toEqual({ median: 2, p90: 24, n: 5 });
    expect(rt.open).toBe(0);
    expect(rt.unknown).toBe(0);
    expect(rt.tier).toBe("high");
  });

  it("rework rate counts the hotfix and revert deployments, and says what it could not judge", () => {
    // Fixes: d5 (Hotfix:), d10 (Revert), d12 (hotfix:). d0 has no change set to read: unknown.
    expect(report.reworkRate).toEqual({
      rate: 3 / 13,
      rework: 3,
      n: 13,
      unknown: 1,
      note: "a lower bound: 1 of 13 deployments could not be judged",
    });
  });

  it("overall tier is the lowest of the four, named with its report", () => {
    expect(report.overall.tier).toBe("low");
    expect(report.overall.metrics).toEqual([
      "deploymentFrequency",
      "leadTime",
      "changeFailureRate",
      "recoveryTime",
    ]);
    expect(report.tiers.year).toBe(2024);
    expect(report.tiers.report).toBe("Accelerate State of DevOps Report");
    expect(report.tiers.unverified).toEqual([
      "changeFailureRate.medium",
      "changeFailureRate.low",
      "recoveryTime.high",
      "recoveryTime.medium",
      "recoveryTime.low",
    ]);
    expect(report.unattributedIncidents).toBe(1);
  });
});

describe("computeDora filters", () => {
  it("--since/--until keep the deployments that ended in the period, judged on the whole history", async () => {
    const r = await withEvents({ since: "2024-03-05", until: "2024-03-07" });
    // [Mar 5, Mar 8): d6 d7 d8 d9; d10 (Mar 8 01:00) is outside but still marks d9 as reverted.
    expect(r.period.days).toBe(3);
    expect(r.deploymentFrequency.count).toBe(2);
    expect(r.deploymentFrequency.perDay).toBeCloseTo(2 / 3);
    expect(r.deploymentFrequency.tier).toBe("high");
    expect(r.deploymentFrequency.intervalHours).toEqual({ median: 45, p90: 45, n: 1 });
    // d7: 4h; d9: 25h and 1h. Sorted 1 4 25: median 4, p90 rank ceil(2.7) = 3rd = 25.
    expect(r.leadTime.hours).toEqual({ median: 4, p90: 25, n: 3 });
    expect(r.changeFailureRate).toMatchObject({ rate: 1, failures: 4, n: 4, tier: "low", beyondRange: true });
    // 0.5 1.5 2 24: median (1.5+2)/2, p90 rank ceil(3.6) = 4th.
    expect(r.recoveryTime.hours).toEqual({ median: 1.75, p90: 24, n: 4 });
    expect(r.reworkRate).toEqual({ rate: 0, rework: 0, n: 4, unknown: 0 });
  });

  it("a span since is counted back from until", async () => {
    const r = await computeDora({ cwd: scenario.dir, since: "36h", until: "2024-03-10T02:00:00Z" });
    expect(r.period.since).toBe("2024-03-08T14:00:00.000Z");
    // Only ledger deployments (no --events): d11 (Mar 9 01:00) and d12 (Mar 10 01:00:01).
    expect(r.deploymentFrequency.count).toBe(2);
  });

  it("--env measures another environment", async () => {
    const r = await withEvents({ env: "staging", since: "2024-03-01", until: "2024-03-10" });
    expect(r.env).toBe("staging");
    expect(r.deploymentFrequency.count).toBe(1);
    expect(r.leadTime.hours).toEqual({ median: null, p90: null, n: 0 });
    expect(r.leadTime.unmeasured.noBaseline).toBe(1);
    expect(r.changeFailureRate.rate).toBe(0);
  });

  it("an empty period has no figures and no tier, not NaN", async () => {
    const r = await withEvents({ since: "2023-01-01", until: "2023-01-31" });
    expect(r.deploymentFrequency).toMatchObject({ count: 0, perDay: null, perWeek: null, tier: null });
    expect(r.leadTime.hours).toEqual({ median: null, p90: null, n: 0 });
    expect(r.changeFailureRate).toMatchObject({ rate: null, n: 0, tier: null });
    expect(r.recoveryTime.hours).toEqual({ median: null, p90: null, n: 0 });
    expect(r.reworkRate.rate).toBeNull();
    expect(r.overall).toMatchObject({ tier: null, metrics: [] });
    expect(JSON.stringify(r)).not.toContain("NaN");
  });

  it("an unknown environment is bad input", async () => {
    await expect(computeDora({ cwd: scenario.dir, env: "prod" })).rejects.toMatchObject({
      exitCode: 2,
      code: "dora/unknown-environment",
    });
  });
});

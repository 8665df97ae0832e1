import { describe, expect, test } from "vitest";
import { type CanaryScenario, runAnalysis, simulateCanary } from "../../../src/deliver/analysis/simulate.js";

const LATENCY = { medianMs: 20, sigma: 0.5 };
const HEALTHY = { errorRate: 0.01, latency: LATENCY };

const AA: CanaryScenario = {
  totalRps: 200,
  canaryWeights: [0.1, 0.5, 1],
  stepSeconds: 10,
  canary: HEALTHY,
  stable: HEALTHY,
  limits: { maxErrorRate: 0.05, maxLatencyRatio: 1.5 },
};

describe("simulateCanary", () => {
  test("reports cumulative counters every interval, between step starts and ends", () => {
    const events = [...simulateCanary({ ...AA, stepSeconds: 2 }, 1)];
    expect(events.slice(0, 2).map((e) => e.kind)).toEqual(["step-start", "measurement"]);
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === "step-start")).toHaveLength(3);
    expect(kinds.filter((k) => k === "measurement")).toHaveLength(1 + 3 * 8);
    const last = events.filter((e) => e.kind === "measurement").at(-1)!;
    expect(last.atMs).toBe(6000);
    if (last.kind !== "measurement" || !last.measurement.ok) throw new Error("expected counters");
    const { canary, stable } = last.measurement.releases;
    const total = canary!.requests + stable!.requests;
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThan(1400);
    expect(canary!.latency.count).toBe(canary!.requests);
  });

  test("is deterministic for a seed", () => {
    expect(runAnalysis(AA, 5)).toEqual(runAnalysis(AA, 5));
  });
});

describe("runAnalysis: validity", () => {
  test("A/A with the share changing inside steps and a shared incident: false alarms stay under α", () => {
    // α = 0.1 here so that a few hundred runs can show the rate is below it.
    const scenario: CanaryScenario = {
      ...AA,
      canaryWeights: [0.05, 0.4, 0.9],
      weightChanges: [{ atMs: 15_300, canaryWeight: 0.2 }],
      sharedErrorSpikes: [{ fromMs: 12_000, toMs: 18_000, errorRate: 0.04 }],
      limits: { ...AA.limits, alpha: 0.1 },
    };
    const runs = 150;
    let fails = 0;
    for (let seed = 0; seed < runs; seed++) if (runAnalysis(scenario, seed).decision === "fail") fails++;
    expect(fails / runs).toBeLessThan(0.1);
  });

  test("changing ρ: incidents while the canary had most traffic do not count against it", () => {
    // Pooled over the whole run the canary's error rate is several times the stable's; per
    // interval, at the share in force, the two are equal.
    const scenario: CanaryScenario = {
      ...AA,
      canaryWeights: [0.05, 0.9],
      stepSeconds: 30,
      canary: { errorRate: 0.001, latency: LATENCY },
      stable: { errorRate: 0.001, latency: LATENCY },
      sharedErrorSpikes: [{ fromMs: 30_000, toMs: 60_000, errorRate: 0.03 }],
      limits: { ...AA.limits, maxErrorRate: 0.1 },
    };
    for (let seed = 0; seed < 5; seed++) {
      const run = runAnalysis(scenario, seed);
      expect(run.decision).toBe("pass");
      expect(run.verdict.canary.errorRate / run.verdict.stable.errorRate).toBeGreaterThan(3);
    }
  });
});

describe("runAnalysis: power and holds", () => {
  test("a canary at 5% errors against 0.1%, 50 canary req/s, fails within 10 s", () => {
    const scenario: CanaryScenario = {
      ...AA,
      totalRps: 500,
      canaryWeights: [0.1],
      stepSeconds: 60,
      canary: { errorRate: 0.05, latency: LATENCY },
      stable: { errorRate: 0.001, latency: LATENCY },
    };
    for (let seed = 0; seed < 10; seed++) {
      const run = runAnalysis(scenario, seed);
      expect(run.decision).toBe("fail");
      expect(run.atMs).toBeLessThan(10_000);
      expect(run.verdict.reason).toMatch(/^error-rate-(relative|absolute) failed/);
    }
  });

  test("a canary twice as slow at p95 fails on latency before the rollout ends", () => {
    const scenario: CanaryScenario = {
      ...AA,
      stepSeconds: 60,
      canary: { errorRate: 0.01, latency: { medianMs: 40, sigma: 0.5 } },
    };
    const run = runAnalysis(scenario, 2);
    expect(run.decision).toBe("fail");
    expect(run.verdict.reason).toMatch(/^latency-p95 failed/);
    expect(run.verdict.tests[2]!.estimate).toBeCloseTo(2, 0);
  });

  test("a provider outage holds the rollout at the third failed measurement", () => {
    const run = runAnalysis({ ...AA, providerOutages: [{ fromMs: 4000, toMs: 9000 }] }, 1);
    expect(run).toMatchObject({ decision: "inconclusive", atMs: 4500 });
    expect(run.verdict.reason).toContain("metrics backend timed out");
  });

  test("a step with too little canary traffic is inconclusive", () => {
    const run = runAnalysis({ ...AA, totalRps: 20 }, 1);
    expect(run.decision).toBe("inconclusive");
    expect(run.atMs).toBe(10_000);
    expect(run.verdict.reason).toMatch(/canary received \d+ requests in this step/);
  });
});

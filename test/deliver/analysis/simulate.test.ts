import { describe, expect, test } from "vitest";
import {
  type CanaryScenario,
  runAnalysis,
  runRollout,
  TrafficSimulation,
} from "../../../src/deliver/analysis/simulate.js";

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

describe("TrafficSimulation", () => {
  test("serves Poisson traffic at the share in force, and counts the canary's true harm", () => {
    const traffic = new TrafficSimulation({ ...AA, canary: { errorRate: 0.05, latency: LATENCY } }, 1);
    traffic.setWeight(0.25);
    traffic.advanceTo(60_000);
    const measurement = traffic.measure();
    if (!measurement.ok) throw new Error("expected counters");
    const { canary, stable } = measurement.releases;
    const total = canary!.requests + stable!.requests;
    expect(total).toBeGreaterThan(11_000);
    expect(total).toBeLessThan(13_000);
    expect(canary!.requests / total).toBeCloseTo(0.25, 1);
    expect(canary!.latency.count).toBe(canary!.requests);
    // Excess errors: canary errors minus what the stable release's 1% would have produced.
    expect(traffic.harm.excessErrors).toBeCloseTo(canary!.errors - 0.01 * canary!.requests, 6);
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
      // Enough traffic that the first step shows the canary safe at its least length, so the
      // incident comes while the canary has 90% of the traffic.
      totalRps: 1000,
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

  test("a provider outage holds the step, and the rollout goes on when the provider answers again", () => {
    const busy: CanaryScenario = { ...AA, totalRps: 3000, canaryWeights: [0.1, 0.5] };
    const plain = runRollout(busy, 1);
    expect(plain.outcome).toBe("promoted");
    const interrupted = runRollout({ ...busy, providerOutages: [{ fromMs: 4000, toMs: 12_000 }] }, 1);
    expect(interrupted.outcome).toBe("promoted");
    expect(interrupted.atMs).toBeGreaterThanOrEqual(12_000);
    // An outage longer than the longest hold rolls back as inconclusive, naming the provider.
    const down = runAnalysis({ ...busy, providerOutages: [{ fromMs: 4000, toMs: 60_000 }] }, 1);
    expect(down).toMatchObject({ decision: "inconclusive", atMs: 30_000 });
    expect(down.verdict.reason).toContain("metrics backend timed out");
  });

  test("a step with too little traffic to show safety holds to its longest hold, then is inconclusive", () => {
    const run = runAnalysis({ ...AA, totalRps: 20 }, 1);
    expect(run.decision).toBe("inconclusive");
    expect(run.atMs).toBe(30_000);
    expect(run.verdict.reason).toMatch(/^no evidence yet that the canary is within the limits/);
  });
});

describe("runRollout: evidence to advance", () => {
  const ROLLOUT: CanaryScenario = {
    ...AA,
    canaryWeights: [0.1, 0.5],
    stepSeconds: 60,
    maxStepSeconds: 600,
    stable: { errorRate: 0.001, latency: LATENCY },
    canary: { errorRate: 0.001, latency: LATENCY },
    limits: { maxErrorRate: 0.02, maxLatencyRatio: 1.5 },
  };

  test("a healthy canary is promoted once its bounds are within the limits, not at the first step's end", () => {
    const runs = [1, 2, 3].map((seed) => runRollout(ROLLOUT, seed));
    for (const run of runs) {
      expect(run.outcome).toBe("promoted");
      expect(run.verdict?.evidence?.safe).toBe(true);
      expect(run.atMs).toBeGreaterThan(120_000);
      expect(run.atMs).toBeLessThan(540_000);
    }
  });

  test("a canary at 5% errors never reaches the second step, even at 20 req/s", () => {
    for (let seed = 0; seed < 10; seed++) {
      const run = runRollout(
        { ...ROLLOUT, totalRps: 20, canary: { errorRate: 0.05, latency: LATENCY } },
        seed,
      );
      expect(run.outcome).toBe("fail");
      expect(run.step).toBe(0);
      expect(run.maxWeight).toBe(0.1);
    }
  });

  test("a canary twice as bad as stable (2% against 1%) is not promoted", () => {
    for (let seed = 0; seed < 5; seed++) {
      const run = runRollout(
        {
          ...ROLLOUT,
          stable: { errorRate: 0.01, latency: LATENCY },
          canary: { errorRate: 0.02, latency: LATENCY },
          limits: { maxErrorRate: 0.05, maxLatencyRatio: 1.5 },
        },
        seed,
      );
      expect(run.outcome).not.toBe("promoted");
    }
  });
});

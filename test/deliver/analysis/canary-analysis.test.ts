import { describe, expect, test } from "vitest";
import { createCanaryAnalysis } from "../../../src/deliver/analysis/canary-analysis.js";
import { LatencyHistogram } from "../../../src/deliver/analysis/histogram.js";
import { releaseCounters } from "../../../src/deliver/analysis/simulate.js";
import type { AnalysisLimits, Measurement, ReleaseCounters } from "../../../src/deliver/analysis/types.js";

const LIMITS: AnalysisLimits = { maxErrorRate: 0.05, maxLatencyRatio: 1.5 };

/** Cumulative counters of one release, as a router keeps them. */
class Release {
  private requests = 0;
  private errors = 0;
  private readonly latency = new LatencyHistogram();

  serve(requests: number, errors = 0, latencyMs = 10): this {
    this.requests += requests;
    this.errors += errors;
    this.latency.record(latencyMs, requests);
    return this;
  }

  counters(): ReleaseCounters {
    return releaseCounters(this.requests, this.errors, this.latency);
  }
}

function measured(at: number, canary: Release, stable: Release): Measurement {
  return { ok: true, at, releases: { c: canary.counters(), s: stable.counters() } };
}

function failedMeasurement(at: number): Measurement {
  return { ok: false, at, error: "prometheus: 503 Service Unavailable" };
}

describe("createCanaryAnalysis: the window", () => {
  test("the first measurement is the baseline: counts before it are not analysed", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const canary = new Release().serve(500, 400);
    const stable = new Release().serve(5000, 0);
    const baseline = analysis.observe(measured(1000, canary, stable), "c", "s");
    expect(baseline.decision).toBe("continue");
    expect(baseline.reason).toContain("baseline");
    expect(baseline.canary).toEqual({ requests: 0, errors: 0, errorRate: 0 });
    const next = analysis.observe(measured(1250, canary.serve(10), stable.serve(90)), "c", "s");
    expect(next.decision).toBe("continue");
    expect(next.canary).toMatchObject({ requests: 10, errors: 0, errorRate: 0 });
    expect(next.stable.requests).toBe(90);
    expect(next.canary.p95Ms).toBeCloseTo(10, 0);
    expect(next.elapsedMs).toBe(250);
  });

  test("α is split in three, and each test's figures say so", () => {
    const verdict = createCanaryAnalysis({ ...LIMITS, alpha: 0.03 }).observe(
      measured(0, new Release(), new Release()),
      "c",
      "s",
    );
    expect(verdict.tests.map((t) => t.name)).toEqual([
      "error-rate-relative",
      "error-rate-absolute",
      "latency-p95",
    ]);
    for (const figures of verdict.tests) expect(figures.alpha).toBeCloseTo(0.01, 12);
    expect(verdict.tests[0]!.threshold).toBeCloseTo(100, 9);
  });

  test("counters that go down are a new reference, not negative traffic", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    analysis.observe(measured(0, new Release().serve(100), new Release().serve(100)), "c", "s");
    const verdict = analysis.observe(measured(250, new Release().serve(5), new Release().serve(5)), "c", "s");
    expect(verdict.reason).toContain("restarted");
    expect(verdict.canary.requests).toBe(0);
  });
});

describe("createCanaryAnalysis: decisions", () => {
  test("a canary failing one request in four fails at once, naming the test and its numbers", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    let verdict = analysis.observe(measured(250, canary, stable), "c", "s");
    for (let at = 500; verdict.decision === "continue" && at < 20_000; at += 250)
      verdict = analysis.observe(measured(at, canary.serve(4, 1), stable.serve(36, 0)), "c", "s");
    expect(verdict.decision).toBe("fail");
    expect(verdict.reason).toMatch(/error-rate-(relative|absolute) failed: canary \d+\/\d+ \([\d.]+%\)/);
    expect(verdict.reason).toMatch(/e-value [\d.e+]+ reached 300/);
    expect(verdict.elapsedMs).toBeLessThan(5000);
    // The decision stands: later measurements and the step's end return the same verdict.
    expect(analysis.observe(measured(30_000, canary.serve(1000), stable.serve(1000)), "c", "s")).toBe(
      verdict,
    );
    expect(analysis.conclude()).toBe(verdict);
  });

  test("a canary ten times slower fails on latency with both p95 bounds in the reason", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    let verdict = analysis.observe(measured(1, canary, stable), "c", "s");
    for (let at = 1000; verdict.decision === "continue" && at < 600_000; at += 1000) {
      for (const ms of [5, 6, 7, 8, 100]) stable.serve(20, 0, ms);
      for (const ms of [50, 60, 70, 80, 1000]) canary.serve(4, 0, ms);
      verdict = analysis.observe(measured(at, canary, stable), "c", "s");
    }
    expect(verdict.decision).toBe("fail");
    expect(verdict.reason).toMatch(
      /^latency-p95 failed: canary p95 ≥ [\d.]+ ms .* vs stable p95 ≤ [\d.]+ ms/,
    );
  });

  test("three provider errors in a row are inconclusive with the provider's error; an answer resumes", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    expect(analysis.observe(failedMeasurement(250), "c", "s").decision).toBe("continue");
    expect(analysis.observe(failedMeasurement(500), "c", "s").reason).toContain("2 of 3");
    const third = analysis.observe(failedMeasurement(750), "c", "s");
    expect(third.decision).toBe("inconclusive");
    expect(third.reason).toContain("prometheus: 503 Service Unavailable");
    expect(analysis.conclude().decision).toBe("inconclusive");
    const resumed = analysis.observe(measured(1000, canary.serve(60), stable.serve(60)), "c", "s");
    expect(resumed.decision).toBe("continue");
    expect(resumed.canary.requests).toBe(60);
    // A blip after the resume starts counting from one again.
    expect(analysis.observe(failedMeasurement(1250), "c", "s").decision).toBe("continue");
    expect(analysis.observe(measured(1500, canary, stable), "c", "s").decision).toBe("continue");
    expect(analysis.conclude().reason).toContain("no evidence yet");
  });

  test("an answer without a release's counters counts as a provider error", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const missing: Measurement = { ok: true, at: 0, releases: { s: new Release().counters() } };
    analysis.observe(missing, "c", "s");
    analysis.observe(missing, "c", "s");
    const verdict = analysis.observe(missing, "c", "s");
    expect(verdict.decision).toBe("inconclusive");
    expect(verdict.reason).toContain("no counters for release c");
  });

  test("a step with fewer than minRequests canary requests is inconclusive, with the counts", () => {
    const analysis = createCanaryAnalysis(LIMITS);
    const canary = new Release();
    const stable = new Release();
    analysis.beginStep();
    analysis.observe(measured(0, canary.serve(1000), stable.serve(1000)), "c", "s");
    analysis.observe(measured(250, canary.serve(30), stable.serve(270)), "c", "s");
    const short = analysis.conclude();
    expect(short.decision).toBe("inconclusive");
    expect(short.reason).toContain("canary received 30 requests in this step (stable 270)");
    expect(short.reason).toContain("50 needed");
    analysis.observe(measured(500, canary.serve(3000), stable.serve(27_000)), "c", "s");
    expect(analysis.conclude().decision).toBe("pass");
    // A new step counts from zero, but the evidence carries over.
    const before = analysis.observe(measured(750, canary.serve(10, 1), stable.serve(10)), "c", "s");
    analysis.beginStep();
    expect(analysis.conclude().reason).toContain("canary received 0 requests");
    const after = analysis.observe(measured(1000, canary, stable), "c", "s");
    expect(after.tests[0]!.statistic).toBe(before.tests[0]!.statistic);
    expect(after.canary.requests).toBe(3040);
  });

  test("minRequests is configurable, and conclude before any measurement is inconclusive", () => {
    const analysis = createCanaryAnalysis({ ...LIMITS, minRequests: 5 });
    expect(analysis.conclude().reason).toContain("no measurement");
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    analysis.observe(measured(250, canary.serve(3000), stable.serve(27_000)), "c", "s");
    analysis.beginStep();
    analysis.observe(measured(500, canary.serve(4), stable.serve(36)), "c", "s");
    expect(analysis.conclude().reason).toContain("fewer than the 5 needed");
    analysis.observe(measured(750, canary.serve(1), stable.serve(9)), "c", "s");
    expect(analysis.conclude().decision).toBe("pass");
  });

  test("a step passes only on evidence of safety: a clean canary holds until its bounds are within the limits", () => {
    const analysis = createCanaryAnalysis({ maxErrorRate: 0.01, maxLatencyRatio: 1.5 });
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    analysis.observe(measured(250, canary.serve(200), stable.serve(1800)), "c", "s");
    // 200 requests without an error: the canary's error rate could still be above 1%.
    const early = analysis.conclude();
    expect(early.decision).toBe("inconclusive");
    expect(early.reason).toMatch(
      /^no evidence yet that the canary is within the limits \(β 0\.05\): canary error rate at most [\d.]+%/,
    );
    expect(early.evidence?.checks.find((c) => c.name === "error-rate-absolute")?.met).toBe(false);
    let at = 500;
    let verdict = early;
    while (verdict.decision !== "pass" && at < 100_000) {
      at += 250;
      analysis.observe(measured(at, canary.serve(100), stable.serve(900)), "c", "s");
      verdict = analysis.conclude();
    }
    expect(verdict.decision).toBe("pass");
    expect(verdict.evidence?.safe).toBe(true);
    expect(verdict.evidence?.checks.map((c) => c.met)).toEqual([true, true, true]);
    // Zero errors: the relative allowance is 0.2 × 1%, so the bound must fall below 0.2%.
    expect(verdict.canary.requests).toBeGreaterThan(1000);
    expect(verdict.canary.requests).toBeLessThan(5000);
    expect(verdict.reason).toContain("shown within the limits");
  });

  test("harm: canary errors beyond the stable rate of each interval, per step and in total", () => {
    const analysis = createCanaryAnalysis({ ...LIMITS, maxErrorRate: 0.5, errorTolerance: 100 });
    const canary = new Release();
    const stable = new Release();
    analysis.observe(measured(0, canary, stable), "c", "s");
    analysis.beginStep();
    // 100 canary requests with 5 errors while stable fails 1%: 5 − 100 × 0.01 = 4 excess.
    let verdict = analysis.observe(measured(250, canary.serve(100, 5), stable.serve(900, 9)), "c", "s");
    expect(verdict.harm.step).toEqual({ canaryRequests: 100, canaryErrors: 5, excessErrors: 4 });
    // Stable at 2% in the next interval: 3 − 100 × 0.02 = 1 more.
    verdict = analysis.observe(measured(500, canary.serve(100, 3), stable.serve(500, 10)), "c", "s");
    expect(verdict.harm.step.excessErrors).toBeCloseTo(5, 9);
    analysis.beginStep();
    // A canary better than stable owes negative excess: 0 − 100 × 0.02.
    verdict = analysis.observe(measured(750, canary.serve(100, 0), stable.serve(100, 2)), "c", "s");
    expect(verdict.harm.step).toEqual({ canaryRequests: 100, canaryErrors: 0, excessErrors: -2 });
    expect(verdict.harm.total.canaryRequests).toBe(300);
    expect(verdict.harm.total.canaryErrors).toBe(8);
    expect(verdict.harm.total.excessErrors).toBeCloseTo(3, 9);
  });

  test("invalid limits are refused", () => {
    expect(() => createCanaryAnalysis({ ...LIMITS, alpha: 0 })).toThrow(/alpha/);
    expect(() => createCanaryAnalysis({ ...LIMITS, beta: 1 })).toThrow(/beta/);
    expect(() => createCanaryAnalysis({ ...LIMITS, maxLatencyRatio: 0 })).toThrow(/maxLatencyRatio/);
  });
});

import { describe, expect, test } from "vitest";
import { estimatePromotionTime } from "../../../src/deliver/analysis/promotion-time.js";

const LIMITS = { maxErrorRate: 0.01, maxLatencyRatio: 1.5 };

describe("estimatePromotionTime", () => {
  test("at heavy traffic it stops at the rate that already promotes as fast as the steps allow", () => {
    const estimate = estimatePromotionTime({
      limits: LIMITS,
      weights: [0.1, 0.5],
      stepSeconds: 300,
      totalRps: 20_000,
    });
    expect(estimate).toMatchObject({ simulatedRps: 1000, runs: 7, promoted: 7, medianSeconds: 600 });
  });

  test("where that rate is not yet enough, the traffic given is simulated", () => {
    const input = { limits: LIMITS, weights: [0.1, 0.5], stepSeconds: 30, totalRps: 1500 };
    const estimate = estimatePromotionTime(input);
    expect(estimate.simulatedRps).toBe(1500);
    expect(estimate.medianSeconds).toBeGreaterThan(2 * 30);
  });

  test("light traffic: slower than the steps, and what did not promote within the holds is counted", () => {
    const estimate = estimatePromotionTime({
      limits: LIMITS,
      weights: [0.1, 0.5],
      stepSeconds: 60,
      totalRps: 20,
    });
    expect(estimate.simulatedRps).toBe(20);
    expect(estimate.runs).toBe(7);
    expect(estimate.promoted).toBeLessThan(7);
  });
});

import { describe, expect, it } from "vitest";
import { errorSplitFloor } from "../../../bench/deliver/analysis.js";
import {
  DEFAULT_ALPHA,
  DEFAULT_ERROR_TOLERANCE,
  RelativeErrorRateTest,
} from "../../../src/deliver/analysis/index.js";

/**
 * The bench's floor on the harm a test of the error split allows: checked against its own
 * arithmetic and against shipgate's relative test, which must not stop a canary sooner.
 */
describe("errorSplitFloor", () => {
  it("a 5% canary at a 10% share, α 0.01, tolerance 20%: three canary errors, 2.9 excess", () => {
    const floor = errorSplitFloor({ share: 0.1, canaryRate: 0.05, stableRate: 0.001 });
    expect(floor.canaryErrors).toBe(3);
    expect(floor.excessErrors).toBeCloseTo(3 * (1 - 0.001 / 0.05), 10);
    // Two canary errors in a row happen under the null more often than α allows; three do not.
    const theta0 = (0.1 * 1.2) / (0.1 * 1.2 + 0.9);
    expect(theta0 ** 2).toBeGreaterThan(DEFAULT_ALPHA);
    expect(theta0 ** 3).toBeLessThanOrEqual(DEFAULT_ALPHA);
  });

  it("a larger share needs more errors in a row", () => {
    const at = (share: number) =>
      errorSplitFloor({ share, canaryRate: 0.05, stableRate: 0.001 }).canaryErrors;
    expect(at(0.5)).toBeGreaterThan(at(0.1));
  });

  it("shipgate's relative test does not stop the canary before the floor", () => {
    const floor = errorSplitFloor({ share: 0.1, canaryRate: 0.05, stableRate: 0.001 });
    const test = new RelativeErrorRateTest({ tolerance: DEFAULT_ERROR_TOLERANCE, alpha: DEFAULT_ALPHA });
    for (let errors = 1; errors < floor.canaryErrors; errors++) {
      test.observe({ requests: 100, errors: 1 }, { requests: 900, errors: 0 });
      expect(test.failed).toBe(false);
    }
    // With errors only on the canary it does stop, a few errors later.
    for (let more = 0; more < 10 && !test.failed; more++) {
      test.observe({ requests: 100, errors: 1 }, { requests: 900, errors: 0 });
    }
    expect(test.failed).toBe(true);
  });
});

import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runDemo } from "../../src/demo/index.js";

describe("runDemo", () => {
  test("v1, then v2 by canary promoted, then v3 with errors rolled back; v2 serves; everything cleaned up", async () => {
    const lines: string[] = [];
    // The demo's own step length: with 2 s steps a 5% canary sometimes shows too few errors
    // (0 of 40 at 10%, 9 of 243 at 50%) for the anytime-valid test to reject in time.
    const result = await runDemo({ log: (l) => lines.push(l) });
    const text = lines.join("\n");
    expect(result.ok, text).toBe(true);
    const [v1, v2, v3] = result.outcomes;
    expect(v1?.deployment.status).toBe("succeeded");
    expect(v2?.deployment.status).toBe("succeeded");
    expect(v2?.deployment.strategy).toBe("canary");
    expect(v3?.deployment.status).toBe("rolled_back");
    expect(v3?.reason).toMatch(/error-rate/);
    expect(result.live).toBe(v2?.deployment.id);
    // Zero requests lost through three rollouts; the only 5xx are the bad canary's share.
    expect(result.load.sent).toBeGreaterThan(500);
    expect(result.load.failed).toBe(0);
    expect(result.chainOk).toBe(true);
    expect(text).toMatch(/init\s+detected node/);
    expect(text).toMatch(/generate\s+4 workflows/);
    expect(text).toMatch(/rolled\s+back: analyse/);
    expect(text).toMatch(/stop\s+agent stopped/);
    expect(existsSync(result.workDir)).toBe(false);
  }, 90_000);
});

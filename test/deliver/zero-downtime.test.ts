import { describe, expect, test } from "vitest";
import { startLoadProcess } from "./support/processes.js";
import { sampleProject } from "./support/project.js";

/**
 * Zero downtime, counted: a second process sends steady keep-alive traffic through the
 * router while a healthy release replaces the live one; every request must be answered 2xx.
 */
const STRATEGIES = {
  rolling: "rolling",
  "blue-green": "blue-green",
  canary: "{ canary: { steps: [20, 60], stepSeconds: 1, maxStepSeconds: 30 } }",
};

describe("zero downtime under continuous load from another process", () => {
  for (const [name, strategy] of Object.entries(STRATEGIES)) {
    test(`${name}: a healthy deploy loses no request`, async () => {
      const project = await sampleProject({
        strategy,
        instances: 3,
        // Limits the canary can be shown within in seconds at this traffic (docs/deliver.md); the
        // latency ratio is loose because loopback p95s of half a millisecond double with one
        // scheduling delay (see strategies.test.ts). This file tests lost requests, not latency.
        analysis: "{ minRequests: 10, maxErrorRate: 0.05, errorTolerance: 1, maxLatencyRatio: 5 }",
      });
      try {
        const v1 = await project.release({ version: "1.0.0" });
        expect((await project.deploy(v1)).ok).toBe(true);
        const v2 = await project.release({ version: "2.0.0" });
        const load = await startLoadProcess(project.url, 150);
        const outcome = await project.deploy(v2);
        await new Promise((r) => setTimeout(r, 500));
        const summary = await load.stop();
        expect(outcome.ok, outcome.reason).toBe(true);
        expect(summary.sent).toBeGreaterThan(150);
        expect(summary.failed, summary.failures.join("\n")).toBe(0);
        expect(summary.statuses).toEqual({ 200: summary.sent });
        // Both releases answered: the traffic really crossed the switch.
        expect(Object.keys(summary.versions).sort()).toEqual(["1.0.0", "2.0.0"]);
      } finally {
        await project.cleanup();
      }
    }, 60_000);
  }
});

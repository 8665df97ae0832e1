import { describe, expect, test } from "vitest";
import { rollbackSteps } from "../../../src/deliver/engine.js";
import { beginOf, describeStep, type Step } from "../../../src/deliver/steps.js";
import { blueGreen } from "../../../src/deliver/strategies/blue-green.js";
import { canary } from "../../../src/deliver/strategies/canary.js";
import { rolling } from "../../../src/deliver/strategies/rolling.js";

const input = { release: "p-2", artifactId: "app@2", stable: "p-1", instances: 3, smoke: true };
const kinds = (steps: Step[]) => steps.map((s) => s.kind);

describe("strategy plans", () => {
  test("an environment's first release is started, verified and switched on, whatever the strategy", () => {
    for (const strategy of [rolling, blueGreen, canary]) {
      const steps = strategy.plan(
        { ...input, stable: undefined },
        { keepPreviousMs: 0, steps: [10, 100], stepSeconds: 5 },
      );
      expect(kinds(steps)).toEqual(["begin", "start", "health", "smoke", "weights", "promote"]);
    }
  });

  test("rolling replaces one instance at a time, each health-gated, with traffic following the count", () => {
    const steps = rolling.plan(input, undefined);
    expect(steps.map(describeStep)).toEqual([
      "replace p-1 with p-2",
      "start 1 instance of p-2",
      "wait for p-2 to be healthy",
      "smoke-test p-2 before it takes traffic",
      "traffic p-2 33%, p-1 67%",
      "scale p-1 to 2",
      "scale p-2 to 2",
      "wait for p-2 to be healthy",
      "traffic p-2 67%, p-1 33%",
      "scale p-1 to 1",
      "scale p-2 to 3",
      "wait for p-2 to be healthy",
      "traffic p-2 100%",
      "p-2 is live",
      "drain and stop p-1",
    ]);
  });

  test("blue-green smoke-tests the whole new set before the switch and keeps the old one", () => {
    const steps = blueGreen.plan(input, { keepPreviousMs: 300_000 });
    expect(kinds(steps)).toEqual(["begin", "start", "health", "smoke", "weights", "promote", "stop"]);
    expect(steps.at(-1)).toEqual({ kind: "stop", release: "p-1", afterMs: 300_000 });
    expect(steps[1]).toEqual({ kind: "start", release: "p-2", instances: 3 });
  });

  test("canary analyses at every share below 100, then promotes and retires the old release", () => {
    const steps = canary.plan({ ...input, smoke: false }, { steps: [50, 10, 100, 10], stepSeconds: 30 });
    expect(steps.map(describeStep)).toEqual([
      "replace p-1 with p-2",
      "start 3 instances of p-2",
      "wait for p-2 to be healthy",
      "traffic p-2 10%, p-1 90%",
      "analyse p-2 at 10% against p-1 for 30s, holding up to 90s for evidence",
      "traffic p-2 50%, p-1 50%",
      "analyse p-2 at 50% against p-1 for 30s, holding up to 90s for evidence",
      "traffic p-2 100%",
      "p-2 is live",
      "drain and stop p-1",
    ]);
  });

  test("the way back restores the stable set before it takes traffic, then stops the new release", () => {
    const begin = beginOf(rolling.plan(input, undefined));
    expect(rollbackSteps(begin).map(describeStep)).toEqual([
      "scale p-1 to 3",
      "wait for p-1 to be healthy",
      "traffic p-1 100%",
      "drain and stop p-2",
    ]);
    expect(rollbackSteps({ ...begin, stable: undefined })).toEqual([{ kind: "stop", release: "p-2" }]);
  });

  test("a plan whose new release is the stable one never stops it", () => {
    const begin = { ...beginOf(rolling.plan(input, undefined)), release: "p-1" };
    expect(rollbackSteps(begin).map((s) => s.kind)).toEqual(["scale", "health", "weights"]);
  });
});

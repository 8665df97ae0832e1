import { describe, expect, it } from "vitest";
import type { DeploymentFact } from "../../src/dora/facts.js";
import { EnvironmentHistory } from "../../src/dora/history.js";

const HOUR = 3_600_000;

/**
 * Deployments whose `status` and `kind` count their reads: every neighbour lookup decides by
 * them, so the count is the work the lookups do, whatever the machine's speed.
 */
function countingFacts(statuses: ReadonlyArray<DeploymentFact["status"]>) {
  let reads = 0;
  const facts = statuses.map(
    (status, i) =>
      new Proxy<DeploymentFact>(
        { id: `d${i}`, env: "production", kind: "deploy", status, finishedMs: i * HOUR, source: "events" },
        {
          get(target, key, receiver) {
            if (key === "status" || key === "kind") reads++;
            return Reflect.get(target, key, receiver);
          },
        },
      ),
  );
  return { facts, reads: () => reads };
}

describe("neighbour lookups", () => {
  it("find the previous and next success and the next release to go live", () => {
    const { facts } = countingFacts(["succeeded", "failed", "rolled_back", "succeeded", "failed"]);
    const history = new EnvironmentHistory(facts, undefined);
    const [a, f1, r, b, f2] = facts as [DeploymentFact, ...DeploymentFact[]];
    expect(history.previousSuccess(b!)).toBe(a);
    expect(history.previousSuccess(a)).toBeUndefined();
    expect(history.nextSuccess(f1!)).toBe(b);
    expect(history.nextLive(r!)).toBe(b);
    expect(history.nextSuccess(b!)).toBeUndefined();
    expect(history.nextLive(f2!)).toBeUndefined();
  });

  it("a rollback goes live but is not a success", () => {
    const deploy = { id: "a", env: "production", finishedMs: 0, source: "events" } as const;
    const a: DeploymentFact = { ...deploy, kind: "deploy", status: "succeeded" };
    const back: DeploymentFact = {
      ...deploy,
      id: "b",
      finishedMs: HOUR,
      kind: "rollback",
      status: "succeeded",
    };
    const c: DeploymentFact = {
      ...deploy,
      id: "c",
      finishedMs: 2 * HOUR,
      kind: "deploy",
      status: "succeeded",
    };
    const history = new EnvironmentHistory([a, back, c], undefined);
    expect(history.nextLive(a)).toBe(back);
    expect(history.nextSuccess(a)).toBe(c);
    expect(history.previousSuccess(c)).toBe(a);
  });

  it.each([
    ["every deployment failed", () => "failed" as const],
    [
      "one success in a thousand",
      (i: number) => (i % 1000 === 999 ? ("succeeded" as const) : ("failed" as const)),
    ],
  ])("cost a constant per deployment, not one per earlier deployment: %s", (_, statusOf) => {
    const n = 4000;
    const { facts, reads } = countingFacts(Array.from({ length: n }, (_, i) => statusOf(i)));
    const history = new EnvironmentHistory(facts, undefined);
    for (const fact of facts) {
      history.previousSuccess(fact);
      history.nextSuccess(fact);
      history.nextLive(fact);
    }
    // A scan per lookup reads about n²/2 = 8,000,000 times here.
    expect(reads()).toBeLessThanOrEqual(8 * n);
  });
});

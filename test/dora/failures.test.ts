import { describe, expect, it } from "vitest";
import type { DeploymentFact, IncidentFact } from "../../src/dora/facts.js";
import { classifyFailure, firstIncidents } from "../../src/dora/failures.js";
import { EnvironmentHistory } from "../../src/dora/history.js";

const HOUR = 3_600_000;
const fact = (id: string, finishedHours: number, extra: Partial<DeploymentFact> = {}): DeploymentFact => ({
  id,
  env: "production",
  kind: "deploy",
  status: "succeeded",
  finishedMs: finishedHours * HOUR,
  source: "events",
  ...extra,
});

describe("failures without git (imported history)", () => {
  it("a `shipgate rollback` after a live deployment fails it: live to rollback complete", async () => {
    const a = fact("a", 10);
    const history = new EnvironmentHistory(
      [a, fact("r", 12.5, { kind: "rollback" }), fact("b", 20)],
      undefined,
    );
    expect(
      await classifyFailure({ fact: a, history, firstIncident: new Map(), hotfixWindowMs: 24 * HOUR }),
    ).toEqual({
      deployment: a,
      kind: "rollback",
      fromMs: 10 * HOUR,
      toMs: 12.5 * HOUR,
    });
  });

  it("the imported hotfix flag decides where there are no commits to read", async () => {
    const a = fact("a", 10);
    const b = fact("b", 11, { hotfix: true });
    const history = new EnvironmentHistory([a, b], undefined);
    expect(
      (await classifyFailure({ fact: a, history, firstIncident: new Map(), hotfixWindowMs: 24 * HOUR }))
        ?.kind,
    ).toBe("hotfix");
    expect(await history.isFix(a)).toBeUndefined();
  });

  it("a failure with no later success stays open; an imported rollback without startedAt has no start", async () => {
    const failed = fact("f", 5, { status: "failed" });
    const rolled = fact("r", 6, { status: "rolled_back" });
    const history = new EnvironmentHistory([failed, rolled], undefined);
    const opts = { history, firstIncident: new Map(), hotfixWindowMs: HOUR };
    expect(await classifyFailure({ fact: failed, ...opts })).toEqual({
      deployment: failed,
      kind: "failed",
      fromMs: 5 * HOUR,
    });
    expect(await classifyFailure({ fact: rolled, ...opts })).toEqual({
      deployment: rolled,
      kind: "rolled_back",
      toMs: 6 * HOUR,
    });
  });
});

describe("classifying a long history", () => {
  it("looks each deployment's incidents up, not through every incident", async () => {
    const n = 3000;
    let reads = 0;
    const facts = Array.from({ length: n }, (_, i) => fact(`d${i}`, i));
    const incidents = facts.map(
      (f) =>
        new Proxy<IncidentFact>(
          { env: "production", startMs: f.finishedMs, endMs: f.finishedMs + HOUR, deploymentId: f.id },
          {
            get(target, key, receiver) {
              if (key === "deploymentId") reads++;
              return Reflect.get(target, key, receiver);
            },
          },
        ),
    );
    const history = new EnvironmentHistory(facts, undefined);
    const options = { history, firstIncident: firstIncidents(incidents), hotfixWindowMs: HOUR };
    for (const f of facts) expect((await classifyFailure({ fact: f, ...options }))?.kind).toBe("incident");
    // Filtering every incident for every deployment reads n² = 9,000,000 times here.
    expect(reads).toBeLessThanOrEqual(4 * n);
  });
});

import { describe, expect, it } from "vitest";
import { isShipgateError } from "../../src/errors.js";
import { nextEvent } from "../../src/ledger/chain.js";
import type { Ledger } from "../../src/ledger/types.js";

/** A ledger to tamper with, and a way in that bypasses it. */
export interface TamperTarget {
  /** Opens the ledger (a new one each call, on the same data). */
  open(): Promise<Ledger>;
  /** Runs one statement through a connection of its own, as an attacker would; `?` placeholders. */
  execute(sql: string, params?: readonly unknown[]): Promise<void>;
}

/**
 * Tamper detection every implementation must show: edits, deletions and insertions made
 * directly in the database are reported by verifyChain with the seq they concern.
 */
export function describeTamperDetection(name: string, fresh: () => Promise<TamperTarget>): void {
  /** A closed ledger with deployment d1 holding events 1-5 (its newest is 5) and d2 none. */
  async function seeded(): Promise<TamperTarget> {
    const target = await fresh();
    const ledger = await target.open();
    await ledger.createDeployment(newDeployment("d1"));
    await ledger.createDeployment(newDeployment("d2"));
    for (let i = 0; i < 5; i++) {
      await ledger.appendEvent({ env: "production", deploymentId: "d1", type: "step.started", data: { i } });
    }
    await ledger.close();
    return target;
  }

  async function withLedger<T>(target: TamperTarget, use: (ledger: Ledger) => Promise<T>): Promise<T> {
    const ledger = await target.open();
    try {
      return await use(ledger);
    } finally {
      await ledger.close();
    }
  }

  const verify = (target: TamperTarget) => withLedger(target, (ledger) => ledger.verifyChain());

  describe(`${name} tampering`, () => {
    it("reports an edited event by its seq", async () => {
      const target = await seeded();
      await target.execute(`UPDATE events SET data = '{"i":99}' WHERE seq = 2`);
      const report = await verify(target);
      expect(report.ok).toBe(false);
      expect(report.events).toBe(5);
      expect(report.problems).toEqual([{ seq: 2, problem: expect.stringMatching(/hash mismatch/) }]);
    });

    it("reports data that is no longer JSON, and refuses to list it", async () => {
      const target = await seeded();
      await target.execute(`UPDATE events SET data = '{"i":' WHERE seq = 4`);
      expect((await verify(target)).problems).toEqual([
        { seq: 4, problem: expect.stringMatching(/not valid JSON/) },
      ]);
      const error = await withLedger(target, (ledger) => ledger.listEvents()).catch((e) => e);
      expect(isShipgateError(error) && error.code).toBe("ledger/corrupt");
    });

    it("reports a deleted middle event by its seq", async () => {
      const target = await seeded();
      await target.execute("DELETE FROM events WHERE seq = 3");
      const report = await verify(target);
      expect(report.events).toBe(4);
      expect(report.problems).toEqual([{ seq: 3, problem: expect.stringMatching(/event 3 is missing/) }]);
    });

    it("reports the deletion of a deployment's newest event, which the chain alone cannot show", async () => {
      const target = await seeded();
      await target.execute("DELETE FROM events WHERE seq = 5");
      const report = await verify(target);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        { seq: 5, problem: expect.stringMatching(/deployment d1 records event 5/) },
      ]);
    });

    it("reports an event inserted behind the ledger's back, even with a valid hash", async () => {
      const target = await seeded();
      const head = (await withLedger(target, (ledger) => ledger.listEvents())).at(-1)!;
      const forged = nextEvent(
        head,
        { env: "production", deploymentId: "d1", type: "deploy.succeeded" },
        head.at,
      );
      await target.execute(
        "INSERT INTO events (seq, env, deployment_id, type, data, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
          forged.seq,
          forged.env,
          forged.deploymentId,
          forged.type,
          "{}",
          forged.at,
          forged.prevHash,
          forged.hash,
        ],
      );
      expect((await verify(target)).problems).toEqual([
        { seq: 6, problem: expect.stringMatching(/outside the ledger/) },
      ]);
    });
  });
}

export function newDeployment(id: string) {
  return {
    id,
    env: "production",
    kind: "deploy" as const,
    artifactId: "app@1",
    strategy: "canary",
    requestedBy: "alice@example.com",
    plan: [{ step: "deploy" }],
  };
}

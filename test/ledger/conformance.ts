import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isShipgateError } from "../../src/errors.js";
import { GENESIS_HASH } from "../../src/ledger/chain.js";
import type { ArtifactRecord, Ledger, NewDeployment } from "../../src/ledger/types.js";

/**
 * The behaviour every Ledger implementation must have. Each test gets a fresh, empty ledger
 * from `open` and closes it afterwards. Time-dependent tests fake only `Date`, since the
 * implementations take lock and event times from Date.now().
 */
export function describeLedgerConformance(name: string, open: () => Promise<Ledger>): void {
  describe(`${name} conforms to Ledger`, () => {
    let ledger: Ledger;

    beforeEach(async () => {
      ledger = await open();
    });

    afterEach(async () => {
      vi.useRealTimers();
      await ledger.close();
    });

    describe("artifacts", () => {
      it("round-trips an artifact and returns undefined for an unknown id", async () => {
        const a = artifact("app@1");
        await ledger.putArtifact(a);
        expect(await ledger.getArtifact("app@1")).toEqual(a);
        expect(await ledger.getArtifact("app@missing")).toBeUndefined();
      });

      it("treats putting the same artifact again as a no-op", async () => {
        await ledger.putArtifact(artifact("app@1"));
        await ledger.putArtifact(artifact("app@1"));
        expect(await ledger.listArtifacts()).toHaveLength(1);
      });

      it("refuses a different digest under an existing id", async () => {
        await ledger.putArtifact(artifact("app@1"));
        const error = await ledger
          .putArtifact({ ...artifact("app@1"), digest: `sha256:${"b".repeat(64)}` })
          .catch((e) => e);
        expect(codeOf(error)).toBe("ledger/artifact-conflict");
        expect((await ledger.getArtifact("app@1"))?.digest).toBe(artifact("app@1").digest);
      });

      it("lists artifacts newest first, up to a limit", async () => {
        await ledger.putArtifact(artifact("app@1", "2030-01-01T00:00:01.000Z"));
        await ledger.putArtifact(artifact("app@3", "2030-01-01T00:00:03.000Z"));
        await ledger.putArtifact(artifact("app@2", "2030-01-01T00:00:02.000Z"));
        expect((await ledger.listArtifacts()).map((a) => a.id)).toEqual(["app@3", "app@2", "app@1"]);
        expect((await ledger.listArtifacts({ limit: 2 })).map((a) => a.id)).toEqual(["app@3", "app@2"]);
      });
    });

    describe("deployments", () => {
      it("creates a running deployment at step 0 and reads it back", async () => {
        const created = await ledger.createDeployment(deployment("d1", { previousId: "d0" }));
        expect(created).toMatchObject({
          id: "d1",
          env: "production",
          kind: "deploy",
          artifactId: "app@1",
          strategy: "canary",
          status: "running",
          requestedBy: "alice@example.com",
          previousId: "d0",
          plan: [{ step: "deploy", weight: 10 }, { step: "analyze" }],
          stepIndex: 0,
        });
        expect(Date.parse(created.createdAt)).not.toBeNaN();
        expect(created.finishedAt).toBeUndefined();
        expect(await ledger.getDeployment("d1")).toEqual(created);
        expect(await ledger.getDeployment("nope")).toBeUndefined();
      });

      it("refuses a second deployment with the same id", async () => {
        await ledger.createDeployment(deployment("d1"));
        expect(codeOf(await ledger.createDeployment(deployment("d1")).catch((e) => e))).toBe(
          "ledger/duplicate-deployment",
        );
      });

      it("updates only the patched fields", async () => {
        const created = await ledger.createDeployment(deployment("d1"));
        const stepped = await ledger.updateDeployment("d1", { stepIndex: 1 });
        expect(stepped).toEqual({ ...created, stepIndex: 1 });
        const finished = await ledger.updateDeployment("d1", {
          status: "rolled_back",
          stepIndex: 2,
          finishedAt: "2030-01-01T00:10:00.000Z",
          reason: "p99 latency 840 ms > 500 ms",
        });
        expect(finished).toEqual({
          ...created,
          status: "rolled_back",
          stepIndex: 2,
          finishedAt: "2030-01-01T00:10:00.000Z",
          reason: "p99 latency 840 ms > 500 ms",
        });
        expect(await ledger.getDeployment("d1")).toEqual(finished);
      });

      it("refuses to update an unknown deployment", async () => {
        const error = await ledger.updateDeployment("nope", { status: "failed" }).catch((e) => e);
        expect(codeOf(error)).toBe("ledger/unknown-deployment");
      });

      it("lists newest first by creation time, then by insertion order", async () => {
        vi.useFakeTimers({ toFake: ["Date"] });
        vi.setSystemTime(new Date("2030-01-01T00:00:05.000Z"));
        await ledger.createDeployment(deployment("late"));
        vi.setSystemTime(new Date("2030-01-01T00:00:01.000Z"));
        await ledger.createDeployment(deployment("early-a"));
        await ledger.createDeployment(deployment("early-b"));
        await ledger.createDeployment(deployment("early-c"));
        expect((await ledger.listDeployments()).map((d) => d.id)).toEqual([
          "late",
          "early-c",
          "early-b",
          "early-a",
        ]);
      });

      it("filters by environment and status, and limits", async () => {
        await ledger.createDeployment(deployment("s1", { env: "staging" }));
        await ledger.createDeployment(deployment("p1"));
        await ledger.createDeployment(deployment("p2"));
        await ledger.updateDeployment("p1", { status: "succeeded" });
        const ids = async (options: Parameters<Ledger["listDeployments"]>[0]) =>
          (await ledger.listDeployments(options)).map((d) => d.id);
        expect(await ids({ env: "production" })).toEqual(["p2", "p1"]);
        expect(await ids({ env: "staging" })).toEqual(["s1"]);
        expect(await ids({ status: "running" })).toEqual(["p2", "s1"]);
        expect(await ids({ env: "production", status: "succeeded" })).toEqual(["p1"]);
        expect(await ids({ limit: 1 })).toEqual(["p2"]);
        expect(await ids({ env: "qa" })).toEqual([]);
      });
    });

    describe("events", () => {
      it("numbers events from 1 and links each to the hash before it", async () => {
        await ledger.createDeployment(deployment("d1"));
        const first = await ledger.appendEvent({
          env: "production",
          deploymentId: "d1",
          type: "deploy.started",
        });
        const second = await ledger.appendEvent({
          env: "production",
          type: "lock.taken",
          data: { owner: "x" },
        });
        expect(first).toMatchObject({
          seq: 1,
          env: "production",
          deploymentId: "d1",
          data: {},
          prevHash: GENESIS_HASH,
        });
        expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(Date.parse(first.at)).not.toBeNaN();
        expect(second).toMatchObject({ seq: 2, prevHash: first.hash, data: { owner: "x" } });
        expect(second.deploymentId).toBeUndefined();
      });

      it("lists events oldest first, by environment, deployment and after a seq", async () => {
        await ledger.createDeployment(deployment("d1"));
        await ledger.createDeployment(deployment("d2", { env: "staging" }));
        const appended = [
          await ledger.appendEvent({ env: "production", deploymentId: "d1", type: "deploy.started" }),
          await ledger.appendEvent({ env: "staging", deploymentId: "d2", type: "deploy.started" }),
          await ledger.appendEvent({
            env: "production",
            deploymentId: "d1",
            type: "step.started",
            data: { step: 0 },
          }),
          await ledger.appendEvent({ env: "production", type: "lock.released" }),
        ];
        expect(await ledger.listEvents()).toEqual(appended);
        const seqs = async (options: Parameters<Ledger["listEvents"]>[0]) =>
          (await ledger.listEvents(options)).map((e) => e.seq);
        expect(await seqs({ env: "production" })).toEqual([1, 3, 4]);
        expect(await seqs({ deploymentId: "d1" })).toEqual([1, 3]);
        expect(await seqs({ afterSeq: 2 })).toEqual([3, 4]);
        expect(await seqs({ env: "production", afterSeq: 3 })).toEqual([4]);
        expect(await seqs({ deploymentId: "d2", afterSeq: 2 })).toEqual([]);
      });

      it("stores data as JSON: nested values round-trip, undefined members are dropped", async () => {
        const data = { verdict: "pass", metrics: { p99: 212.5, errors: [0, 1] }, note: undefined, at: null };
        const event = await ledger.appendEvent({ env: "production", type: "analysis.verdict", data });
        const expected = { verdict: "pass", metrics: { p99: 212.5, errors: [0, 1] }, at: null };
        expect(event.data).toEqual(expected);
        expect((await ledger.listEvents())[0]?.data).toStrictEqual(expected);
      });

      it("refuses an event for an unknown deployment without using up a seq", async () => {
        const error = await ledger
          .appendEvent({ env: "production", deploymentId: "nope", type: "deploy.started" })
          .catch((e) => e);
        expect(codeOf(error)).toBe("ledger/unknown-deployment");
        expect((await ledger.appendEvent({ env: "production", type: "x" })).seq).toBe(1);
      });

      it("verifies an empty chain and a written one, reporting the head hash", async () => {
        expect(await ledger.verifyChain()).toEqual({ ok: true, events: 0, head: GENESIS_HASH, problems: [] });
        await ledger.createDeployment(deployment("d1"));
        let last = await ledger.appendEvent({
          env: "production",
          deploymentId: "d1",
          type: "deploy.started",
        });
        for (let i = 0; i < 5; i++) {
          last = await ledger.appendEvent({
            env: "production",
            deploymentId: "d1",
            type: "step.started",
            data: { i },
          });
        }
        last = await ledger.appendEvent({ env: "staging", type: "note" });
        expect(await ledger.verifyChain()).toEqual({ ok: true, events: 7, head: last.hash, problems: [] });
      });
    });

    describe("approvals", () => {
      it("records a pending deployment and its approval request", async () => {
        const d = await ledger.createDeployment(deployment("prod-1", { status: "pending" }));
        expect(d.status).toBe("pending");
        expect((await ledger.listDeployments({ status: "pending" })).map((x) => x.id)).toEqual(["prod-1"]);
        const a = await ledger.createApproval({
          id: "apr-1",
          deploymentId: "prod-1",
          env: "production",
          requestedBy: "alice",
          expiresAt: "2030-01-02T00:00:00.000Z",
        });
        expect(a).toMatchObject({ id: "apr-1", status: "pending", requestedBy: "alice" });
        expect(await ledger.getApproval("apr-1")).toEqual(a);
        expect(await ledger.getApproval("apr-missing")).toBeUndefined();
        expect(
          (await ledger.listApprovals({ env: "production", status: "pending" })).map((x) => x.id),
        ).toEqual(["apr-1"]);
        expect(await ledger.listApprovals({ deploymentId: "other" })).toEqual([]);
      });

      it("starts a pending deployment with its plan and the release it replaces", async () => {
        await ledger.createDeployment(deployment("prod-1", { status: "pending", plan: [] }));
        const started = await ledger.updateDeployment("prod-1", {
          status: "running",
          plan: [{ kind: "begin", release: "prod-1" }],
          previousId: "prod-0",
        });
        expect(started).toMatchObject({ status: "running", previousId: "prod-0", stepIndex: 0 });
        expect(started.plan).toEqual([{ kind: "begin", release: "prod-1" }]);
        expect((await ledger.getDeployment("prod-1"))?.plan).toEqual([{ kind: "begin", release: "prod-1" }]);
      });

      it("decides a pending approval once: a second decision changes nothing", async () => {
        await ledger.createDeployment(deployment("prod-1", { status: "pending" }));
        await ledger.createApproval({
          id: "apr-1",
          deploymentId: "prod-1",
          env: "production",
          requestedBy: "alice",
        });
        const first = await ledger.decideApproval({ id: "apr-1", status: "approved", decidedBy: "bob" });
        expect(first.decided).toBe(true);
        expect(first.approval).toMatchObject({ status: "approved", decidedBy: "bob" });
        expect(first.approval.decidedAt).toBeTruthy();
        const second = await ledger.decideApproval({
          id: "apr-1",
          status: "rejected",
          decidedBy: "carol",
          reason: "too late",
        });
        expect(second.decided).toBe(false);
        expect(second.approval).toMatchObject({ status: "approved", decidedBy: "bob" });
      });

      it("refuses an approval for an unknown deployment, and a decision on an unknown approval", async () => {
        const create = await ledger
          .createApproval({ id: "apr-1", deploymentId: "nope", env: "production", requestedBy: "alice" })
          .catch((e: unknown) => e);
        expect(codeOf(create)).toBe("ledger/unknown-deployment");
        const decide = await ledger
          .decideApproval({ id: "apr-x", status: "approved", decidedBy: "bob" })
          .catch((e: unknown) => e);
        expect(codeOf(decide)).toBe("ledger/unknown-approval");
      });
    });

    describe("locks", () => {
      const T0 = new Date("2030-01-01T00:00:00.000Z");
      beforeEach(() => {
        vi.useFakeTimers({ toFake: ["Date"] });
        vi.setSystemTime(T0);
      });

      it("takes a free lock and reports it", async () => {
        const result = await ledger.acquireLock({
          env: "production",
          owner: "1@a/x",
          deploymentId: "d1",
          ttlMs: 60_000,
        });
        const lock = {
          env: "production",
          owner: "1@a/x",
          deploymentId: "d1",
          acquiredAt: "2030-01-01T00:00:00.000Z",
          expiresAt: "2030-01-01T00:01:00.000Z",
        };
        expect(result).toEqual({ acquired: true, lock });
        expect(await ledger.getLock("production")).toEqual(lock);
        expect(await ledger.getLock("staging")).toBeUndefined();
      });

      it("refuses a second owner and returns the holder", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        const result = await ledger.acquireLock({ env: "production", owner: "2@b/y", ttlMs: 60_000 });
        expect(result).toEqual({ acquired: false, holder: await ledger.getLock("production") });
        expect(result.acquired ? undefined : result.holder.owner).toBe("1@a/x");
      });

      it("keeps environments' locks apart", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        expect((await ledger.acquireLock({ env: "staging", owner: "2@b/y", ttlMs: 60_000 })).acquired).toBe(
          true,
        );
      });

      it("lets the holder acquire again", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        vi.setSystemTime(T0.getTime() + 10_000);
        const again = await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        expect(again.acquired && again.lock.expiresAt).toBe("2030-01-01T00:01:10.000Z");
      });

      it("lets another owner take an expired lock", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        vi.setSystemTime(T0.getTime() + 59_999);
        expect(
          (await ledger.acquireLock({ env: "production", owner: "2@b/y", ttlMs: 60_000 })).acquired,
        ).toBe(false);
        vi.setSystemTime(T0.getTime() + 60_000);
        const taken = await ledger.acquireLock({ env: "production", owner: "2@b/y", ttlMs: 60_000 });
        expect(taken.acquired).toBe(true);
        expect((await ledger.getLock("production"))?.owner).toBe("2@b/y");
        expect(await ledger.renewLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 })).toBe(false);
      });

      it("takes a live lock from the owner named in replaceOwner, and only from that one", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        const wrong = await ledger.acquireLock({
          env: "production",
          owner: "2@b/y",
          ttlMs: 60_000,
          replaceOwner: "9@z/q",
        });
        expect(wrong.acquired).toBe(false);
        const taken = await ledger.acquireLock({
          env: "production",
          owner: "2@b/y",
          deploymentId: "d2",
          ttlMs: 60_000,
          replaceOwner: "1@a/x",
        });
        expect(taken).toMatchObject({ acquired: true, lock: { owner: "2@b/y", deploymentId: "d2" } });
        expect((await ledger.getLock("production"))?.owner).toBe("2@b/y");
      });

      it("renews only for the holder", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        vi.setSystemTime(T0.getTime() + 30_000);
        expect(await ledger.renewLock({ env: "production", owner: "2@b/y", ttlMs: 60_000 })).toBe(false);
        expect((await ledger.getLock("production"))?.expiresAt).toBe("2030-01-01T00:01:00.000Z");
        expect(
          await ledger.renewLock({ env: "production", owner: "1@a/x", ttlMs: 60_000, deploymentId: "d9" }),
        ).toBe(true);
        expect(await ledger.getLock("production")).toMatchObject({
          owner: "1@a/x",
          deploymentId: "d9",
          acquiredAt: "2030-01-01T00:00:00.000Z",
          expiresAt: "2030-01-01T00:01:30.000Z",
        });
        expect(await ledger.renewLock({ env: "staging", owner: "1@a/x", ttlMs: 60_000 })).toBe(false);
      });

      it("releases only the holder's lock", async () => {
        await ledger.acquireLock({ env: "production", owner: "1@a/x", ttlMs: 60_000 });
        await ledger.releaseLock({ env: "production", owner: "2@b/y" });
        expect((await ledger.getLock("production"))?.owner).toBe("1@a/x");
        await ledger.releaseLock({ env: "production", owner: "1@a/x" });
        expect(await ledger.getLock("production")).toBeUndefined();
        expect((await ledger.acquireLock({ env: "production", owner: "2@b/y", ttlMs: 1000 })).acquired).toBe(
          true,
        );
      });

      it("refuses a ttl that is not a positive number", async () => {
        for (const ttlMs of [0, -1, Number.NaN]) {
          const error = await ledger
            .acquireLock({ env: "production", owner: "1@a/x", ttlMs })
            .catch((e) => e);
          expect(codeOf(error)).toBe("ledger/invalid-ttl");
        }
        expect(await ledger.getLock("production")).toBeUndefined();
      });
    });
  });
}

function artifact(id: string, createdAt = "2030-01-01T00:00:00.000Z"): ArtifactRecord {
  return {
    id,
    digest: `sha256:${"a".repeat(64)}`,
    commit: "3f2a9c1e0b7d3f2a9c1e0b7d3f2a9c1e0b7d3f2a",
    location: `/var/lib/shipgate/artifacts/${id}.tar.gz`,
    createdAt,
    manifest: { name: "app", files: 12, build: { node: "20.3" } },
  };
}

function deployment(id: string, overrides: Partial<NewDeployment> = {}): NewDeployment {
  return {
    id,
    env: "production",
    kind: "deploy",
    artifactId: "app@1",
    strategy: "canary",
    requestedBy: "alice@example.com",
    plan: [{ step: "deploy", weight: 10 }, { step: "analyze" }],
    ...overrides,
  };
}

function codeOf(error: unknown): string | undefined {
  return isShipgateError(error) ? error.code : undefined;
}

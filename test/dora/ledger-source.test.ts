import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ledgerDeployments } from "../../src/dora/ledger-source.js";
import { SqliteLedger } from "../../src/ledger/sqlite/index.js";
import { NOOP_STRATEGY } from "../../src/ledger/types.js";

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "shipgate-dora-ledger-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function record(
  ledger: SqliteLedger,
  id: string,
  strategy: string,
  status: "succeeded" | "running" = "succeeded",
): Promise<void> {
  await ledger.createDeployment({
    id,
    env: "production",
    kind: "deploy",
    artifactId: "app@0123456789ab",
    strategy,
    requestedBy: "test",
    plan: [],
  });
  if (status === "succeeded")
    await ledger.updateDeployment(id, { status, finishedAt: new Date().toISOString() });
}

describe("ledgerDeployments", () => {
  it("reads ended deployments with their commit; leaves out running ones and deploys that changed nothing", async () => {
    const ledger = await SqliteLedger.open({ stateDir });
    try {
      await ledger.putArtifact({
        id: "app@0123456789ab",
        digest: `sha256:${"0".repeat(64)}`,
        commit: "0123456789abcdef0123456789abcdef01234567",
        location: "/artifacts/app.tgz",
        createdAt: new Date().toISOString(),
        manifest: {},
      });
      await record(ledger, "production-1", "canary");
      // The same artifact deployed again while live, the live release unknown to the ledger.
      await record(ledger, "production-2", NOOP_STRATEGY);
      await record(ledger, "production-3", "rolling", "running");
    } finally {
      await ledger.close();
    }
    const facts = await ledgerDeployments({ stateDir, env: "production" });
    expect(facts).toEqual([
      expect.objectContaining({
        id: "production-1",
        status: "succeeded",
        commit: "0123456789abcdef0123456789abcdef01234567",
        source: "ledger",
      }),
    ]);
  });

  it("a project that never deployed has an empty history and gets no ledger file", async () => {
    expect(await ledgerDeployments({ stateDir, env: "production" })).toEqual([]);
    expect(existsSync(join(stateDir, "ledger.db"))).toBe(false);
  });
});

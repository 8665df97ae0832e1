/**
 * A separate process for the concurrency tests, opening the ledger the way a CI runner does:
 * through openLedger, so SQLite in <stateDir> unless SHIPGATE_DATABASE_URL names PostgreSQL.
 * It reports `ready`, waits for a line on stdin, then does one of:
 * - `open <label>`: opens the ledger (racing the others to create and migrate it);
 * - `append <label> <count>`: appends `count` events to its own deployment d-<label>, which
 *   it created (opening the ledger) before reporting ready;
 * - `lock <label> <count>`: tries to take the locks of env-0 … env-<count-1> as owner <label>,
 *   then prints `won <json array of the indexes it took>`.
 * Usage: node --import tsx test/ledger/ledger-worker.ts <stateDir> <mode> <label> [count]
 */
import { openLedger } from "../../src/ledger/index.js";
import type { Ledger } from "../../src/ledger/types.js";

const [stateDir, mode, label, countText = "0"] = process.argv.slice(2);
if (!stateDir || !mode || !label) {
  throw new Error("usage: ledger-worker <stateDir> <open|append|lock> <label> [count]");
}
const count = Number(countText);
const open = () => openLedger({ stateDir });
const go = () => new Promise((resolve) => process.stdin.once("data", resolve));

if (mode === "open") {
  process.stdout.write("ready\n");
  await go();
  await (await open()).close();
} else {
  const ledger = await open();
  const deploymentId = `d-${label}`;
  if (mode === "append") {
    await ledger.createDeployment({
      id: deploymentId,
      env: "production",
      kind: "deploy",
      artifactId: "app@1",
      strategy: "rolling",
      requestedBy: label,
      plan: [],
    });
  }
  process.stdout.write("ready\n");
  await go();
  if (mode === "append") await append(ledger, deploymentId);
  if (mode === "lock") await lock(ledger);
  await ledger.close();
}
process.stdin.destroy();

async function append(ledger: Ledger, deploymentId: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await ledger.appendEvent({
      env: "production",
      deploymentId,
      type: "step.progress",
      data: { worker: label, i },
    });
  }
}

async function lock(ledger: Ledger): Promise<void> {
  const won: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = await ledger.acquireLock({ env: `env-${i}`, owner: label!, ttlMs: 60_000 });
    if (result.acquired) won.push(i);
  }
  process.stdout.write(`won ${JSON.stringify(won)}\n`);
}

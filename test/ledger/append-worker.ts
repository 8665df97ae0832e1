/**
 * A separate process for the concurrency test: opens the ledger (racing the other workers to
 * create and migrate it), creates its own deployment, reports `ready`, waits for a line on
 * stdin, then appends `count` events as fast as it can.
 * Usage: node --import tsx test/ledger/append-worker.ts <stateDir> <label> <count>
 */
import { SqliteLedger } from "../../src/ledger/sqlite/index.js";

const [stateDir, label, countText] = process.argv.slice(2);
if (!stateDir || !label || !countText) throw new Error("usage: append-worker <stateDir> <label> <count>");

const ledger = await SqliteLedger.open({ stateDir });
const deploymentId = `d-${label}`;
await ledger.createDeployment({
  id: deploymentId,
  env: "production",
  kind: "deploy",
  artifactId: "app@1",
  strategy: "rolling",
  requestedBy: label,
  plan: [],
});
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
for (let i = 0; i < Number(countText); i++) {
  await ledger.appendEvent({
    env: "production",
    deploymentId,
    type: "step.progress",
    data: { worker: label, i },
  });
}
await ledger.close();
process.stdin.destroy();

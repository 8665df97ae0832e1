/**
 * The CLI from the TypeScript sources, as a real process (`node --import tsx cli-process.ts …`),
 * so tests can kill it without a build. With SHIPGATE_KILL_AT_STEP=<n> it SIGKILLs itself
 * SHIPGATE_KILL_DELAY_MS after the ledger records step n as started: a crash drill at an
 * exact point, arranged from outside the product code.
 */
import { main } from "../../../src/cli/main.js";
import { SqliteLedger } from "../../../src/ledger/sqlite/index.js";

const killAt = process.env.SHIPGATE_KILL_AT_STEP;
if (killAt !== undefined) {
  const delay = Number(process.env.SHIPGATE_KILL_DELAY_MS ?? 0);
  const append = SqliteLedger.prototype.appendEvent;
  SqliteLedger.prototype.appendEvent = async function (this: SqliteLedger, event) {
    const appended = await append.call(this, event);
    if (event.type === "step.started" && event.data?.index === Number(killAt)) {
      const kill = () => process.kill(process.pid, "SIGKILL");
      if (delay > 0) setTimeout(kill, delay);
      else kill();
    }
    return appended;
  };
}

process.exitCode = await main(process.argv.slice(2));

/**
 * A crash drill at an exact point, arranged from outside the product code: with
 * SHIPGATE_KILL_AT_STEP=<n> in the environment, the process SIGKILLs itself
 * SHIPGATE_KILL_DELAY_MS after the ledger records step n as started. Imported by the child
 * processes the crash tests start (the CLI, the kubernetes deploy).
 */
import { SqliteLedger } from "../../../src/ledger/sqlite/index.js";

export function armKillAtStep(env: NodeJS.ProcessEnv = process.env): void {
  const killAt = env.SHIPGATE_KILL_AT_STEP;
  if (killAt === undefined) return;
  const delay = Number(env.SHIPGATE_KILL_DELAY_MS ?? 0);
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

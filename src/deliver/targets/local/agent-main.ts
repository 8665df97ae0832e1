/**
 * The agent's process entry: `node agent-main.js --state-dir <dir>`. `ensureAgent` spawns this
 * module directly (not through the CLI), so the agent starts the same way from the built
 * package and from the TypeScript sources; `shipgate agent run` calls the same `runAgent`.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runAgent } from "./agent.js";
import { createAgentLog } from "./agent-log.js";

const { values } = parseArgs({ options: { "state-dir": { type: "string" } }, strict: true });
const stateDir = values["state-dir"];
if (!stateDir) {
  process.stderr.write("usage: agent-main --state-dir <dir>\n");
  process.exit(2);
}
const log = createAgentLog(process.stdout);
process.on("uncaughtException", (error) => {
  log("error", "agent crashed", { error: error.stack ?? error.message });
  process.exit(1);
});
try {
  await runAgent({ stateDir: resolve(stateDir), log });
  process.exit(0);
} catch (error) {
  log("error", "agent failed", { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

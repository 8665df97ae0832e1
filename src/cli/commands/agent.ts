import { join, resolve } from "node:path";
import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

interface StateDirFlags {
  stateDir?: string;
}

const STATE_DIR_OPTION = [
  "--state-dir <dir>",
  "state directory the agent serves (default: $SHIPGATE_STATE_DIR, else ./.shipgate)",
] as const;

/**
 * `shipgate agent`: the local target's supervisor. Deploys start it on demand, so people
 * rarely call this; it is hidden from `--help` and kept for operating and debugging it.
 */
export const registerAgent: RegisterCommand = (program, ctx) => {
  const stateDir = (flags: StateDirFlags) =>
    flags.stateDir
      ? resolve(ctx.io.cwd, flags.stateDir)
      : ctx.io.env.SHIPGATE_STATE_DIR
        ? resolve(ctx.io.cwd, ctx.io.env.SHIPGATE_STATE_DIR)
        : join(ctx.io.cwd, ".shipgate");
  const agent = program
    .command("agent", { hidden: true })
    .description("the local target's agent: supervises releases and routes their traffic");

  agent
    .command("run")
    .description("run the agent in the foreground until it is stopped (what deploys start in the background)")
    .option(...STATE_DIR_OPTION)
    .action(async (flags: StateDirFlags) => {
      const { runAgent } = await import("../../deliver/targets/local/agent.js");
      const { createAgentLog } = await import("../../deliver/targets/local/agent-log.js");
      await runAgent({ stateDir: stateDir(flags), log: createAgentLog(ctx.io.stdout) });
      ctx.exitCode = EXIT_OK;
    });

  agent
    .command("stop")
    .description("drain every environment's router and instances, then stop the agent")
    .option(...STATE_DIR_OPTION)
    .option("--force", "kill an agent that holds the lock but does not answer (its instances keep serving)")
    .action(async (flags: StateDirFlags & { force?: boolean }) => {
      const { stopAgent } = await import("../../deliver/targets/local/index.js");
      const result = await stopAgent({ stateDir: stateDir(flags), force: Boolean(flags.force) });
      ctx.io.stdout.write(`${redact(result.message)}\n`);
      ctx.exitCode = result.stopped || result.pid === undefined ? EXIT_OK : EXIT_FAILED;
    });

  agent
    .command("status")
    .description("whether an agent runs, and the environments, releases and instances it serves")
    .option(...STATE_DIR_OPTION)
    .option("--json", "print the status as JSON")
    .action(async (flags: StateDirFlags & { json?: boolean }) => {
      const { agentStatus } = await import("../../deliver/targets/local/index.js");
      const status = await agentStatus({ stateDir: stateDir(flags) });
      if (flags.json) {
        ctx.io.stdout.write(`${redact(JSON.stringify(status, null, 2))}\n`);
        ctx.exitCode = EXIT_OK;
        return;
      }
      const lines: string[] = [];
      if (status.unresponsive) {
        lines.push(
          `the agent${status.pid ? ` (pid ${status.pid})` : ""} holds the lock but does not answer; \`shipgate agent stop --force\` kills it`,
        );
      } else if (!status.running) {
        lines.push(
          status.stale ? `no agent runs (stale agent.json names pid ${status.pid})` : "no agent runs",
        );
      } else {
        lines.push(`agent pid ${status.pid}, control port ${status.controlPort}, since ${status.startedAt}`);
        for (const env of status.environments) {
          lines.push(`${env.env}  ${env.url}`);
          for (const release of env.releases) {
            const retire = release.retireAt ? `, retires ${release.retireAt}` : "";
            lines.push(
              `  ${release.id}  weight ${release.weight}  ${release.healthy}/${release.desired} healthy${retire}`,
            );
            for (const i of release.instances) {
              const error = i.lastError ? `  (${i.lastError})` : "";
              lines.push(
                `    ${i.id}  ${i.state}  pid ${i.pid ?? "-"}  port ${i.port ?? "-"}  restarts ${i.restarts}${error}`,
              );
            }
          }
        }
      }
      ctx.io.stdout.write(`${redact(lines.join("\n"))}\n`);
      ctx.exitCode = status.unresponsive ? EXIT_FAILED : EXIT_OK;
    });

  agent
    .command("unit")
    .description("print a systemd unit that runs the agent for production use (restarted, instances kept)")
    .option(...STATE_DIR_OPTION)
    .option("--user", "a user unit (systemctl --user) instead of a system one")
    .option("--account <name>", "the user a system unit runs as (default: the current user)")
    .action(async (flags: StateDirFlags & { user?: boolean; account?: string }) => {
      const { systemdUnit } = await import("../../deliver/targets/local/systemd-unit.js");
      const { userInfo } = await import("node:os");
      const { fileURLToPath } = await import("node:url");
      const cli = fileURLToPath(new URL("../../../bin/shipgate.js", import.meta.url));
      ctx.io.stdout.write(
        systemdUnit({
          stateDir: stateDir(flags),
          node: process.execPath,
          cli,
          user: Boolean(flags.user),
          ...(!flags.user && { account: flags.account ?? userInfo().username }),
          environment: ctx.io.env,
        }),
      );
      ctx.exitCode = EXIT_OK;
    });
};

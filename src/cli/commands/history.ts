import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface HistoryFlags extends ConfigFlags {
  verify?: boolean;
  events?: boolean;
  limit?: string;
}

export const registerHistory: RegisterCommand = (program, ctx) => {
  program
    .command("history")
    .description("every deployment of an environment, newest first; --verify checks the ledger's hash chain")
    .argument("[env]", "environment from shipgate.yml (default: all)")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--verify", "recompute the hash chain: exit 1 when an event was edited or deleted")
    .option("--events", "list each deployment's events")
    .option("--limit <n>", "show at most n deployments")
    .option("--json", "print the history as JSON")
    .action(async (env: string | undefined, flags: HistoryFlags) => {
      const { deploymentHistory } = await import("../../deliver/history.js");
      const { renderHistory } = await import("../../deliver/render.js");
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      const report = await deploymentHistory({
        cwd: ctx.io.cwd,
        ...(env && { env }),
        ...(flags.config && { configPath: flags.config }),
        ...(flags.verify && { verify: true }),
        ...(flags.events && { events: true }),
        ...(limit && Number.isInteger(limit) && limit > 0 && { limit }),
      });
      ctx.io.stdout.write(
        flags.json
          ? `${redact(JSON.stringify(report, null, 2))}\n`
          : redact(renderHistory(report, style(ctx.io.color))),
      );
      ctx.exitCode = report.chain && !report.chain.ok ? EXIT_FAILED : EXIT_OK;
    });
};

import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface HistoryFlags extends ConfigFlags {
  verify?: boolean;
  anchor?: string;
  events?: boolean;
  limit?: string;
}

export const registerHistory: RegisterCommand = (program, ctx) => {
  program
    .command("history")
    .description("every deployment of an environment, newest first; --verify checks the ledger's hash chain")
    .argument("[env]", "environment from shipgate.yml (default: all)")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option(
      "--verify",
      "recompute the hash chain and check every row against it: exit 1 when anything was edited or deleted",
    )
    .option("--anchor <seq:hash>", "also check the chain still holds this event (the head a deploy printed)")
    .option("--events", "list each deployment's events")
    .option("--limit <n>", "show at most n deployments")
    .option("--json", "print the history as JSON")
    .action(async (env: string | undefined, flags: HistoryFlags) => {
      const { deploymentHistory, ledgerHolds, parseAnchor } = await import("../../deliver/history.js");
      const anchor = flags.anchor === undefined ? undefined : parseAnchor(flags.anchor);
      if (flags.anchor !== undefined && !anchor) {
        const { inputError } = await import("../../errors.js");
        throw inputError("history/anchor", `invalid --anchor "${flags.anchor}"`, {
          hint: "pass <seq>:<64 hex>, the ledger head a deploy printed",
        });
      }
      const { renderHistory } = await import("../../deliver/render.js");
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      const report = await deploymentHistory({
        cwd: ctx.io.cwd,
        ...(env && { env }),
        ...(flags.config && { configPath: flags.config }),
        ...(flags.verify && { verify: true }),
        ...(anchor && { anchor }),
        ...(flags.events && { events: true }),
        ...(limit && Number.isInteger(limit) && limit > 0 && { limit }),
      });
      ctx.io.stdout.write(
        flags.json
          ? `${redact(JSON.stringify(report, null, 2))}\n`
          : redact(renderHistory(report, style(ctx.io.color))),
      );
      ctx.exitCode = ledgerHolds(report) ? EXIT_OK : EXIT_FAILED;
    });
};

import { inputError } from "../../errors.js";
import { redact } from "../../redact.js";
import { EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

interface DoraFlags {
  env?: string;
  since?: string;
  until?: string;
  events?: string;
  format: string;
  config: string;
}

const FORMATS = ["table", "json", "csv"];

export const registerDora: RegisterCommand = (program, ctx) => {
  program
    .command("dora")
    .description("the four DORA keys and rework rate of an environment, with their State of DevOps tier")
    .option("--env <env>", "environment to measure (default: dora.environment, then production)")
    .option(
      "--since <date|span>",
      "start of the period: a date, an ISO timestamp or a span such as 90d",
      "90d",
    )
    .option("--until <date>", "end of the period (a bare date includes that day; default: now)")
    .option("--events <file>", "JSON-lines deployments and incidents from another system (docs/dora.md)")
    .option("--format <format>", "table, json or csv", "table")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .action(async (flags: DoraFlags) => {
      if (!FORMATS.includes(flags.format)) {
        throw inputError("dora/format", `unknown --format "${flags.format}"`, {
          hint: "use table, json or csv",
        });
      }
      const { computeDora, renderCsv, renderTable } = await import("../../dora/index.js");
      const report = await computeDora({
        cwd: ctx.io.cwd,
        configPath: flags.config,
        ...(flags.env && { env: flags.env }),
        ...(flags.since && { since: flags.since }),
        ...(flags.until && { until: flags.until }),
        ...(flags.events && { eventsFile: flags.events }),
      });
      const text =
        flags.format === "json"
          ? `${JSON.stringify(report, null, 2)}\n`
          : flags.format === "csv"
            ? renderCsv(report)
            : renderTable(report);
      ctx.io.stdout.write(redact(text));
      ctx.exitCode = EXIT_OK;
    });
};

import { resolve } from "node:path";
import { inputError } from "../../errors.js";
import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import type { RegisterCommand } from "./index.js";

interface RehearseFlags {
  config: string;
  dir: string;
  workingTree?: boolean;
  timeout?: string;
  keep?: boolean;
  json?: boolean;
}

export const registerCi: RegisterCommand = (program, ctx) => {
  const ci = program.command("ci").description("work with the generated CI on this machine");
  ci.command("rehearse")
    .description(
      "run the CI jobs shipgate.yml describes (install, lint, typecheck, test, build) in a temporary clone, " +
        "with the test services started locally, and report which would fail (exit 1 when one fails or cannot run here)",
    )
    .option("-c, --config <file>", "config file", "shipgate.yml")
    .option("--dir <path>", "repository (or app folder) to rehearse", ".")
    .option("--working-tree", "include uncommitted changes (HEAD only otherwise)")
    .option("--timeout <minutes>", "time limit for each job (default: ci.timeoutMinutes, 20)")
    .option("--keep", "leave the temporary clone on disk and print where")
    .option("--json", "print the report as JSON")
    .action(async (flags: RehearseFlags) => {
      const timeoutMinutes = flags.timeout === undefined ? undefined : Number(flags.timeout);
      if (timeoutMinutes !== undefined && !(Number.isFinite(timeoutMinutes) && timeoutMinutes > 0)) {
        throw inputError(
          "cli/bad-timeout",
          `--timeout must be a positive number of minutes, not ${flags.timeout}`,
        );
      }
      const [{ rehearseCi }, { renderRehearsal, formatDuration }] = await Promise.all([
        import("../../rehearse/index.js"),
        import("../../rehearse/render.js"),
      ]);
      const s = style(ctx.io.color);
      const report = await rehearseCi({
        dir: resolve(ctx.io.cwd, flags.dir),
        configPath: flags.config,
        workingTree: flags.workingTree,
        keep: flags.keep,
        env: ctx.io.env,
        ...(timeoutMinutes !== undefined && { timeoutMinutes }),
        onEvent: flags.json
          ? undefined
          : (event) => {
              if (event.kind === "job-start") ctx.io.stderr.write(s.dim(`… ${event.name}\n`));
              if (event.kind === "job-end" && event.job.status !== "not-rehearsed") {
                ctx.io.stderr.write(
                  s.dim(
                    `  ${event.job.name}: ${event.job.status} in ${formatDuration(event.job.durationMs)}\n`,
                  ),
                );
              }
            },
      });
      ctx.io.stdout.write(
        flags.json ? `${redact(JSON.stringify(report, null, 2))}\n` : renderRehearsal(report, s),
      );
      ctx.exitCode = report.ok ? EXIT_OK : EXIT_FAILED;
    });
};

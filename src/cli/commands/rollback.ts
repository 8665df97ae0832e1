import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import { type ConfigFlags, waitMs } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface RollbackFlags extends ConfigFlags {
  to?: string;
  wait?: string;
  as?: string;
}

export const registerRollback: RegisterCommand = (program, ctx) => {
  program
    .command("rollback")
    .description("go back to the previous healthy release (or --to a deployment or artifact) in one command")
    .argument("<env>", "environment from shipgate.yml")
    .option(
      "--to <deployment|artifact>",
      "the release to go back to (default: the last healthy one before the live one)",
    )
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--wait <duration>", "wait this long for another deployment of the environment to finish")
    .option("--as <name>", "who is rolling back (default: GITHUB_ACTOR, then git user.email)")
    .option("--json", "print the outcome as JSON")
    .action(async (env: string, flags: RollbackFlags) => {
      const { rollback } = await import("../../deliver/rollback.js");
      const { resolveActor } = await import("../../deliver/environment.js");
      const { createTimeline, renderOutcome } = await import("../../deliver/render.js");
      const s = style(ctx.io.color);
      const timeline = createTimeline({ style: s, log: (line) => ctx.io.stderr.write(`${redact(line)}\n`) });
      const result = await rollback({
        env,
        ...(flags.to && { to: flags.to }),
        cwd: ctx.io.cwd,
        ...(flags.config && { configPath: flags.config }),
        waitMs: await waitMs(flags.wait),
        requestedBy: await resolveActor({
          ...(flags.as && { as: flags.as }),
          env: ctx.io.env,
          cwd: ctx.io.cwd,
        }),
        onEvent: timeline.event,
      });
      ctx.io.stdout.write(
        flags.json ? `${redact(JSON.stringify(result, null, 2))}\n` : redact(renderOutcome(result, s)),
      );
      ctx.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
    });
};

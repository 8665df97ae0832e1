import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { type ConfigFlags, deliveryRun, waitMs } from "./delivery-flags.js";
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
      const run = await deliveryRun(ctx, flags);
      const result = await rollback({
        env,
        ...(flags.to && { to: flags.to }),
        waitMs: await waitMs(flags.wait),
        ...run.options,
      });
      ctx.io.stdout.write(
        flags.json ? `${redact(JSON.stringify(result, null, 2))}\n` : run.renderOutcome(result),
      );
      await run.summarize(result);
      ctx.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
    });
};

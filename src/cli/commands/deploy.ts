import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { type ConfigFlags, deliveryRun, waitMs } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface DeployFlags extends ConfigFlags {
  artifact: string;
  wait?: string;
  as?: string;
}

export const registerDeploy: RegisterCommand = (program, ctx) => {
  program
    .command("deploy")
    .description("roll an artifact out to an environment, verify it, and roll back on failure")
    .argument("<env>", "environment from shipgate.yml")
    .requiredOption("--artifact <ref>", "the artifact `shipgate build` printed (id, commit or digest)")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--wait <duration>", "wait this long for another deployment of the environment to finish")
    .option("--as <name>", "who is deploying (default: GITHUB_ACTOR, then git user.email)")
    .option("--json", "print the outcome as JSON")
    .action(async (env: string, flags: DeployFlags) => {
      const { deploy } = await import("../../deliver/deploy.js");
      const run = await deliveryRun(ctx, flags);
      const result = await deploy({
        env,
        artifact: flags.artifact,
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

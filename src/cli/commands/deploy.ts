import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import { type ConfigFlags, waitMs } from "./delivery-flags.js";
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
      const { resolveActor } = await import("../../deliver/environment.js");
      const { createTimeline, renderOutcome } = await import("../../deliver/render.js");
      const s = style(ctx.io.color);
      const timeline = createTimeline({ style: s, log: (line) => ctx.io.stderr.write(`${redact(line)}\n`) });
      const result = await deploy({
        env,
        artifact: flags.artifact,
        cwd: ctx.io.cwd,
        ...(flags.config && { configPath: flags.config }),
        waitMs: await waitMs(flags.wait),
        requestedBy: await resolveActor({
          ...(flags.as && { as: flags.as }),
          env: ctx.io.env,
          cwd: ctx.io.cwd,
        }),
        onEvent: timeline.event,
        secrets: ctx.io.env,
        warn: (message) => ctx.io.stderr.write(`warning: ${redact(message)}\n`),
      });
      ctx.io.stdout.write(
        flags.json ? `${redact(JSON.stringify(result, null, 2))}\n` : redact(renderOutcome(result, s)),
      );
      ctx.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
    });
};

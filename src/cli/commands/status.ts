import { redact } from "../../redact.js";
import { EXIT_OK } from "../exit-codes.js";
import { style } from "../style.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

export const registerStatus: RegisterCommand = (program, ctx) => {
  program
    .command("status")
    .description(
      "what runs in an environment: the live release, every running release, any rollout in flight",
    )
    .argument("<env>", "environment from shipgate.yml")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--json", "print the status as JSON")
    .action(async (env: string, flags: ConfigFlags) => {
      const { environmentStatus } = await import("../../deliver/status.js");
      const { renderStatus } = await import("../../deliver/render.js");
      const report = await environmentStatus({
        env,
        cwd: ctx.io.cwd,
        ...(flags.config && { configPath: flags.config }),
      });
      ctx.io.stdout.write(
        flags.json
          ? `${redact(JSON.stringify(report, null, 2))}\n`
          : redact(renderStatus(report, style(ctx.io.color))),
      );
      ctx.exitCode = EXIT_OK;
    });
};

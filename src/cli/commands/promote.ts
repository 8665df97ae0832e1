import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { type ConfigFlags, deliveryRun, waitMs } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface PromoteFlags extends ConfigFlags {
  artifact?: string;
  wait?: string;
  lockWait?: string;
  as?: string;
}

export const registerPromote: RegisterCommand = (program, ctx) => {
  program
    .command("promote")
    .description("deploy to <to> exactly the artifact live and healthy in <from>, after its approval")
    .argument("<from>", "environment the artifact passed, e.g. staging")
    .argument("<to>", "environment to deploy it to, e.g. production")
    .option("--artifact <ref>", "promote this artifact (it must have passed <from>) instead of the live one")
    .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
    .option("--wait <duration>", "wait this long for the approval decision (default: return at once)")
    .option("--lock-wait <duration>", "wait this long for another deployment of <to> to finish")
    .option("--as <name>", "who is promoting (default: GITHUB_ACTOR, then git user.email)")
    .option("--json", "print the result as JSON")
    .action(async (from: string, to: string, flags: PromoteFlags) => {
      const { promote } = await import("../../deliver/promote.js");
      const run = await deliveryRun(ctx, flags);
      const s = run.style;
      const result = await promote({
        from,
        to,
        ...(flags.artifact && { artifact: flags.artifact }),
        approvalWaitMs: await waitMs(flags.wait),
        lockWaitMs: await waitMs(flags.lockWait),
        ...run.options,
      });
      if (flags.json) ctx.io.stdout.write(`${redact(JSON.stringify(result, null, 2))}\n`);
      else if (result.state === "deployed") ctx.io.stdout.write(run.renderOutcome(result.outcome));
      if (result.state === "deployed") await run.summarize(result.outcome);
      else if (result.state === "rejected") {
        const a = result.approval;
        ctx.io.stdout.write(`${s.red("rejected")}: ${a.id} by ${a.decidedBy}: ${a.reason ?? ""}\n`);
      } else {
        const a = result.approval;
        ctx.io.stdout.write(
          `awaiting approval of ${a.id}: ${result.artifact.id} to ${to} for ${a.deploymentId}, requested by ${a.requestedBy}${a.expiresAt ? `, expires ${a.expiresAt}` : ""}\n` +
            `  approve: shipgate approve ${a.id}\n  reject:  shipgate reject ${a.id} --reason "..."\n`,
        );
      }
      ctx.exitCode = result.state === "deployed" && result.outcome.ok ? EXIT_OK : EXIT_FAILED;
    });
};

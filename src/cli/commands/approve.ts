import { redact } from "../../redact.js";
import { EXIT_OK } from "../exit-codes.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface DecideFlags extends ConfigFlags {
  as?: string;
  reason?: string;
}

/** `approve <id>` and `reject <id> --reason`: one decision, recorded with who made it. */
export const registerApprove: RegisterCommand = (program, ctx) => {
  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(
        decision === "approve"
          ? "approve a pending deployment (not your own; approvers only)"
          : "reject a pending deployment, with a reason",
      )
      .argument("<approval>", "the approval id a promote printed (apr-…)")
      .option("--as <name>", "who decides (default: GITHUB_ACTOR, then git user.email)")
      .option("--reason <text>", decision === "reject" ? "why (required)" : "a note kept with the decision")
      .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
      .option("--json", "print the decided approval as JSON")
      .action(async (id: string, flags: DecideFlags) => {
        const { decideApproval } = await import("../../deliver/approve.js");
        const { resolveActor } = await import("../../deliver/environment.js");
        const approval = await decideApproval({
          id,
          decision,
          actor: await resolveActor({ ...(flags.as && { as: flags.as }), env: ctx.io.env, cwd: ctx.io.cwd }),
          ...(flags.reason && { reason: flags.reason }),
          cwd: ctx.io.cwd,
          ...(flags.config && { configPath: flags.config }),
        });
        ctx.io.stdout.write(
          flags.json
            ? `${redact(JSON.stringify(approval, null, 2))}\n`
            : `${approval.id} ${approval.status} by ${approval.decidedBy}: ${approval.deploymentId} in ${approval.env}\n`,
        );
        ctx.exitCode = EXIT_OK;
      });
  }
};

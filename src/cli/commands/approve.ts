import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { inputError } from "../../errors.js";
import { redact } from "../../redact.js";
import { EXIT_OK } from "../exit-codes.js";
import type { ConfigFlags } from "./delivery-flags.js";
import type { RegisterCommand } from "./index.js";

interface DecideFlags extends ConfigFlags {
  as?: string;
  reason?: string;
  signWith?: string;
  signature?: string;
  showRequest?: boolean;
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
      .option(
        "--as <name>",
        "who decides (default: GITHUB_ACTOR, then git user.email); with a signature, which of your key's principals",
      )
      .option("--reason <text>", decision === "reject" ? "why (required)" : "a note kept with the decision")
      .option(
        "--sign-with <key>",
        "sign the request with this SSH key through ssh-keygen (private key, or public key in ssh-agent)",
      )
      .option(
        "--signature <file>",
        "a signature of the request made with ssh-keygen -Y sign -n shipgate-approval",
      )
      .option("--show-request", "print the request to sign, and decide nothing")
      .option("-c, --config <file>", "shipgate.yml to read", "shipgate.yml")
      .option("--json", "print the decided approval as JSON")
      .action(async (id: string, flags: DecideFlags) => {
        const { approvalRequest, decideApproval } = await import("../../deliver/approve.js");
        const { resolveActor } = await import("../../deliver/environment.js");
        const where = { cwd: ctx.io.cwd, ...(flags.config && { configPath: flags.config }) };
        if (flags.showRequest) {
          ctx.io.stdout.write(await approvalRequest({ id, ...where }));
          ctx.exitCode = EXIT_OK;
          return;
        }
        const signature = flags.signature ? await readSignature(ctx.io.cwd, flags.signature) : undefined;
        const approval = await decideApproval({
          id,
          decision,
          actor: await resolveActor({ ...(flags.as && { as: flags.as }), env: ctx.io.env, cwd: ctx.io.cwd }),
          ...(flags.as && { claimed: flags.as }),
          ...(signature && { signature }),
          ...(flags.signWith && { signWith: resolve(ctx.io.cwd, flags.signWith) }),
          ...(flags.reason && { reason: flags.reason }),
          ...where,
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

async function readSignature(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw inputError(
      "approve/signature-unreadable",
      `cannot read the signature ${file}: ${(error as Error).message}`,
      {
        hint: "pass the .sig file ssh-keygen -Y sign wrote",
      },
    );
  }
}

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { inputError, ShipgateError } from "../errors.js";
import { openLedger } from "../ledger/index.js";
import type { ApprovalRecord, Ledger } from "../ledger/types.js";
import { approvalRequestText } from "./approval/request.js";
import { signWithSshKeygen } from "./approval/sign.js";
import { verifyApprovalSignature } from "./approval/verify.js";
import { openProject } from "./environment.js";
import { closeRequest, isExpired } from "./promote.js";
import { LedgerTrust } from "./trust.js";

export interface DecideOptions {
  id: string;
  decision: "approve" | "reject";
  /** Who decides, as they say: `--as`, GITHUB_ACTOR or git user.email (resolved by the caller). */
  actor: string;
  /** `--as` when given: with a signature, which of the key's principals the approver acts as. */
  claimed?: string;
  /** An armored SSH signature of the request (`--signature <file>`, read by the caller). */
  signature?: string;
  /** A key to sign the request with through ssh-keygen (`--sign-with <key>`). */
  signWith?: string;
  reason?: string;
  configPath?: string;
  cwd?: string;
  now?: () => number;
}

/** The text an approver signs for an approval: the request, with the artifact's digest. */
export async function approvalRequest(options: {
  id: string;
  configPath?: string;
  cwd?: string;
}): Promise<string> {
  const { stateDir } = await openProject(options);
  const ledger = await openLedger({ stateDir });
  try {
    return (await requestFor(ledger, await known(ledger, options.id))).text;
  } finally {
    await ledger.close();
  }
}

async function known(ledger: Ledger, id: string): Promise<ApprovalRecord> {
  const approval = await ledger.getApproval(id);
  if (!approval) {
    throw new ShipgateError({
      code: "approve/unknown",
      message: `no approval "${id}" in the ledger`,
      hint: "the id is printed by the promote that asked for it (awaiting approval of apr-…)",
    });
  }
  return approval;
}

/** The request as the chain recorded it: the approval and its artifact are checked first. */
async function requestFor(ledger: Ledger, approval: ApprovalRecord) {
  const trust = new LedgerTrust(ledger);
  await trust.approval(approval);
  const deployment = await ledger.getDeployment(approval.deploymentId);
  const artifact = deployment && (await ledger.getArtifact(deployment.artifactId));
  if (!artifact)
    throw inputError(
      "approve/unknown-artifact",
      `the artifact of ${approval.deploymentId} is not in the ledger`,
    );
  await trust.artifact(artifact);
  return { text: approvalRequestText(approval, artifact), artifact };
}

/**
 * Records an approval decision in the hash-chained ledger. An approver proves who they are
 * with an SSH signature of the request, checked against the environment's allowed signers
 * (unless the environment says identities are `asserted`, which is recorded as such). The
 * requester cannot approve their own deployment (they may withdraw it by rejecting); with
 * `approvers` listed only they may decide; an expired or already decided request cannot be
 * approved. A refusal is exit code 1.
 */
export async function decideApproval(options: DecideOptions): Promise<ApprovalRecord> {
  const { config, configDir, stateDir } = await openProject(options);
  const ledger = await openLedger({ stateDir });
  try {
    const approval = await known(ledger, options.id);
    const envConfig = config.environments[approval.env];
    const now = (options.now ?? Date.now)();
    let actor = options.actor.trim();
    let proof: Record<string, unknown> = { identity: "asserted" };
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    const refuse = (code: string, message: string, hint?: string) =>
      new ShipgateError({ code, message, ...(hint && { hint }) }, { exitCode: 1 });
    if (approval.status !== "pending") {
      throw refuse(
        "approve/decided",
        `${approval.id} is already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}${approval.decidedAt ? ` at ${approval.decidedAt}` : ""}`,
      );
    }
    if (isExpired(approval, now)) {
      await ledger.decideApproval({ id: approval.id, status: "expired", decidedBy: "shipgate" });
      await ledger.appendEvent({
        env: approval.env,
        deploymentId: approval.deploymentId,
        type: "approval.expired",
        data: { approval: approval.id, expiresAt: approval.expiresAt ?? null },
      });
      const deployment = await ledger.getDeployment(approval.deploymentId);
      if (deployment)
        await closeRequest(ledger, deployment, `approval ${approval.id} expired at ${approval.expiresAt}`);
      throw refuse(
        "approve/expired",
        `${approval.id} expired at ${approval.expiresAt}`,
        "promote again to ask anew",
      );
    }
    if (options.decision === "approve") {
      if ((envConfig?.approval.identity ?? "signature") === "signature") {
        const { text } = await requestFor(ledger, approval);
        const signature =
          options.signature ??
          (options.signWith
            ? await signWithSshKeygen({ request: text, keyFile: options.signWith })
            : undefined);
        if (!signature) {
          throw inputError(
            "approve/signature-required",
            `approving ${approval.env} takes a signature of the request`,
            {
              hint: `sign with your SSH key: shipgate approve ${approval.id} --sign-with ~/.ssh/id_ed25519 (or --signature <file> from ssh-keygen -Y sign -n shipgate-approval)`,
            },
          );
        }
        const verified = await verifyApprovalSignature({
          request: text,
          signature,
          allowedSignersFile: resolve(configDir, envConfig?.approval.allowedSigners ?? "allowed_signers"),
          ...(options.claimed !== undefined && { claimed: options.claimed.trim() }),
          at: now,
        });
        actor = verified.identity;
        proof = {
          identity: "signature",
          key: verified.key,
          signature,
          request: `sha256:${createHash("sha256").update(text).digest("hex")}`,
        };
      }
      if (same(actor, approval.requestedBy)) {
        throw refuse(
          "approve/own-request",
          `${actor} requested ${approval.deploymentId} and cannot approve it`,
          "another approver must approve it; you may withdraw it with shipgate reject",
        );
      }
      const approvers = envConfig?.approval.approvers ?? [];
      if (approvers.length > 0 && !approvers.some((a) => same(a, actor))) {
        throw refuse(
          "approve/not-an-approver",
          `${actor} is not an approver of ${approval.env}`,
          `approvers: ${approvers.join(", ")} (environments.${approval.env}.approval.approvers)`,
        );
      }
    } else if (!options.reason?.trim()) {
      throw new ShipgateError({
        code: "approve/reason-required",
        message: "a rejection needs a reason",
        hint: 'add --reason "why", so the requester knows what to change',
      });
    }
    const status = options.decision === "approve" ? "approved" : "rejected";
    const decision = await ledger.decideApproval({
      id: approval.id,
      status,
      decidedBy: actor,
      ...(options.reason && { reason: options.reason }),
    });
    if (!decision.decided) {
      throw refuse(
        "approve/decided",
        `${approval.id} was just ${decision.approval.status} by ${decision.approval.decidedBy}`,
      );
    }
    await ledger.appendEvent({
      env: approval.env,
      deploymentId: approval.deploymentId,
      type: `approval.${status}`,
      data: { approval: approval.id, by: actor, reason: options.reason ?? null, ...proof },
    });
    if (status === "rejected") {
      const deployment = await ledger.getDeployment(approval.deploymentId);
      if (deployment) await closeRequest(ledger, deployment, `rejected by ${actor}: ${options.reason}`);
    }
    return decision.approval;
  } finally {
    await ledger.close();
  }
}

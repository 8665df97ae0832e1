import { ShipgateError } from "../errors.js";
import { openLedger } from "../ledger/index.js";
import type { ApprovalRecord } from "../ledger/types.js";
import { openProject } from "./environment.js";
import { closeRequest, isExpired } from "./promote.js";

export interface DecideOptions {
  id: string;
  decision: "approve" | "reject";
  /** Who decides: `--as`, GITHUB_ACTOR or git user.email (resolved by the caller). */
  actor: string;
  reason?: string;
  configPath?: string;
  cwd?: string;
  now?: () => number;
}

/**
 * Records an approval decision in the hash-chained ledger. The requester cannot approve their
 * own deployment (they may withdraw it by rejecting); with `approvers` listed only they may
 * decide; an expired or already decided request cannot be approved. A refusal is exit code 1.
 */
export async function decideApproval(options: DecideOptions): Promise<ApprovalRecord> {
  const { config, stateDir } = await openProject(options);
  const ledger = await openLedger({ stateDir });
  try {
    const approval = await ledger.getApproval(options.id);
    if (!approval) {
      throw new ShipgateError({
        code: "approve/unknown",
        message: `no approval "${options.id}" in the ledger`,
        hint: "the id is printed by the promote that asked for it (awaiting approval of apr-…)",
      });
    }
    const envConfig = config.environments[approval.env];
    const actor = options.actor.trim();
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    const refuse = (code: string, message: string, hint?: string) =>
      new ShipgateError({ code, message, ...(hint && { hint }) }, { exitCode: 1 });
    if (approval.status !== "pending") {
      throw refuse(
        "approve/decided",
        `${approval.id} is already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}${approval.decidedAt ? ` at ${approval.decidedAt}` : ""}`,
      );
    }
    if (isExpired(approval, (options.now ?? Date.now)())) {
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
      data: { approval: approval.id, by: actor, reason: options.reason ?? null },
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

import type { ApprovalRecord, ArtifactRecord } from "../../ledger/types.js";

/** The namespace approvals are signed in (`ssh-keygen -Y sign -n shipgate-approval`). */
export const APPROVAL_NAMESPACE = "shipgate-approval";

/**
 * What an approver signs: the request exactly, so a signature approves this artifact (by its
 * digest) into this environment under this request and nothing else, and lapses with it.
 */
export function approvalRequestText(approval: ApprovalRecord, artifact: ArtifactRecord): string {
  return [
    "shipgate approval request v1",
    `approval: ${approval.id}`,
    `environment: ${approval.env}`,
    `deployment: ${approval.deploymentId}`,
    `artifact: ${artifact.id}`,
    `digest: ${artifact.digest}`,
    `requested-by: ${approval.requestedBy}`,
    `expires: ${approval.expiresAt ?? "never"}`,
    "",
  ].join("\n");
}

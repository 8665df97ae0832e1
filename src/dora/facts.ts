/** The normalised history the metrics are computed from, whatever its source. */

export interface DeploymentFact {
  id: string;
  env: string;
  /** `rollback`: a return to an earlier release, not a change. */
  kind: "deploy" | "rollback";
  status: "succeeded" | "failed" | "rolled_back";
  /** When it began (ledger createdAt; imported `startedAt`). */
  startedMs?: number;
  /** When it ended: live for a success, back on the previous release for a rollback. */
  finishedMs: number;
  /** Full SHA of the deployed commit, when known. */
  commit?: string;
  source: "ledger" | "events";
  /** An imported deployment's own word on whether it was an unplanned fix. */
  hotfix?: boolean;
}

export interface IncidentFact {
  id?: string;
  env: string;
  startMs: number;
  endMs?: number;
  deploymentId?: string;
}

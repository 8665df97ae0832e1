/**
 * The ledger: what was built, what was deployed where, every step the engine took, who
 * approved what, and who holds an environment. SQLite in `.shipgate/` by default, PostgreSQL
 * when `SHIPGATE_DATABASE_URL` is set; both implement this interface and pass the same suite.
 * Every method is async so that a networked implementation fits behind it unchanged.
 */

export interface ArtifactRecord {
  /** The reference users pass to `--artifact`, e.g. `sample-app@3f2a9c1e0b7d-5d41402abc4b`. */
  id: string;
  /** `sha256:<hex>` of the tarball. */
  digest: string;
  /** The commit the artifact was built from (full SHA). */
  commit: string;
  /** Where the tarball lives (absolute path, or a URI for remote stores). */
  location: string;
  createdAt: string;
  /** The manifest written beside the tarball. */
  manifest: Record<string, unknown>;
}

/** `pending`: planned, waiting for an approval before it may run. */
export type DeploymentStatus = "pending" | "running" | "succeeded" | "rolled_back" | "failed";
export type DeploymentKind = "deploy" | "rollback";

/**
 * The strategy of a deploy that found its artifact already live and changed nothing. It is
 * recorded so that the command has a deployment to report; it is not a release.
 */
export const NOOP_STRATEGY = "none";

export interface DeploymentRecord {
  id: string;
  env: string;
  kind: DeploymentKind;
  artifactId: string;
  strategy: string;
  status: DeploymentStatus;
  /** Who asked for it: `--as`, GITHUB_ACTOR or git user.email. */
  requestedBy: string;
  createdAt: string;
  finishedAt?: string;
  /** The deployment that was live (the stable release) when this one started. */
  previousId?: string;
  /** The persisted plan: the engine's steps, as JSON. */
  plan: unknown[];
  /** Index of the step in progress, or plan.length once every step has completed. */
  stepIndex: number;
  /** Why it ended as it did, with the numbers that decided; set when it ends. */
  reason?: string;
}

export interface NewDeployment {
  id: string;
  /** Default `running`; `pending` for one that waits for an approval. */
  status?: "pending" | "running";
  env: string;
  kind: DeploymentKind;
  artifactId: string;
  strategy: string;
  requestedBy: string;
  previousId?: string;
  plan: unknown[];
}

/** `plan` and `previousId` change only when a pending deployment is started. */
export type DeploymentPatch = Partial<
  Pick<DeploymentRecord, "status" | "stepIndex" | "finishedAt" | "reason" | "plan" | "previousId">
>;

export interface LedgerEvent {
  /** 1, 2, 3, … across the whole ledger, without gaps. */
  seq: number;
  env: string;
  deploymentId?: string;
  /** Dotted name such as `deploy.started`, `step.started`, `analysis.verdict`, `rollback.completed`. */
  type: string;
  data: Record<string, unknown>;
  at: string;
  /** `hash` of the event before (64 zeros for the first). */
  prevHash: string;
  /** sha256 over prevHash and the event's canonical JSON. */
  hash: string;
}

export interface NewEvent {
  env: string;
  deploymentId?: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface ChainProblem {
  seq: number;
  problem: string;
}

export interface ChainReport {
  ok: boolean;
  events: number;
  /** Hash of the newest event: publish it (a CI log, a release note) to anchor the chain. */
  head: string;
  problems: ChainProblem[];
}

export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired";

export interface ApprovalRecord {
  id: string;
  deploymentId: string;
  env: string;
  status: ApprovalStatus;
  requestedBy: string;
  decidedBy?: string;
  reason?: string;
  createdAt: string;
  decidedAt?: string;
  /** After this instant a pending approval can no longer be granted. */
  expiresAt?: string;
}

export interface NewApproval {
  id: string;
  deploymentId: string;
  env: string;
  requestedBy: string;
  expiresAt?: string;
}

export type ApprovalDecision =
  | { decided: true; approval: ApprovalRecord }
  /** The approval was no longer pending (decided by someone else, or expired): nothing changed. */
  | { decided: false; approval: ApprovalRecord };

export interface LockRecord {
  env: string;
  /** `<pid>@<hostname>/<random>`: who holds it. */
  owner: string;
  deploymentId?: string;
  acquiredAt: string;
  expiresAt: string;
}

export type LockResult = { acquired: true; lock: LockRecord } | { acquired: false; holder: LockRecord };

export interface Ledger {
  readonly kind: "sqlite" | "postgres";

  putArtifact(artifact: ArtifactRecord): Promise<void>;
  getArtifact(id: string): Promise<ArtifactRecord | undefined>;
  listArtifacts(options?: { limit?: number }): Promise<ArtifactRecord[]>;

  createDeployment(deployment: NewDeployment): Promise<DeploymentRecord>;
  updateDeployment(id: string, patch: DeploymentPatch): Promise<DeploymentRecord>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  /** Newest first. */
  listDeployments(options?: {
    env?: string;
    status?: DeploymentStatus;
    limit?: number;
  }): Promise<DeploymentRecord[]>;

  /** Appends one event to the hash chain; the chain is extended atomically. */
  appendEvent(event: NewEvent): Promise<LedgerEvent>;
  /** Oldest first. */
  listEvents(options?: { env?: string; deploymentId?: string; afterSeq?: number }): Promise<LedgerEvent[]>;
  /** Recomputes every hash: an edited, inserted or deleted event is a problem. */
  verifyChain(): Promise<ChainReport>;

  /**
   * Takes the environment's lock when it is free or expired. `replaceOwner` takes it over from
   * that exact holder even before expiry (the caller has proved the holder dead).
   */
  acquireLock(options: {
    env: string;
    owner: string;
    deploymentId?: string;
    ttlMs: number;
    replaceOwner?: string;
  }): Promise<LockResult>;
  /** Extends a held lock; false when `owner` no longer holds it. */
  renewLock(options: { env: string; owner: string; ttlMs: number; deploymentId?: string }): Promise<boolean>;
  releaseLock(options: { env: string; owner: string }): Promise<void>;
  getLock(env: string): Promise<LockRecord | undefined>;

  createApproval(approval: NewApproval): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /** Newest first. */
  listApprovals(options?: {
    env?: string;
    deploymentId?: string;
    status?: ApprovalStatus;
  }): Promise<ApprovalRecord[]>;
  /**
   * Decides a pending approval, compare-and-set: only a `pending` one changes, so two
   * approvers racing cannot both decide it. The caller checks who may decide.
   */
  decideApproval(options: {
    id: string;
    status: "approved" | "rejected" | "expired";
    decidedBy: string;
    reason?: string;
  }): Promise<ApprovalDecision>;

  close(): Promise<void>;
}

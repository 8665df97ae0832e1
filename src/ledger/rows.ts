import type { DeploymentHead, StoredEvent } from "./chain.js";
import { parseJsonColumn } from "./errors.js";
import type {
  ApprovalRecord,
  ApprovalStatus,
  ArtifactRecord,
  DeploymentKind,
  DeploymentPatch,
  DeploymentRecord,
  DeploymentStatus,
  LedgerEvent,
  LockRecord,
  NewApproval,
  NewDeployment,
} from "./types.js";

/**
 * Rows as the databases return them (NULL is null; both drivers give TEXT as string and
 * INTEGER as number), and their mapping to the ledger's records. Every implementation selects
 * the same columns of the same schema, so the mapping is shared.
 */

export const ARTIFACT_COLUMNS = "id, digest, commit_sha, location, created_at, manifest";
export const DEPLOYMENT_COLUMNS = `id, env, kind, artifact_id, strategy, status, requested_by, created_at,
  finished_at, previous_id, plan, step_index, reason`;
export const DEPLOYMENT_HEAD_COLUMNS = "id, last_event_seq, last_event_hash";
export const EVENT_COLUMNS = "seq, env, deployment_id, type, data, at, prev_hash, hash";
export const APPROVAL_COLUMNS =
  "id, deployment_id, env, status, requested_by, decided_by, reason, created_at, decided_at, expires_at";
export const LOCK_COLUMNS = "env, owner, deployment_id, acquired_at, expires_at";

export interface ArtifactRow {
  id: string;
  digest: string;
  commit_sha: string;
  location: string;
  created_at: string;
  manifest: string;
}

export interface DeploymentRow {
  id: string;
  env: string;
  kind: DeploymentKind;
  artifact_id: string;
  strategy: string;
  status: DeploymentStatus;
  requested_by: string;
  created_at: string;
  finished_at: string | null;
  previous_id: string | null;
  plan: string;
  step_index: number;
  reason: string | null;
}

export interface DeploymentHeadRow {
  id: string;
  last_event_seq: number | null;
  last_event_hash: string | null;
}

export interface EventRow {
  seq: number;
  env: string;
  deployment_id: string | null;
  type: string;
  data: string;
  at: string;
  prev_hash: string;
  hash: string;
}

export interface ApprovalRow {
  id: string;
  deployment_id: string;
  env: string;
  status: ApprovalStatus;
  requested_by: string;
  decided_by: string | null;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
  expires_at: string | null;
}

export interface LockRow {
  env: string;
  owner: string;
  deployment_id: string | null;
  acquired_at: string;
  expires_at: string;
}

export function toArtifact(row: ArtifactRow, location: string): ArtifactRecord {
  return {
    id: row.id,
    digest: row.digest,
    commit: row.commit_sha,
    location: row.location,
    createdAt: row.created_at,
    manifest: parseJsonColumn(row.manifest, `the manifest of artifact ${row.id}`, location),
  };
}

export function toDeployment(row: DeploymentRow, location: string): DeploymentRecord {
  const record: DeploymentRecord = {
    id: row.id,
    env: row.env,
    kind: row.kind,
    artifactId: row.artifact_id,
    strategy: row.strategy,
    status: row.status,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    plan: parseJsonColumn(row.plan, `the plan of deployment ${row.id}`, location),
    stepIndex: row.step_index,
  };
  if (row.finished_at !== null) record.finishedAt = row.finished_at;
  if (row.previous_id !== null) record.previousId = row.previous_id;
  if (row.reason !== null) record.reason = row.reason;
  return record;
}

export function toDeploymentHead(row: DeploymentHeadRow): DeploymentHead {
  return {
    deploymentId: row.id,
    lastEventSeq: row.last_event_seq ?? undefined,
    lastEventHash: row.last_event_hash ?? undefined,
  };
}

export function toStoredEvent(row: EventRow): StoredEvent {
  const event: StoredEvent = {
    seq: row.seq,
    env: row.env,
    type: row.type,
    data: row.data,
    at: row.at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.deployment_id !== null) event.deploymentId = row.deployment_id;
  return event;
}

export function toEvent(row: EventRow, location: string): LedgerEvent {
  const data = parseJsonColumn<Record<string, unknown>>(row.data, `the data of event ${row.seq}`, location);
  return { ...toStoredEvent(row), data };
}

export function toLock(row: LockRow): LockRecord {
  const lock: LockRecord = {
    env: row.env,
    owner: row.owner,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
  if (row.deployment_id !== null) lock.deploymentId = row.deployment_id;
  return lock;
}

export function toApproval(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    env: row.env,
    status: row.status,
    requestedBy: row.requested_by,
    ...(row.decided_by !== null && { decidedBy: row.decided_by }),
    ...(row.reason !== null && { reason: row.reason }),
    createdAt: row.created_at,
    ...(row.decided_at !== null && { decidedAt: row.decided_at }),
    ...(row.expires_at !== null && { expiresAt: row.expires_at }),
  };
}

/**
 * The other direction: a record's values as statement parameters, in the order the INSERT
 * and UPDATE statements of both implementations name the columns.
 */
type Param = string | number | null;

/** id, digest, commit_sha, location, created_at, manifest */
export function artifactValues(artifact: ArtifactRecord): Param[] {
  return [
    artifact.id,
    artifact.digest,
    artifact.commit,
    artifact.location,
    artifact.createdAt,
    JSON.stringify(artifact.manifest),
  ];
}

/** id, env, kind, artifact_id, strategy, status, requested_by, created_at, previous_id, plan */
export function newDeploymentValues(deployment: NewDeployment, createdAt: string): Param[] {
  return [
    deployment.id,
    deployment.env,
    deployment.kind,
    deployment.artifactId,
    deployment.strategy,
    deployment.status ?? "running",
    deployment.requestedBy,
    createdAt,
    deployment.previousId ?? null,
    JSON.stringify(deployment.plan),
  ];
}

/** status, step_index, finished_at, reason, plan, previous_id: null leaves a column as it is. */
export function deploymentPatchValues(patch: DeploymentPatch): Param[] {
  return [
    patch.status ?? null,
    patch.stepIndex ?? null,
    patch.finishedAt ?? null,
    patch.reason ?? null,
    patch.plan === undefined ? null : JSON.stringify(patch.plan),
    patch.previousId ?? null,
  ];
}

/** EVENT_COLUMNS */
export function eventValues(event: LedgerEvent): Param[] {
  return [
    event.seq,
    event.env,
    event.deploymentId ?? null,
    event.type,
    JSON.stringify(event.data),
    event.at,
    event.prevHash,
    event.hash,
  ];
}

/** id, deployment_id, env, requested_by, created_at, expires_at */
export function newApprovalValues(approval: NewApproval, createdAt: string): Param[] {
  return [
    approval.id,
    approval.deploymentId,
    approval.env,
    approval.requestedBy,
    createdAt,
    approval.expiresAt ?? null,
  ];
}

import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { ApprovalRecord, ArtifactRecord, DeploymentRecord, LedgerEvent } from "./types.js";

/**
 * The hash chain covers events; the rows beside them (an artifact's manifest and start command,
 * a deployment's outcome, an approval's decision) decide what shipgate does next, and a row can
 * be edited without touching an event. Every such row therefore has a witness: the event that
 * recorded it, whose hash the chain covers. A row is trusted only where it agrees with its
 * witness; this file says where they disagree. Ledger-only: no configuration, no network.
 */

/** Builds are not of one environment: their events carry this env. */
export const BUILD_ENV = "*";

export const REQUEST_EVENTS = new Set(["deploy.requested", "rollback.requested", "approval.requested"]);
const OUTCOME_EVENTS: Record<string, DeploymentRecord["status"]> = {
  "deploy.succeeded": "succeeded",
  "deploy.rolled_back": "rolled_back",
  "deploy.failed": "failed",
};

export interface RowProblem {
  kind: "artifact" | "deployment" | "approval";
  id: string;
  problem: string;
}

/** What `artifact.built` records: the artifact row as it was written. */
export function artifactWitnessData(artifact: ArtifactRecord): Record<string, unknown> {
  return {
    artifact: artifact.id,
    digest: artifact.digest,
    commit: artifact.commit,
    location: artifact.location,
    manifest: artifact.manifest,
  };
}

/** A digest of a plan, recorded when it is requested, so a plan edited later is seen. */
export function planDigest(plan: unknown[]): string {
  return `sha256:${createHash("sha256").update(canonicalJson(plan)).digest("hex")}`;
}

export function artifactWitness(events: readonly LedgerEvent[], id: string): LedgerEvent | undefined {
  return events.find((e) => e.type === "artifact.built" && e.data.artifact === id);
}

/** Where the artifact row and its build event disagree; undefined when they agree. */
export function artifactDisagreement(
  artifact: ArtifactRecord,
  witness: LedgerEvent | undefined,
): string | undefined {
  if (!witness) {
    return "has no build event: it was written outside `shipgate build` (or before builds were recorded; `shipgate build` on its commit records it)";
  }
  const recorded = artifactWitnessData(artifact);
  for (const [field, value] of Object.entries(recorded)) {
    if (canonicalJson(value) !== canonicalJson(witness.data[field])) {
      return `${field} differs from what its build recorded (event ${witness.seq})`;
    }
  }
  return undefined;
}

/** A deployment's events, oldest first: what they say it was asked for and how it ended. */
export function deploymentWitness(events: readonly LedgerEvent[]) {
  const requested = events.find((e) => REQUEST_EVENTS.has(e.type));
  const outcome = events.filter((e) => e.type in OUTCOME_EVENTS).at(-1);
  return { requested, outcome, status: outcome ? OUTCOME_EVENTS[outcome.type] : undefined };
}

/** Where the deployment row and its events disagree; undefined when they agree. */
export function deploymentDisagreement(
  deployment: DeploymentRecord,
  events: readonly LedgerEvent[],
): string | undefined {
  const { requested, outcome, status } = deploymentWitness(events);
  const ended =
    deployment.status === "succeeded" ||
    deployment.status === "rolled_back" ||
    deployment.status === "failed";
  if (ended && !outcome) return `is ${deployment.status}, but no event records how it ended`;
  if (ended && status !== deployment.status) {
    return `is ${deployment.status}, but event ${outcome!.seq} recorded ${outcome!.type}`;
  }
  if (!ended && outcome) return `is ${deployment.status}, but event ${outcome.seq} recorded ${outcome.type}`;
  if (!requested) {
    // A process that died between writing the row and its first event leaves a running row
    // with no events, which the next deploy recovers; anything further along has events.
    return ended || deployment.stepIndex > 0 ? "has no event recording what was asked for" : undefined;
  }
  if (requested.data.artifact !== deployment.artifactId) {
    return `is of ${deployment.artifactId}, but event ${requested.seq} requested ${String(requested.data.artifact)}`;
  }
  if (typeof requested.data.plan === "string" && requested.data.plan !== planDigest(deployment.plan)) {
    return `its plan differs from the one requested (event ${requested.seq})`;
  }
  return undefined;
}

export function approvalEvents(events: readonly LedgerEvent[], id: string) {
  const mine = events.filter((e) => e.data.approval === id);
  return {
    requested: mine.find((e) => e.type === "approval.requested"),
    decision: mine.filter((e) => /^approval\.(approved|rejected|expired)$/.test(e.type)).at(-1),
  };
}

/** Where the approval row and its events disagree; undefined when they agree. */
export function approvalDisagreement(
  approval: ApprovalRecord,
  events: readonly LedgerEvent[],
): string | undefined {
  const { requested, decision } = approvalEvents(events, approval.id);
  if (!requested) return "has no event recording the request";
  if (requested.data.requestedBy !== approval.requestedBy) {
    return `was requested by ${approval.requestedBy}, but event ${requested.seq} records ${String(requested.data.requestedBy)}`;
  }
  if ((requested.data.expiresAt ?? null) !== (approval.expiresAt ?? null)) {
    return `expires at ${approval.expiresAt ?? "never"}, but event ${requested.seq} records ${String(requested.data.expiresAt ?? "never")}`;
  }
  if (approval.status === "pending") {
    return decision ? `is pending, but event ${decision.seq} recorded ${decision.type}` : undefined;
  }
  if (!decision) return `is ${approval.status}, but no event records a decision`;
  if (decision.type !== `approval.${approval.status}`) {
    return `is ${approval.status}, but event ${decision.seq} recorded ${decision.type}`;
  }
  if (approval.status !== "expired" && decision.data.by !== approval.decidedBy) {
    return `was decided by ${approval.decidedBy}, but event ${decision.seq} records ${String(decision.data.by)}`;
  }
  return undefined;
}

/**
 * Every row against its witness, and the deployment numbers of each environment: a number
 * missing between two present ones is a deployment deleted from the middle.
 */
export function verifyRows(input: {
  artifacts: readonly ArtifactRecord[];
  deployments: readonly DeploymentRecord[];
  approvals: readonly ApprovalRecord[];
  events: readonly LedgerEvent[];
  deploymentNumber: (id: string, env: string) => number | undefined;
}): RowProblem[] {
  const problems: RowProblem[] = [];
  const byDeployment = new Map<string, LedgerEvent[]>();
  for (const e of input.events) {
    if (e.deploymentId === undefined) continue;
    const list = byDeployment.get(e.deploymentId);
    if (list) list.push(e);
    else byDeployment.set(e.deploymentId, [e]);
  }
  const builds = new Map<string, LedgerEvent>();
  for (const e of input.events) {
    if (e.type === "artifact.built" && typeof e.data.artifact === "string") builds.set(e.data.artifact, e);
  }
  for (const artifact of input.artifacts) {
    const problem = artifactDisagreement(artifact, builds.get(artifact.id));
    if (problem) problems.push({ kind: "artifact", id: artifact.id, problem });
  }
  const numbers = new Map<string, number[]>();
  for (const deployment of input.deployments) {
    const problem = deploymentDisagreement(deployment, byDeployment.get(deployment.id) ?? []);
    if (problem) problems.push({ kind: "deployment", id: deployment.id, problem });
    const n = input.deploymentNumber(deployment.id, deployment.env);
    if (n !== undefined) numbers.set(deployment.env, [...(numbers.get(deployment.env) ?? []), n]);
  }
  for (const approval of input.approvals) {
    const problem = approvalDisagreement(approval, byDeployment.get(approval.deploymentId) ?? []);
    if (problem) problems.push({ kind: "approval", id: approval.id, problem });
  }
  for (const [env, list] of numbers) {
    const present = new Set(list);
    const highest = Math.max(...list);
    const missing: number[] = [];
    for (let n = 1; n < highest; n++) if (!present.has(n)) missing.push(n);
    if (missing.length > 0) {
      problems.push({
        kind: "deployment",
        id: env,
        problem: `deployments numbered ${missing.join(", ")} of ${env} are missing: deleted from the ledger`,
      });
    }
  }
  return problems;
}

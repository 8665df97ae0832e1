import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { ShipgateConfig } from "../config/schema.js";
import { inputError, ShipgateError } from "../errors.js";
import { openLedger } from "../ledger/index.js";
import type { ApprovalRecord, ArtifactRecord, DeploymentRecord, Ledger } from "../ledger/types.js";
import { type Notifier, notifierFor } from "../notify/index.js";
import { parseConfigDuration } from "../verify/duration.js";
import { approvalRequestText } from "./approval/request.js";
import { verifyApprovalSignature } from "./approval/verify.js";
import { deploy, nextDeploymentId } from "./deploy.js";
import { openProject } from "./environment.js";
import type { DeploymentOutcome, EngineEvent } from "./events.js";
import { acquireEnvironmentLock } from "./lock.js";
import { LedgerTrust } from "./trust.js";

export interface PromoteOptions {
  from: string;
  to: string;
  /** Promote this artifact instead of the one live in `from`; it must have passed there. */
  artifact?: string;
  configPath?: string;
  cwd?: string;
  requestedBy: string;
  /** How long to wait for an approval decision; 0 returns at once with the pending request. */
  approvalWaitMs?: number;
  /** How long to wait for the target environment's lock. */
  lockWaitMs?: number;
  onEvent?: (event: EngineEvent) => void;
  notifier?: Notifier;
  /** Where secrets such as the Slack webhook URL are read from; default process.env. */
  secrets?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  pollMs?: number;
  /** Test seam for approval expiry. */
  now?: () => number;
}

export type PromoteResult =
  | { state: "deployed"; artifact: ArtifactRecord; outcome: DeploymentOutcome }
  | { state: "awaiting-approval"; artifact: ArtifactRecord; approval: ApprovalRecord; created: boolean }
  | { state: "rejected"; artifact: ArtifactRecord; approval: ApprovalRecord };

/**
 * Deploys to `to` exactly the artifact (same id, same digest) that is live and healthy in
 * `from`, never a rebuild; refuses one that never passed `from`. When `to` requires an
 * approval, the first call records a pending deployment and its request; a later call (or this
 * one, waiting) runs it once someone allowed to has approved it.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const { config, configDir, stateDir } = await openProject(options);
  checkEnvironments(config, options.from, options.to);
  const now = options.now ?? Date.now;
  const notifier =
    options.notifier ??
    notifierFor({
      config,
      ...(options.secrets && { env: options.secrets }),
      ...(options.warn && { warn: options.warn }),
    });
  const ledger = await openLedger({ stateDir });
  const trust = new LedgerTrust(ledger);
  let approved: { deploymentId: string; artifact: ArtifactRecord } | undefined;
  try {
    const artifact = await passedArtifact(ledger, trust, options.from, options.artifact);
    const approval = config.environments[options.to]!.approval;
    if (approval.required) {
      const request = await currentRequest({ ledger, to: options.to, artifact, now });
      let current = request?.approval;
      let created = false;
      if (!current) {
        current = await requestApproval({
          ledger,
          options,
          artifact,
          expiresAfter: approval.expiresAfter,
          now,
        });
        created = true;
        await notifier?.notify({
          kind: "awaiting-approval",
          env: options.to,
          deployment: current.deploymentId,
          artifact: artifact.id,
          text: `approve with: shipgate approve ${current.id}${approval.approvers.length ? ` (approvers: ${approval.approvers.join(", ")})` : ""}`,
        });
      }
      current = await waitForDecision(ledger, current, options.approvalWaitMs ?? 0, now);
      if (current.status === "rejected") return { state: "rejected", artifact, approval: current };
      if (current.status !== "approved")
        return { state: "awaiting-approval", artifact, approval: current, created };
      await provenApproval({ trust, approval: current, artifact, rules: approval, configDir });
      approved = { deploymentId: current.deploymentId, artifact };
    } else {
      approved = undefined;
    }
    const outcome = await deploy({
      env: options.to,
      artifact: artifact.id,
      ...(options.configPath && { configPath: options.configPath }),
      ...(options.cwd && { cwd: options.cwd }),
      requestedBy: options.requestedBy,
      waitMs: options.lockWaitMs ?? 0,
      ...(approved && { pendingDeployment: approved.deploymentId }),
      ...(options.onEvent && { onEvent: options.onEvent }),
      ...(notifier && { notifier }),
      ...(options.pollMs && { pollMs: options.pollMs }),
    });
    return { state: "deployed", artifact, outcome };
  } finally {
    await ledger.close();
  }
}

function checkEnvironments(config: ShipgateConfig, from: string, to: string) {
  for (const env of [from, to]) {
    if (!config.environments[env]) {
      throw inputError("promote/unknown-environment", `shipgate.yml has no environment "${env}"`, {
        hint: `environments: ${Object.keys(config.environments).join(", ")}`,
      });
    }
  }
  const declared = config.environments[to]!.promoteFrom;
  if (declared && declared !== from) {
    throw inputError("promote/wrong-source", `${to} promotes from ${declared}, not from ${from}`, {
      hint: `run "shipgate promote ${declared} ${to}", or change environments.${to}.promoteFrom`,
    });
  }
}

/** The artifact live in `from` (its newest successful deployment), or `ref` if it passed there. */
async function passedArtifact(
  ledger: Ledger,
  trust: LedgerTrust,
  from: string,
  ref: string | undefined,
): Promise<ArtifactRecord> {
  const passed = await ledger.listDeployments({ env: from, status: "succeeded" });
  const deployment = ref
    ? passed.find((d) => d.artifactId === ref || d.artifactId.endsWith(`@${ref}`))
    : passed[0];
  if (!deployment) {
    throw new ShipgateError(
      {
        code: "promote/not-passed",
        message: ref
          ? `artifact ${ref} never passed ${from}: no deployment of it there finished healthy`
          : `nothing has passed ${from} yet`,
        hint: `deploy it to ${from} first: shipgate deploy ${from} --artifact <ref>`,
      },
      { exitCode: 1 },
    );
  }
  // Its success is taken from the chain, not from the row's status alone.
  await trust.deployment(deployment, { succeeded: true });
  const recorded = await ledger.getArtifact(deployment.artifactId);
  if (!recorded)
    throw inputError("promote/unknown-artifact", `artifact ${deployment.artifactId} is not in the ledger`);
  const artifact = await trust.artifact(recorded);
  // The digest that passed is the one recorded when it was deployed there.
  const [requested] = (await ledger.listEvents({ deploymentId: deployment.id })).filter(
    (e) => e.type === "deploy.requested",
  );
  const digest = requested?.data.digest;
  if (typeof digest === "string" && digest !== artifact.digest) {
    throw new ShipgateError(
      {
        code: "promote/digest-changed",
        message: `${artifact.id} passed ${from} as ${digest}, but the ledger now says ${artifact.digest}`,
        hint: "the artifact record was changed; build and pass it again",
      },
      { exitCode: 1 },
    );
  }
  return artifact;
}

/**
 * An approval is acted on only as the chain recorded it and with its approver's proof still
 * holding: the signature over this request by a key the allowed signers file lists now, from
 * an approver who is not the requester. An approval whose identity was only asserted counts
 * only where the environment accepts asserted identities.
 */
async function provenApproval(options: {
  trust: LedgerTrust;
  approval: ApprovalRecord;
  artifact: ArtifactRecord;
  rules: ShipgateConfig["environments"][string]["approval"];
  configDir: string;
}): Promise<void> {
  const { approval, rules } = options;
  const decision = await options.trust.approval(approval);
  const refuse = (message: string) =>
    new ShipgateError(
      { code: "promote/unproven-approval", message, hint: "ask for the approval again: shipgate promote …" },
      { exitCode: 1 },
    );
  if (decision?.type !== "approval.approved") throw refuse(`${approval.id} has no recorded approval`);
  const by = String(decision.data.by);
  if (decision.data.identity === "signature") {
    const verified = await verifyApprovalSignature({
      request: approvalRequestText(approval, options.artifact),
      signature: String(decision.data.signature),
      allowedSignersFile: resolve(options.configDir, rules.allowedSigners),
      claimed: by,
      at: Date.parse(decision.at),
    });
    if (verified.identity !== by)
      throw refuse(`${approval.id}'s signature is ${verified.identity}'s, not ${by}'s`);
  } else if (rules.identity !== "asserted") {
    throw refuse(
      `${approval.id} was approved by ${by} without a signature, and ${approval.env} requires one`,
    );
  }
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  if (same(by, approval.requestedBy)) throw refuse(`${approval.id} was approved by its own requester, ${by}`);
  if (rules.approvers.length > 0 && !rules.approvers.some((a) => same(a, by))) {
    throw refuse(`${by}, who approved ${approval.id}, is not an approver of ${approval.env}`);
  }
}

/** The open request for this artifact in `to`, if any; an expired one is closed as expired. */
async function currentRequest(options: {
  ledger: Ledger;
  to: string;
  artifact: ArtifactRecord;
  now: () => number;
}) {
  const { ledger, to, artifact, now } = options;
  const pending = (await ledger.listDeployments({ env: to, status: "pending" })).filter(
    (d) => d.artifactId === artifact.id,
  );
  for (const deployment of pending) {
    const [approval] = await ledger.listApprovals({ deploymentId: deployment.id });
    if (!approval) continue;
    if (approval.status === "pending" && isExpired(approval, now())) {
      await expire(ledger, approval, deployment);
      continue;
    }
    if (approval.status === "approved" && isExpired(approval, now())) {
      // Approved but never run before the approval lapsed: it must be asked for again.
      await closeRequest(ledger, deployment, `the approval of ${approval.id} lapsed before it ran`);
      continue;
    }
    return { deployment, approval };
  }
  return undefined;
}

async function requestApproval(options: {
  ledger: Ledger;
  options: PromoteOptions;
  artifact: ArtifactRecord;
  expiresAfter: string | undefined;
  now: () => number;
}): Promise<ApprovalRecord> {
  const { ledger, artifact } = options;
  const { to, from, requestedBy } = options.options;
  // The id is taken under the environment's lock, like a deployment's, so a deploy running
  // at the same moment cannot take the same one.
  const lock = await acquireEnvironmentLock({ ledger, env: to, waitMs: 30_000 });
  let deployment: DeploymentRecord;
  try {
    deployment = await ledger.createDeployment({
      id: await nextDeploymentId(ledger, to),
      env: to,
      kind: "deploy",
      artifactId: artifact.id,
      strategy: "pending",
      requestedBy,
      status: "pending",
      plan: [],
    });
  } finally {
    await lock.release();
  }
  const ttl = options.expiresAfter ? parseConfigDuration(options.expiresAfter) : undefined;
  const id = `apr-${randomBytes(4).toString("hex")}`;
  const expiresAt = ttl ? new Date(options.now() + ttl).toISOString() : undefined;
  // The request's event is written before its row: an approver who sees the row can always
  // find the event that witnesses it.
  await ledger.appendEvent({
    env: to,
    deploymentId: deployment.id,
    type: "approval.requested",
    data: {
      approval: id,
      from,
      artifact: artifact.id,
      digest: artifact.digest,
      requestedBy,
      expiresAt: expiresAt ?? null,
    },
  });
  const approval = await ledger.createApproval({
    id,
    deploymentId: deployment.id,
    env: to,
    requestedBy,
    ...(expiresAt && { expiresAt }),
  });
  return approval;
}

async function waitForDecision(
  ledger: Ledger,
  approval: ApprovalRecord,
  waitMs: number,
  now: () => number,
): Promise<ApprovalRecord> {
  const deadline = Date.now() + waitMs;
  let current = approval;
  while (current.status === "pending" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    current = (await ledger.getApproval(current.id)) ?? current;
    if (current.status === "pending" && isExpired(current, now())) {
      const deployment = await ledger.getDeployment(current.deploymentId);
      if (deployment) current = await expire(ledger, current, deployment);
    }
  }
  return current;
}

export function isExpired(approval: ApprovalRecord, now: number): boolean {
  return approval.expiresAt !== undefined && Date.parse(approval.expiresAt) <= now;
}

async function expire(ledger: Ledger, approval: ApprovalRecord, deployment: DeploymentRecord) {
  const decision = await ledger.decideApproval({ id: approval.id, status: "expired", decidedBy: "shipgate" });
  if (decision.decided) {
    await ledger.appendEvent({
      env: approval.env,
      deploymentId: approval.deploymentId,
      type: "approval.expired",
      data: { approval: approval.id, expiresAt: approval.expiresAt ?? null },
    });
    await closeRequest(ledger, deployment, `approval ${approval.id} expired at ${approval.expiresAt}`);
  }
  return decision.approval;
}

/** A request that will never run ends as failed, with why (recorded in the chain first). */
export async function closeRequest(ledger: Ledger, deployment: DeploymentRecord, reason: string) {
  await ledger.appendEvent({
    env: deployment.env,
    deploymentId: deployment.id,
    type: "deploy.failed",
    data: { reason, artifact: deployment.artifactId },
  });
  await ledger.updateDeployment(deployment.id, {
    status: "failed",
    reason,
    finishedAt: new Date().toISOString(),
  });
}

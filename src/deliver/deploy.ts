import { randomBytes } from "node:crypto";
import { inputError } from "../errors.js";
import { type DeploymentRecord, type Ledger, NOOP_STRATEGY } from "../ledger/types.js";
import { deploymentWitness, planDigest } from "../ledger/witness.js";
import { type NotificationKind, type Notifier, notifierFor } from "../notify/index.js";
import type { MetricProvider } from "./analysis/types.js";
import { readVerifiedTarball, resolveArtifact } from "./artifact.js";
import { Engine } from "./engine.js";
import { type EnvironmentContext, openEnvironment } from "./environment.js";
import type { DeploymentOutcome, EngineEvent } from "./events.js";
import { imageArtifact } from "./image-artifact.js";
import { acquireEnvironmentLock, type HeldLock } from "./lock.js";
import type { Step } from "./steps.js";
import { planFor, strategyId } from "./strategies/index.js";
import type { EnvironmentState } from "./targets/types.js";

export interface DeployOptions {
  env: string;
  /** An artifact id, commit prefix or digest, as `shipgate build` printed it. */
  artifact: string;
  configPath?: string;
  cwd?: string;
  /** How long to wait for another deployment of the environment to finish. Default 0. */
  waitMs?: number;
  requestedBy: string;
  onEvent?: (event: EngineEvent) => void;
  /** Poll interval of health checks and analysis; tests shorten it. */
  pollMs?: number;
  /** Measures the canary analysis reads instead of the target's own. */
  metrics?: MetricProvider;
  /** Run this pending deployment (an approved promotion) instead of creating one. */
  pendingDeployment?: string;
  /** Told of the start, success and rollback; never fails the deployment. Default: from shipgate.yml. */
  notifier?: Notifier;
  /** Where secrets such as the Slack webhook URL are read from; default process.env. */
  secrets?: NodeJS.ProcessEnv;
  /** Hears about problems that do not fail the deployment (a notification that failed). */
  warn?: (message: string) => void;
}

/**
 * Rolls an artifact out to an environment under its strategy, verifies it and rolls back on
 * failure. Takes the environment's lock first and finishes any deployment a killed process
 * left behind. Resolves with the outcome; bad input throws ShipgateError.
 */
export async function deploy(options: DeployOptions): Promise<DeploymentOutcome> {
  const ctx = await openEnvironment(options);
  let lock: HeldLock | undefined;
  try {
    const artifact = await artifactToDeploy(ctx, options.artifact);
    lock = await acquireEnvironmentLock({
      ledger: ctx.ledger,
      env: ctx.env,
      waitMs: options.waitMs ?? 0,
      onWait: (holder) =>
        options.onEvent?.({
          type: "lock.waiting",
          env: ctx.env,
          holder: holder.owner,
          ...(holder.deploymentId && { deploymentId: holder.deploymentId }),
        }),
    });
    const engine = engineFor(ctx, options, lock);
    await recoverInterrupted(ctx, engine);

    await ctx.target.prepare();
    const state = await ctx.target.state();
    const stable = liveRelease(state);
    if (stable?.artifactId === artifact.id) {
      return {
        ok: true,
        deployment:
          (await ctx.ledger.getDeployment(stable.id)) ??
          (await recordNoop(ctx, artifact.id, options.requestedBy)),
        reason: `${artifact.id} is already live in ${ctx.env} (release ${stable.id}); nothing to do`,
        live: stable.id,
      };
    }
    const pending = options.pendingDeployment;
    const running = new Set(state.releases.map((r) => r.id));
    const id = pending ?? (await nextDeploymentId(ctx.ledger, ctx.env, { taken: running }));
    if (running.has(id)) {
      // A pending deployment whose id a running release already has (a ledger restored from
      // an older copy): starting it would take that release over.
      throw inputError("deploy/id-in-use", `release ${id} already runs in ${ctx.env}`, {
        hint: "promote again to make a new request; the ledger and the target disagree about what runs",
      });
    }
    const plan: Step[] = planFor(ctx.envConfig, {
      release: id,
      artifactId: artifact.id,
      ...(stable && { stable: stable.id }),
      instances: instancesOf(ctx),
      smoke: Boolean(ctx.envConfig.verify.smoke),
    });
    const previous = stable ? await ctx.ledger.getDeployment(stable.id) : undefined;
    const deployment = pending
      ? await startPending(ctx, pending, plan, previous?.id)
      : await ctx.ledger.createDeployment({
          id,
          env: ctx.env,
          kind: "deploy",
          artifactId: artifact.id,
          strategy: strategyId(ctx.envConfig),
          requestedBy: options.requestedBy,
          ...(previous && { previousId: previous.id }),
          plan,
        });
    await lock.attach(id);
    return await runAnnounced(ctx, engine, deployment, {
      ...options,
      requested: {
        type: "deploy.requested",
        data: {
          artifact: artifact.id,
          digest: artifact.digest,
          commit: artifact.commit,
          strategy: deployment.strategy,
          stable: stable?.id ?? null,
          requestedBy: options.requestedBy,
          steps: plan.length,
          plan: planDigest(plan),
        },
      },
      started: `${deployment.strategy} of ${artifact.id}${stable ? `, replacing ${stable.id}` : ""}, by ${options.requestedBy}`,
      ended: (finished) => ({ kind: finished.ok ? "succeeded" : "rolled-back", text: finished.reason }),
    });
  } finally {
    await lock?.release();
    await ctx.close();
  }
}

/**
 * The artifact `--artifact` names. A target that runs images takes an image reference, recorded
 * in the ledger the first time it is named; otherwise a built tarball, whose digest is checked
 * before anything starts (a tarball changed since its build is refused).
 */
async function artifactToDeploy(ctx: EnvironmentContext, ref: string) {
  if (ctx.target.capabilities.artifact === "image") {
    return ctx.trust.artifact(await imageArtifact({ ledger: ctx.ledger, ref, cwd: ctx.configDir }));
  }
  const artifact = await ctx.trust.artifact(await resolveArtifact(ctx.ledger, ref));
  await readVerifiedTarball(artifact);
  return artifact;
}

/**
 * Records why a deployment starts, tells the notifier (from shipgate.yml unless one is given),
 * runs it, and tells how it ended: what deploy and rollback share once their plan exists.
 */
export async function runAnnounced(
  ctx: EnvironmentContext,
  engine: Engine,
  deployment: DeploymentRecord,
  options: {
    requested: { type: string; data: Record<string, unknown> };
    /** What the start notification says; none when unset. */
    started?: string;
    ended: (finished: DeploymentOutcome) => { kind: NotificationKind; text: string };
    notifier?: Notifier;
    secrets?: NodeJS.ProcessEnv;
    warn?: (message: string) => void;
    onEvent?: (event: EngineEvent) => void;
  },
): Promise<DeploymentOutcome> {
  const requested = await ctx.ledger.appendEvent({
    env: ctx.env,
    deploymentId: deployment.id,
    type: options.requested.type,
    data: options.requested.data,
  });
  options.onEvent?.({ type: "ledger", event: requested });
  const notifier =
    options.notifier ??
    notifierFor({
      config: ctx.config,
      ...(options.secrets && { env: options.secrets }),
      ...(options.warn && { warn: options.warn }),
    });
  const about = { env: ctx.env, deployment: deployment.id, artifact: deployment.artifactId };
  if (options.started) await notifier?.notify({ kind: "started", ...about, text: options.started });
  const finished = outcome(await engine.run(deployment));
  await notifier?.notify({ ...about, ...options.ended(finished) });
  const last = (await ctx.ledger.listEvents({ deploymentId: deployment.id })).at(-1);
  return { ...finished, ...(last && { anchor: `${last.seq}:${last.hash}` }) };
}

/** An approved promotion's pending deployment becomes the running one, with its plan. */
async function startPending(
  ctx: EnvironmentContext,
  id: string,
  plan: Step[],
  previousId: string | undefined,
) {
  const pending = await ctx.ledger.getDeployment(id);
  if (pending?.status !== "pending" || pending.env !== ctx.env) {
    throw inputError("deploy/not-pending", `deployment ${id} is not waiting to run in ${ctx.env}`);
  }
  return ctx.ledger.updateDeployment(id, {
    status: "running",
    plan,
    stepIndex: 0,
    ...(previousId && { previousId }),
  });
}

export function engineFor(
  ctx: EnvironmentContext,
  options: { onEvent?: (event: EngineEvent) => void; pollMs?: number },
  lock: HeldLock,
): Engine {
  return new Engine({
    ledger: ctx.ledger,
    target: ctx.target,
    env: ctx.env,
    envConfig: ctx.envConfig,
    configDir: ctx.configDir,
    releaseSpec: ctx.releaseSpec,
    lockHeld: lock.held,
    ...(options.onEvent && { onEvent: options.onEvent }),
    ...(options.pollMs && { pollMs: options.pollMs }),
  });
}

/**
 * Deployments still marked running while we hold the environment's lock were left by a
 * process that died (it would hold the lock otherwise): finish each one.
 */
export async function recoverInterrupted(
  ctx: EnvironmentContext,
  engine: Engine,
): Promise<DeploymentRecord[]> {
  const running = await ctx.ledger.listDeployments({ env: ctx.env, status: "running" });
  const recovered: DeploymentRecord[] = [];
  if (running.length > 0) await ctx.target.prepare();
  // Oldest first: a later deployment's stable release may be an earlier one's.
  for (const deployment of running.reverse()) {
    const events = await ctx.ledger.listEvents({ deploymentId: deployment.id });
    const { outcome, status } = deploymentWitness(events);
    if (outcome && status) {
      // It ended, and the process died before the row said so: the event is the record.
      recovered.push(
        await ctx.ledger.updateDeployment(deployment.id, {
          status,
          reason: String(outcome.data.reason ?? status),
          finishedAt: outcome.at,
        }),
      );
      continue;
    }
    // What it was asked to do comes from its row: only as it was requested.
    await ctx.trust.deployment(deployment);
    recovered.push(await engine.recover(deployment));
  }
  return recovered;
}

/** The release serving the environment: the one with the most traffic. */
export function liveRelease(state: EnvironmentState) {
  const serving = state.releases.filter((r) => r.weight > 0);
  return serving.sort((a, b) => b.weight - a.weight)[0];
}

export function instancesOf(ctx: EnvironmentContext): number {
  const t = ctx.envConfig.target;
  return t.type === "local" ? t.instances : 1;
}

/**
 * Readable, ordered ids: `<env>-<n>-<6 hex>`. The number orders them within a ledger (taken
 * under the environment's lock); the random part keeps them unique across ledgers, so a
 * ledger that was reset or replaced never hands out the id of a release that still serves.
 */
export async function nextDeploymentId(
  ledger: Ledger,
  env: string,
  options: { taken?: ReadonlySet<string> } = {},
): Promise<string> {
  const all = await ledger.listDeployments({ env });
  const highest = all.reduce((max, d) => Math.max(max, deploymentNumber(d.id, env) ?? 0), 0);
  for (;;) {
    const id = `${env}-${highest + 1}-${randomBytes(3).toString("hex")}`;
    if (!options.taken?.has(id)) return id;
  }
}

/** The ordinal of an id this module made for `env` (older ledgers have no random part). */
export function deploymentNumber(id: string, env: string): number | undefined {
  if (!id.startsWith(`${env}-`)) return undefined;
  const match = /^(\d+)(?:-[0-9a-f]{6})?$/.exec(id.slice(env.length + 1));
  return match ? Number(match[1]) : undefined;
}

async function recordNoop(ctx: EnvironmentContext, artifactId: string, requestedBy: string) {
  const running = new Set((await ctx.target.state()).releases.map((r) => r.id));
  const id = await nextDeploymentId(ctx.ledger, ctx.env, { taken: running });
  const created = await ctx.ledger.createDeployment({
    id,
    env: ctx.env,
    kind: "deploy",
    artifactId,
    strategy: NOOP_STRATEGY,
    requestedBy,
    plan: [],
  });
  await ctx.ledger.appendEvent({
    env: ctx.env,
    deploymentId: created.id,
    type: "deploy.succeeded",
    data: { reason: "already live", artifact: artifactId, noop: true },
  });
  return ctx.ledger.updateDeployment(created.id, {
    status: "succeeded",
    reason: "already live",
    finishedAt: new Date().toISOString(),
  });
}

export function outcome(deployment: DeploymentRecord): DeploymentOutcome {
  const plan = deployment.plan as Step[];
  const first = plan[0];
  const begin = first?.kind === "begin" ? first : undefined;
  const live = deployment.status === "succeeded" ? begin?.release : begin?.stable;
  return {
    ok: deployment.status === "succeeded",
    deployment,
    reason: deployment.reason ?? deployment.status,
    ...(live && { live }),
  };
}

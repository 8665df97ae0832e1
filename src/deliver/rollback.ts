import { inputError } from "../errors.js";
import type { ArtifactRecord, DeploymentRecord } from "../ledger/types.js";
import { planDigest } from "../ledger/witness.js";
import type { MetricProvider } from "./analysis/types.js";
import { resolveArtifact } from "./artifact.js";
import {
  engineFor,
  instancesOf,
  liveRelease,
  nextDeploymentId,
  outcome,
  recoverInterrupted,
  runAnnounced,
} from "./deploy.js";
import { type EnvironmentContext, openEnvironment } from "./environment.js";
import type { DeploymentOutcome, EngineEvent } from "./events.js";
import { acquireEnvironmentLock } from "./lock.js";
import type { Step } from "./steps.js";
import type { EnvironmentState } from "./targets/types.js";

export interface RollbackOptions {
  env: string;
  /** A deployment id or an artifact reference; default the last healthy release before the live one. */
  to?: string;
  configPath?: string;
  cwd?: string;
  waitMs?: number;
  requestedBy: string;
  onEvent?: (event: EngineEvent) => void;
  pollMs?: number;
  /** Measures the canary analysis reads instead of the target's own. */
  metrics?: MetricProvider;
  /** Where secrets such as the Slack webhook URL are read from; default process.env. */
  secrets?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/**
 * Back to the previous healthy release in one command. A release still running (blue-green
 * keeps the old set a while) takes the traffic back at once; otherwise its artifact starts
 * anew, is health-checked, then takes all traffic. A deployment a killed process left half
 * done is rolled back first, and that is the answer when no `to` was asked for.
 */
export async function rollback(options: RollbackOptions): Promise<DeploymentOutcome> {
  const ctx = await openEnvironment(options);
  const lock = await acquireEnvironmentLock({
    ledger: ctx.ledger,
    env: ctx.env,
    waitMs: options.waitMs ?? 0,
  });
  try {
    const engine = engineFor(ctx, options, lock);
    const recovered = await recoverInterrupted(ctx, engine);
    if (recovered.length > 0 && !options.to) return outcome(recovered.at(-1)!);

    await ctx.target.prepare();
    const state = await ctx.target.state();
    const live = liveRelease(state);
    const artifact = await ctx.trust.artifact(await rollbackArtifact(ctx, live?.artifactId, options.to));
    const running = state.releases.find((r) => r.artifactId === artifact.id && r.id !== live?.id);
    const id = await nextDeploymentId(ctx.ledger, ctx.env, {
      taken: new Set(state.releases.map((r) => r.id)),
    });
    const release = running?.id ?? id;
    const instances = instancesOf(ctx);
    const plan: Step[] = [
      { kind: "begin", release, artifactId: artifact.id, ...(live && { stable: live.id }), instances },
      running ? { kind: "scale", release, instances } : { kind: "start", release, instances },
      { kind: "health", release },
      { kind: "weights", weights: { [release]: 100 } },
      { kind: "promote", release },
      ...(live ? [{ kind: "stop", release: live.id } as const] : []),
    ];
    const previous = live ? await ctx.ledger.getDeployment(live.id) : undefined;
    const deployment = await ctx.ledger.createDeployment({
      id,
      env: ctx.env,
      kind: "rollback",
      artifactId: artifact.id,
      strategy: running ? "switch-back" : "restart",
      requestedBy: options.requestedBy,
      ...(previous && { previousId: previous.id }),
      plan,
    });
    await lock.attach(id);
    return await runAnnounced(ctx, engine, deployment, {
      ...options,
      requested: {
        type: "rollback.requested",
        data: {
          plan: planDigest(plan),
          artifact: artifact.id,
          from: live?.id ?? null,
          reuse: Boolean(running),
          requestedBy: options.requestedBy,
        },
      },
      ended: (finished) =>
        finished.ok
          ? { kind: "rolled-back", text: `rolled back to ${artifact.id} by ${options.requestedBy}` }
          : { kind: "failed", text: finished.reason },
    });
  } finally {
    await lock.release();
    await ctx.close();
  }
}

/** `to` as a deployment id or an artifact; by default the newest healthy one that is not live. */
async function rollbackArtifact(
  ctx: EnvironmentContext,
  liveArtifact: string | undefined,
  to: string | undefined,
): Promise<ArtifactRecord> {
  if (to) {
    const deployment = await ctx.ledger.getDeployment(to);
    if (deployment) {
      if (deployment.env !== ctx.env) {
        throw inputError(
          "rollback/other-environment",
          `deployment ${to} belongs to ${deployment.env}, not ${ctx.env}`,
        );
      }
      await ctx.trust.deployment(deployment);
      if (deployment.status !== "succeeded") {
        throw inputError(
          "rollback/not-healthy",
          `deployment ${to} ${deployment.status.replace("_", " ")}: it never ran healthy`,
          {
            hint: `pick one that succeeded: "shipgate history ${ctx.env}"`,
          },
        );
      }
      return resolveArtifact(ctx.ledger, deployment.artifactId);
    }
    return resolveArtifact(ctx.ledger, to);
  }
  const healthy: DeploymentRecord[] = await ctx.ledger.listDeployments({ env: ctx.env, status: "succeeded" });
  const candidate = healthy.find((d) => d.artifactId !== liveArtifact && d.plan.length > 0);
  if (candidate) await ctx.trust.deployment(candidate, { succeeded: true });
  if (!candidate) {
    throw inputError(
      "rollback/nothing-to-roll-back-to",
      `${ctx.env} has no earlier healthy release to go back to`,
      {
        hint: `see what ran there with "shipgate history ${ctx.env}"`,
      },
    );
  }
  return resolveArtifact(ctx.ledger, candidate.artifactId);
}

export type { EnvironmentState };

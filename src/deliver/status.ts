import { isShipgateError } from "../errors.js";
import type { DeploymentRecord } from "../ledger/types.js";
import { engineFor, liveRelease, outcome, recoverInterrupted } from "./deploy.js";
import { openEnvironment } from "./environment.js";
import type { DeploymentOutcome } from "./events.js";
import { acquireEnvironmentLock } from "./lock.js";
import { currentStep, describeStep, type Step } from "./steps.js";
import type { ReleaseState } from "./targets/types.js";

export interface StatusReport {
  env: string;
  url: string;
  live?: { release: string; artifact: string; deployment?: string; since?: string };
  /** A rollout another process is running now. */
  inFlight?: {
    deployment: string;
    kind: string;
    artifact: string;
    strategy: string;
    requestedBy: string;
    startedAt: string;
    step: { index: number; of: number; text: string };
  };
  releases: ReleaseState[];
  /** Deployments a killed process had left half done, finished by this call. */
  recovered: DeploymentOutcome[];
  /** What does not add up, such as a serving release the ledger has no record of. */
  warnings: string[];
}

/** What runs where: the live release, every running release, and any rollout in flight. */
export async function environmentStatus(options: {
  env: string;
  configPath?: string;
  cwd?: string;
}): Promise<StatusReport> {
  const ctx = await openEnvironment(options);
  try {
    let recovered: DeploymentRecord[] = [];
    let inFlight: StatusReport["inFlight"];
    try {
      const lock = await acquireEnvironmentLock({ ledger: ctx.ledger, env: ctx.env, waitMs: 0 });
      try {
        recovered = await recoverInterrupted(ctx, engineFor(ctx, {}, lock));
      } finally {
        await lock.release();
      }
    } catch (error) {
      if (!isShipgateError(error) || error.code !== "deploy/environment-busy") throw error;
      const holder = await ctx.ledger.getLock(ctx.env);
      const deployment = holder?.deploymentId
        ? await ctx.ledger.getDeployment(holder.deploymentId)
        : undefined;
      if (deployment) {
        const plan = deployment.plan as Step[];
        const step = currentStep(plan, deployment.stepIndex);
        inFlight = {
          deployment: deployment.id,
          kind: deployment.kind,
          artifact: deployment.artifactId,
          strategy: deployment.strategy,
          requestedBy: deployment.requestedBy,
          startedAt: deployment.createdAt,
          step: { index: deployment.stepIndex + 1, of: plan.length, text: step ? describeStep(step) : "" },
        };
      }
    }
    const state = await ctx.target.state();
    const live = liveRelease(state);
    const liveDeployment = live ? await ctx.ledger.getDeployment(live.id) : undefined;
    return {
      env: ctx.env,
      url: state.url,
      ...(live && {
        live: {
          release: live.id,
          artifact: live.artifactId,
          ...(liveDeployment && { deployment: liveDeployment.id }),
          ...(liveDeployment?.finishedAt && { since: liveDeployment.finishedAt }),
        },
      }),
      ...(inFlight && { inFlight }),
      releases: state.releases,
      recovered: recovered.map(outcome),
      warnings:
        live && !liveDeployment
          ? [
              `release ${live.id} serves ${ctx.env}, but the ledger has no deployment of it: the ledger was reset, cut short or replaced (check it against the last anchor a deploy printed: shipgate history --verify --anchor <seq:hash>)`,
            ]
          : [],
    };
  } finally {
    await ctx.close();
  }
}

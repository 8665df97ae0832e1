import type { EnvironmentConfig } from "../config/schema.js";
import type { DeploymentRecord, Ledger, NewEvent } from "../ledger/types.js";
import type { EngineEvent } from "./events.js";
import { StepFailure } from "./failure.js";
import { createStepRunner, type StepRunner } from "./step-runner.js";
import { type BeginStep, beginOf, currentStep, describeStep, type Step } from "./steps.js";
import type { ReleaseSpec, Target } from "./targets/types.js";

/**
 * The engine: a state machine over a deployment's persisted steps. It knows no target — it
 * calls the Target interface — and no strategy — it runs whatever steps the plan holds.
 * Every transition is written to the ledger before it acts, so a run killed at any point can
 * be finished by the next one (`recover`): rolled back, or resumed once the new release is live.
 */
export interface EngineOptions {
  ledger: Ledger;
  target: Target;
  env: string;
  envConfig: EnvironmentConfig;
  /** Directory of shipgate.yml: the smoke file is relative to it. */
  configDir: string;
  /** Turns a release of an artifact into what the target starts. */
  releaseSpec: (release: string, artifactId: string, instances: number) => Promise<ReleaseSpec>;
  onEvent?: (event: EngineEvent) => void;
  /** Set when the environment lock was lost; the engine then stops and rolls back. */
  lockHeld?: () => boolean;
  /** Poll interval of health and analysis, ms. */
  pollMs?: number;
}

export class Engine {
  private readonly runner: StepRunner;
  constructor(private readonly options: EngineOptions) {
    this.runner = createStepRunner(options);
  }

  /** Runs a deployment's remaining steps; on a failure rolls back (when automatic) and says why. */
  async run(deployment: DeploymentRecord): Promise<DeploymentRecord> {
    const plan = deployment.plan as Step[];
    for (let index = deployment.stepIndex; index < plan.length; index++) {
      const step = plan[index]!;
      await this.options.ledger.updateDeployment(deployment.id, { stepIndex: index });
      await this.record(deployment, "step.started", {
        index,
        kind: step.kind,
        step,
        text: describeStep(step),
      });
      const started = Date.now();
      try {
        if (this.options.lockHeld && !this.options.lockHeld()) {
          throw new StepFailure(`lost the lock on ${this.options.env}: another process took it over`);
        }
        const result = await this.runner.run(deployment, step);
        await this.record(deployment, "step.completed", {
          index,
          kind: step.kind,
          ms: Date.now() - started,
          ...result,
        });
      } catch (error) {
        const failure = error instanceof StepFailure ? error : new StepFailure(errorText(error));
        await this.record(deployment, "step.failed", {
          index,
          kind: step.kind,
          reason: failure.message,
          ms: Date.now() - started,
          ...failure.figures,
        });
        const reason = `${describeStep(step)}: ${failure.message}`;
        if (!this.options.envConfig.rollback.automatic) return this.finish(deployment, "failed", reason);
        await this.rollBack(deployment, reason);
        return this.finish(deployment, "rolled_back", reason);
      }
    }
    await this.options.ledger.updateDeployment(deployment.id, { stepIndex: plan.length });
    const begin = beginOf(plan);
    return this.finish(deployment, "succeeded", `${begin.release} is live and healthy`, {
      release: begin.release,
    });
  }

  /**
   * Puts the environment back on the stable release: its full set running and healthy, all
   * traffic on it, the new release drained and stopped. Every step is idempotent, so a
   * rollback interrupted half-way is simply run again.
   */
  async rollBack(deployment: DeploymentRecord, reason: string): Promise<void> {
    const begin = beginOf(deployment.plan as Step[]);
    await this.record(deployment, "rollback.started", { reason, to: begin.stable ?? null });
    for (const step of rollbackSteps(begin)) {
      if (step.kind === "stop" && !(await this.startedByThis(begin))) {
        // Same id, other artifact: a release this deployment did not start. Leave it running.
        await this.record(deployment, "rollback.step", {
          kind: "skip",
          step,
          text: `leave ${step.release} running: it is not the release this deployment started`,
        });
        continue;
      }
      await this.record(deployment, "rollback.step", { kind: step.kind, step, text: describeStep(step) });
      await this.runner.run(deployment, step);
    }
    await this.record(deployment, "rollback.completed", { live: begin.stable ?? null });
  }

  /**
   * Finishes a deployment whose process died: resumes it when it had already made the new
   * release live (only clean-up was left), otherwise rolls it back.
   */
  async recover(deployment: DeploymentRecord): Promise<DeploymentRecord> {
    const plan = deployment.plan as Step[];
    const promoteIndex = plan.findIndex((s) => s.kind === "promote");
    const interrupted = currentStep(plan, deployment.stepIndex);
    const at = interrupted
      ? `step ${deployment.stepIndex + 1} of ${plan.length} (${describeStep(interrupted)})`
      : "its end";
    const resumable = promoteIndex >= 0 && deployment.stepIndex > promoteIndex;
    await this.record(deployment, "recovery.started", {
      interruptedAt: deployment.stepIndex,
      action: resumable ? "resume" : "roll back",
    });
    if (resumable) return this.run(deployment);
    const reason = `interrupted at ${at}: the deploying process stopped`;
    await this.rollBack(deployment, reason);
    return this.finish(deployment, "rolled_back", reason);
  }

  /** Whether the release the plan starts runs this deployment's artifact (or runs nothing). */
  private async startedByThis(begin: BeginStep): Promise<boolean> {
    const running = (await this.options.target.state()).releases.find((r) => r.id === begin.release);
    return running === undefined || running.artifactId === begin.artifactId;
  }

  private async finish(
    deployment: DeploymentRecord,
    status: "succeeded" | "rolled_back" | "failed",
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<DeploymentRecord> {
    const type =
      status === "succeeded"
        ? "deploy.succeeded"
        : status === "failed"
          ? "deploy.failed"
          : "deploy.rolled_back";
    await this.record(deployment, type, { reason, ...extra });
    return this.options.ledger.updateDeployment(deployment.id, {
      status,
      reason,
      finishedAt: new Date().toISOString(),
    });
  }

  private async record(deployment: DeploymentRecord, type: string, data: Record<string, unknown>) {
    const event: NewEvent = { env: deployment.env, deploymentId: deployment.id, type, data };
    const appended = await this.options.ledger.appendEvent(event);
    this.options.onEvent?.({ type: "ledger", event: appended });
  }
}

/**
 * The way back to `begin.stable`; with no stable release, just stop the new one. The stable
 * release is never stopped, even if a damaged plan names it as the new one too.
 */
export function rollbackSteps(begin: BeginStep): Step[] {
  if (!begin.stable) return [{ kind: "stop", release: begin.release }];
  return [
    { kind: "scale", release: begin.stable, instances: begin.instances },
    { kind: "health", release: begin.stable },
    { kind: "weights", weights: { [begin.stable]: 100 } },
    ...(begin.release === begin.stable ? [] : [{ kind: "stop" as const, release: begin.release }]),
  ];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

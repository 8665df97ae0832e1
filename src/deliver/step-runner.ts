import { isAbsolute, join } from "node:path";
import type { DeploymentRecord } from "../ledger/types.js";
import { verifyRelease } from "../verify/index.js";
import { type CanaryAnalysis, createCanaryAnalysis, MAX_STEP_FACTOR } from "./analysis/index.js";
import type { Verdict } from "./analysis/types.js";
import type { EngineOptions } from "./engine.js";
import { StepFailure } from "./failure.js";
import { beginOf, type Step } from "./steps.js";
import type { ReleaseState } from "./targets/types.js";

/** How many restarts of one instance while waiting for health mean it is crash-looping. */
const CRASH_LOOP_RESTARTS = 3;

export interface StepRunner {
  /** Performs one step; returns the figures to record, or throws StepFailure. */
  run(deployment: DeploymentRecord, step: Step): Promise<Record<string, unknown>>;
}

export function createStepRunner(options: EngineOptions): StepRunner {
  const { target, envConfig } = options;
  const pollMs = options.pollMs ?? 200;
  const healthDeadlineMs = envConfig.verify.timeoutSeconds * 1000;
  // One analysis per deployment: evidence accumulates across traffic steps.
  const analyses = new Map<string, CanaryAnalysis>();

  async function release(id: string): Promise<ReleaseState | undefined> {
    return (await target.state()).releases.find((r) => r.id === id);
  }

  async function waitHealthy(id: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + healthDeadlineMs;
    const started = Date.now();
    for (;;) {
      const state = await release(id);
      if (!state) throw new StepFailure(`release ${id} is not running on the target`);
      if (state.desired > 0 && state.healthy >= state.desired) {
        return { healthy: state.healthy, waitedMs: Date.now() - started };
      }
      if (state.failure) {
        throw new StepFailure(state.failure, { healthy: state.healthy, desired: state.desired });
      }
      const looping = state.instances.find((i) => i.restarts >= CRASH_LOOP_RESTARTS);
      if (looping) {
        throw new StepFailure(
          `instance ${looping.id} crashed ${looping.restarts} times${looping.lastError ? `: ${looping.lastError}` : ""}`,
          { healthy: state.healthy, desired: state.desired },
        );
      }
      if (Date.now() >= deadline) {
        const failing = state.instances
          .filter((i) => i.state !== "healthy")
          .map((i) => `${i.id} ${i.state}${i.lastError ? ` (${i.lastError})` : ""}`);
        throw new StepFailure(
          `${state.healthy} of ${state.desired} instances healthy after ${Math.round(healthDeadlineMs / 1000)}s: ${failing.join("; ")}`,
          { healthy: state.healthy, desired: state.desired },
        );
      }
      await sleep(pollMs);
    }
  }

  async function smoke(id: string): Promise<Record<string, unknown>> {
    const smokeFile = envConfig.verify.smoke;
    const url = await target.directUrl(id);
    if (!url) throw new StepFailure(`release ${id} has no healthy instance to smoke-test`);
    const report = await verifyRelease({
      baseUrl: url,
      ...(smokeFile && { smokeFile: isAbsolute(smokeFile) ? smokeFile : join(options.configDir, smokeFile) }),
      ...(envConfig.verify.healthPath && { healthPath: envConfig.verify.healthPath }),
      readyPath: envConfig.verify.readyPath ?? null,
      deadlineMs: healthDeadlineMs,
      initialDelayMs: 100,
      maxDelayMs: 1000,
    });
    const failed = report.checks.filter((c) => !c.ok);
    if (!report.ok) {
      throw new StepFailure(
        `${failed.length} of ${report.checks.length} smoke checks failed: ${failed
          .map((c) => `${c.name} (${c.failures.join("; ")})`)
          .join(", ")}`,
        { checks: report.checks.length, failed: failed.map((c) => c.name) },
      );
    }
    return { checks: report.checks.length, ms: Math.round(report.durationMs) };
  }

  async function analyse(
    deployment: DeploymentRecord,
    step: Extract<Step, { kind: "analyse" }>,
  ): Promise<Record<string, unknown>> {
    let analysis = analyses.get(deployment.id);
    if (!analysis) {
      analysis = createCanaryAnalysis(envConfig.analysis);
      analyses.set(deployment.id, analysis);
      // The first measurement is the baseline the windows are counted from.
      analysis.observe(
        await target.metrics.measure([step.release, step.baseline]),
        step.release,
        step.baseline,
      );
    }
    analysis.beginStep();
    const started = Date.now();
    const due = started + step.seconds * 1000;
    // Until the canary is shown within the limits (too little traffic, a borderline canary, a
    // metrics backend that does not answer) the step holds at its share, this long at most.
    const holdUntil = started + (step.maxSeconds ?? MAX_STEP_FACTOR * step.seconds) * 1000;
    let lastProgress = 0;
    for (;;) {
      await sleep(pollMs);
      const measurement = await target.metrics.measure([step.release, step.baseline]);
      const verdict = analysis.observe(measurement, step.release, step.baseline);
      if (Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        options.onEvent?.({ type: "analysis.progress", deploymentId: deployment.id, verdict });
      }
      if (verdict.decision === "fail") throw new StepFailure(verdict.reason, { verdict: figures(verdict) });
      if (Date.now() < due) continue;
      const providerFailing = verdict.decision === "inconclusive";
      const concluded = providerFailing ? verdict : analysis.conclude();
      if (concluded.decision === "pass") return { verdict: figures(concluded) };
      if (Date.now() >= holdUntil) {
        // Opted in: a canary that showed no harm but could not show safety either (too little
        // traffic) advances once its smoke checks pass, recorded as advanced without evidence.
        // Never when the metrics could not be read: then harm could not have been seen.
        if (envConfig.analysis.whenInconclusive === "bake" && !providerFailing) {
          const smoked = await smoke(step.release);
          return { verdict: figures(concluded), advancedWithoutEvidence: true, smoke: smoked };
        }
        throw new StepFailure(
          `inconclusive after ${Math.round((Date.now() - started) / 1000)}s: ${concluded.reason}`,
          {
            verdict: figures(concluded),
          },
        );
      }
    }
  }

  return {
    async run(deployment, step) {
      switch (step.kind) {
        case "begin":
        case "promote":
          return {};
        case "start": {
          const begin = beginOf(deployment.plan as Step[]);
          await target.startRelease(
            await options.releaseSpec(step.release, begin.artifactId, step.instances),
          );
          return {};
        }
        case "scale":
          await target.scaleRelease(step.release, step.instances);
          return {};
        case "health":
          return waitHealthy(step.release);
        case "smoke":
          return smoke(step.release);
        case "weights":
          await target.setWeights(step.weights);
          return {};
        case "analyse":
          return analyse(deployment, step);
        case "stop":
          await target.stopRelease(step.release, step.afterMs ? { afterMs: step.afterMs } : {});
          return {};
      }
    },
  };
}

/** The verdict as recorded: plain numbers, rounded for reading. */
function figures(verdict: Verdict): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(verdict, (_k, v) => (typeof v === "number" ? Number(v.toPrecision(4)) : v)),
  );
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

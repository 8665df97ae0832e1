/**
 * The steps a deployment is made of. A plan is a list of these, persisted in the ledger
 * before anything acts; the engine runs them in order and records every transition, so a
 * killed run can be finished (rolled back or resumed) by the next one.
 */
import { MAX_STEP_FACTOR } from "./analysis/canary-analysis.js";

export type Step =
  /** No-op that records the deployment's context: which release replaces which. */
  | { kind: "begin"; release: string; artifactId: string; stable?: string; instances: number }
  /** Start instances of a release (no traffic yet). */
  | { kind: "start"; release: string; instances: number }
  /** Change a release's instance count; removed instances drain first. */
  | { kind: "scale"; release: string; instances: number }
  /** Wait until every desired instance of the release answers its health and readiness paths. */
  | { kind: "health"; release: string }
  /** Run the smoke file against the release directly, before it takes traffic. */
  | { kind: "smoke"; release: string }
  /** Set the traffic split (percent; releases not named get none). */
  | { kind: "weights"; weights: Record<string, number> }
  /** Watch canary against stable at the current split for `seconds`; fail on the evidence. */
  | {
      kind: "analyse";
      release: string;
      baseline: string;
      weight: number;
      /** The least time the step runs. */
      seconds: number;
      /** The longest it holds for evidence; absent in plans recorded before holds existed (3 × seconds). */
      maxSeconds?: number;
    }
  /** From here on the new release is live: a crash after this resumes instead of rolling back. */
  | { kind: "promote"; release: string }
  /** Drain and stop a release, now or after `afterMs` (blue-green keeps the old set a while). */
  | { kind: "stop"; release: string; afterMs?: number };

export type StepKind = Step["kind"];

export type BeginStep = Extract<Step, { kind: "begin" }>;

/** The plan's context, from its first step. */
export function beginOf(plan: readonly Step[]): BeginStep {
  const first = plan[0];
  if (first?.kind !== "begin") throw new Error("a deployment plan starts with a begin step");
  return first;
}

/** The step a deployment is at (its last one once every step completed). */
export function currentStep(plan: readonly Step[], stepIndex: number): Step | undefined {
  return plan[Math.min(stepIndex, plan.length - 1)];
}

/** One line for the timeline and the ledger: what the step does. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "begin":
      return step.stable ? `replace ${step.stable} with ${step.release}` : `first release ${step.release}`;
    case "start":
      return `start ${step.instances} instance${step.instances === 1 ? "" : "s"} of ${step.release}`;
    case "scale":
      return `scale ${step.release} to ${step.instances}`;
    case "health":
      return `wait for ${step.release} to be healthy`;
    case "smoke":
      return `smoke-test ${step.release} before it takes traffic`;
    case "weights":
      return `traffic ${Object.entries(step.weights)
        .map(([release, weight]) => `${release} ${weight}%`)
        .join(", ")}`;
    case "analyse":
      return `analyse ${step.release} at ${step.weight}% against ${step.baseline} for ${step.seconds}s, holding up to ${step.maxSeconds ?? MAX_STEP_FACTOR * step.seconds}s for evidence`;
    case "promote":
      return `${step.release} is live`;
    case "stop":
      return step.afterMs
        ? `keep ${step.release} for ${Math.round(step.afterMs / 1000)}s, then stop it`
        : `drain and stop ${step.release}`;
  }
}

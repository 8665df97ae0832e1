import type { Step } from "../steps.js";
import type { PlanInput } from "./types.js";

/** Start the full set, wait for it, smoke-test it: what every strategy begins with. */
export function startAndVerify(input: PlanInput, instances = input.instances): Step[] {
  return [
    { kind: "start", release: input.release, instances },
    { kind: "health", release: input.release },
    ...(input.smoke ? [{ kind: "smoke", release: input.release } as const] : []),
  ];
}

/** The first release of an environment has nothing to compare with or roll back to. */
export function firstRelease(input: PlanInput): Step[] {
  return [
    ...startAndVerify(input),
    { kind: "weights", weights: { [input.release]: 100 } },
    { kind: "promote", release: input.release },
  ];
}

export function begin(input: PlanInput): Step {
  return {
    kind: "begin",
    release: input.release,
    artifactId: input.artifactId,
    ...(input.stable && { stable: input.stable }),
    instances: input.instances,
  };
}

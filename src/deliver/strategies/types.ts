import type { Step } from "../steps.js";

export interface PlanInput {
  release: string;
  artifactId: string;
  /** The live release being replaced; absent for an environment's first deployment. */
  stable?: string;
  instances: number;
  /** Whether a smoke file is configured: adds a smoke step before traffic. */
  smoke: boolean;
}

/** A deployment strategy turns "replace stable with release" into steps. */
export interface Strategy<Options = unknown> {
  readonly id: string;
  plan(input: PlanInput, options: Options): Step[];
}

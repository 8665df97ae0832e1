import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import type { YamlMap, YamlValue } from "../../yaml-emit.js";

/**
 * How one deployment target looks in a GitHub workflow. The deploy, promote and rollback
 * workflows are assembled from these pieces, so a target never needs its own workflow code.
 * Every piece reads the image tag from `$IMAGE_TAG` / `env.IMAGE_TAG`, set on the job.
 */
export interface GithubTarget {
  /** Permissions the deploy job needs beyond `contents: read`. */
  permissions(env: EnvironmentPlan): Record<string, "read" | "write">;
  /** Job-level variables that name the target's resources. */
  jobEnv(model: PipelineModel, env: EnvironmentPlan): Record<string, string>;
  /** The job that builds the artifact once (environments fed by a push). */
  buildJob(model: PipelineModel, env: EnvironmentPlan): YamlMap;
  /** Steps that check the artifact `$IMAGE_TAG` exists, before anything changes. */
  artifactExists(model: PipelineModel, env: EnvironmentPlan): YamlValue[];
  /** Steps that roll `$IMAGE_TAG` out and wait until the platform reports it stable. */
  deploy(model: PipelineModel, env: EnvironmentPlan): YamlValue[];
  /** Steps that restore what ran before, run when a later step failed. */
  rollback(model: PipelineModel, env: EnvironmentPlan): YamlValue[];
  /** Whether the engine verifies and rolls back on its own (no separate verify step). */
  verifiesItself: boolean;
  /** Runner labels for this environment's jobs. */
  runsOn(env: EnvironmentPlan): string | string[];
}

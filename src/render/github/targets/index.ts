import type { TargetType } from "../../../config/schema.js";
import { ecsTarget } from "./ecs.js";
import { kubernetesTarget } from "./kubernetes.js";
import { localTarget } from "./local.js";
import type { GithubTarget } from "./types.js";

/** The workflow pieces of every target type (sorted). */
export const GITHUB_TARGETS = {
  ecs: ecsTarget,
  kubernetes: kubernetesTarget,
  local: localTarget,
} as const satisfies Record<TargetType, GithubTarget>;

import {
  createKubernetesTarget,
  KUBERNETES_CAPABILITIES,
  type KubernetesTargetOptions,
} from "./kubernetes/index.js";
import { createLocalTarget, LOCAL_CAPABILITIES, type LocalTargetOptions } from "./local/index.js";
import type { Target, TargetCapabilities } from "./types.js";

/** How a target is made: each target takes its own options (a port, a cluster, a region). */
export interface TargetDefinition<Options> {
  readonly id: string;
  readonly summary: string;
  readonly capabilities: TargetCapabilities;
  create(options: Options): Target;
}

/** Every target, keyed by the `target.type` of shipgate.yml. ecs joins here. */
export const TARGETS = {
  kubernetes: {
    id: "kubernetes",
    summary:
      "a Deployment on a Kubernetes cluster, with canary and preview Deployments beside it and weights on its router",
    capabilities: KUBERNETES_CAPABILITIES,
    create: (options: KubernetesTargetOptions) => createKubernetesTarget(options),
  },
  local: {
    id: "local",
    summary: "releases as supervised processes behind shipgate's own router on this machine",
    capabilities: LOCAL_CAPABILITIES,
    create: (options: LocalTargetOptions) => createLocalTarget(options),
  },
} satisfies Record<string, TargetDefinition<never>>;

export type TargetId = keyof typeof TARGETS;

import { createLocalTarget, LOCAL_CAPABILITIES, type LocalTargetOptions } from "./local/index.js";
import type { Target, TargetCapabilities } from "./types.js";

/** How a target is made: each target takes its own options (a port, a cluster, a region). */
export interface TargetDefinition<Options> {
  readonly id: string;
  readonly summary: string;
  readonly capabilities: TargetCapabilities;
  create(options: Options): Target;
}

/** Every target, keyed by the `target.type` of shipgate.yml. ecs and kubernetes join here. */
export const TARGETS = {
  local: {
    id: "local",
    summary: "releases as supervised processes behind shipgate's own router on this machine",
    capabilities: LOCAL_CAPABILITIES,
    create: (options: LocalTargetOptions) => createLocalTarget(options),
  },
} satisfies Record<string, TargetDefinition<never>>;

export type TargetId = keyof typeof TARGETS;

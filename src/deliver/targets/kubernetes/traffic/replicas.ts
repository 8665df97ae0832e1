import { withConflictRetry } from "../api.js";
import type { DeploymentObject } from "../workloads.js";
import { type Shares, sharesOf, type TrafficRouter } from "./types.js";

/**
 * No router: the canary's pods carry the labels the stable Service selects, so each ready pod
 * takes an equal part of its traffic and the canary's share is its share of ready pods (Argo
 * Rollouts' basic canary). A share is reached by scaling the canary beside the unchanged stable
 * set, and is only as fine as the stable set is large: 10% of 2 stable pods is 1 canary pod,
 * a third of the traffic. `read` reports the share the ready pods actually give.
 */
export function replicasRouter(): TrafficRouter {
  return {
    type: "replicas",
    async validate() {},
    async read(context) {
      const ready = (d: DeploymentObject | undefined) => d?.status?.readyReplicas ?? 0;
      if (!context.side) return { primary: 100, side: 0 };
      const shares = sharesOf(ready(context.primary), ready(context.side.deployment));
      return shares.primary + shares.side === 0 ? { primary: 100, side: 0 } : shares;
    },
    async write(context, shares: Shares) {
      const side = context.side;
      if (!side) return;
      const stable = context.primary.spec.replicas ?? 1;
      const replicas =
        shares.side <= 0
          ? 0
          : shares.side >= 100
            ? stable
            : Math.max(1, Math.round((stable * shares.side) / (100 - shares.side)));
      await withConflictRetry(async () => {
        const current = await context.api.read<DeploymentObject>(
          "apps/v1",
          "Deployment",
          side.deployment.metadata.name,
        );
        if (!current || current.spec.replicas === replicas) return;
        current.spec.replicas = replicas;
        await context.api.replace(current);
      });
    },
  };
}

import type { KubeApi } from "../api.js";
import type { DeploymentObject } from "../workloads.js";

/** The two sides of an environment's traffic, in percent. */
export interface Shares {
  primary: number;
  side: number;
}

export interface RouterContext {
  api: KubeApi;
  /** The stable Deployment, as read for this call. */
  primary: DeploymentObject;
  /** The Service in front of it, which the route already sends traffic to. */
  stableService: string;
  /** The canary or preview Deployment and its Service, when there is one. */
  side?: { deployment: DeploymentObject; service: string };
  /** Every name a side Service can have: references to any of them are removed at 0%. */
  sideServices: readonly string[];
}

/**
 * What splits traffic between the stable Deployment and the side one. `write` is idempotent
 * and writes at the object's resourceVersion; a side share of 0 removes the side from the
 * router altogether, so the side's Service can be deleted right after.
 */
export interface TrafficRouter {
  readonly type: "gateway-api" | "istio" | "replicas";
  /** Bad configuration is an input error (exit 2), found before anything changes. */
  validate(context: Omit<RouterContext, "side">): Promise<void>;
  read(context: RouterContext): Promise<Shares>;
  write(context: RouterContext, shares: Shares): Promise<void>;
}

/** Percentages from two weights; a side that is not referenced has none. */
export function sharesOf(primaryWeight: number, sideWeight: number): Shares {
  const total = primaryWeight + sideWeight;
  if (total <= 0) return { primary: 0, side: 0 };
  const side = Math.round((100 * sideWeight) / total);
  return { primary: 100 - side, side };
}

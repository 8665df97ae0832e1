import type { KubernetesTrafficConfig } from "../../../../config/schema.js";
import { gatewayApiRouter } from "./gateway-api.js";
import { istioRouter } from "./istio.js";
import { replicasRouter } from "./replicas.js";
import type { TrafficRouter } from "./types.js";

export type { RouterContext, Shares, TrafficRouter } from "./types.js";

export function routerFor(traffic: KubernetesTrafficConfig): TrafficRouter {
  switch (traffic.type) {
    case "gateway-api":
      return gatewayApiRouter(traffic.httpRoute);
    case "istio":
      return istioRouter(traffic.virtualService);
    case "replicas":
      return replicasRouter();
  }
}

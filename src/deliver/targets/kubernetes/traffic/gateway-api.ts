import { inputError } from "../../../../errors.js";
import { type KubeObject, withConflictRetry } from "../api.js";
import { type RouterContext, type Shares, sharesOf, type TrafficRouter } from "./types.js";

const API_VERSION = "gateway.networking.k8s.io/v1";

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [key: string]: unknown;
}

interface HttpRoute extends KubeObject {
  spec: { rules?: Array<{ backendRefs?: BackendRef[]; [key: string]: unknown }>; [key: string]: unknown };
}

function isService(ref: BackendRef, name: string, namespace: string): boolean {
  return (
    (ref.group ?? "") === "" &&
    (ref.kind ?? "Service") === "Service" &&
    ref.name === name &&
    (ref.namespace ?? namespace) === namespace
  );
}

/**
 * Gateway API: the weights of an HTTPRoute's backendRefs, as Flagger sets them. Every rule that
 * sends traffic to the stable Service gets the side Service beside it (same port) at the side's
 * share. Without a gateway controller the weights are only stored; with one, the gateway
 * applies them as it reconciles the route.
 */
export function gatewayApiRouter(httpRoute: string): TrafficRouter {
  async function readRoute(context: Pick<RouterContext, "api">): Promise<HttpRoute> {
    const route = await context.api.read<HttpRoute>(API_VERSION, "HTTPRoute", httpRoute);
    if (!route) {
      throw inputError(
        "kubernetes/no-route",
        `HTTPRoute ${httpRoute} does not exist in namespace ${context.api.namespace}`,
        { hint: "create it, or correct target.traffic.httpRoute in shipgate.yml" },
      );
    }
    return route;
  }
  const stableRules = (route: HttpRoute, context: Pick<RouterContext, "api" | "stableService">) =>
    (route.spec.rules ?? []).filter((rule) =>
      (rule.backendRefs ?? []).some((ref) => isService(ref, context.stableService, context.api.namespace)),
    );

  return {
    type: "gateway-api",
    async validate(context) {
      const route = await readRoute(context);
      if (stableRules(route, context).length === 0) {
        throw inputError(
          "kubernetes/route-without-service",
          `HTTPRoute ${httpRoute} has no backendRef to Service ${context.stableService}: shipgate would have no traffic to shift`,
          {
            hint: `add a rule with backendRefs: [{ name: ${context.stableService}, port: <port> }], or set target.service to the Service it does reference`,
          },
        );
      }
    },
    async read(context) {
      const route = await readRoute(context);
      const rule = stableRules(route, context)[0];
      if (!rule) return { primary: 0, side: 0 };
      const refs = rule.backendRefs ?? [];
      const weight = (ref: BackendRef | undefined) => (ref ? (ref.weight ?? 1) : 0);
      const stable = refs.find((r) => isService(r, context.stableService, context.api.namespace));
      const side =
        context.side && refs.find((r) => isService(r, context.side!.service, context.api.namespace));
      return sharesOf(weight(stable), weight(side));
    },
    async write(context, shares: Shares) {
      const { namespace } = context.api;
      await withConflictRetry(async () => {
        const route = await readRoute(context);
        const before = JSON.stringify(route.spec);
        for (const rule of stableRules(route, context)) {
          const refs = rule.backendRefs ?? [];
          const stable = refs.find((r) => isService(r, context.stableService, namespace))!;
          stable.weight = shares.primary;
          const others = refs.filter(
            (r) => !context.sideServices.some((name) => isService(r, name, namespace)),
          );
          if (shares.side > 0 && context.side) {
            const existing = refs.find((r) => isService(r, context.side!.service, namespace));
            others.push({
              ...(existing ?? {
                name: context.side.service,
                ...(stable.port !== undefined && { port: stable.port }),
              }),
              weight: shares.side,
            });
          }
          rule.backendRefs = others;
        }
        if (JSON.stringify(route.spec) === before) return;
        await context.api.replace(route);
      });
    },
  };
}

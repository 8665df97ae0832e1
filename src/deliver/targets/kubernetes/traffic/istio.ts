import { inputError } from "../../../../errors.js";
import { type KubeObject, withConflictRetry } from "../api.js";
import { type RouterContext, type Shares, sharesOf, type TrafficRouter } from "./types.js";

const API_VERSION = "networking.istio.io/v1";

interface Destination {
  destination: { host: string; subset?: string; port?: { number?: number } };
  weight?: number;
  [key: string]: unknown;
}

interface VirtualService extends KubeObject {
  spec: { http?: Array<{ route?: Destination[]; [key: string]: unknown }>; [key: string]: unknown };
}

/** A destination host names the Service by its short name or by a longer DNS name in the namespace. */
function isHost(host: string, service: string, namespace: string): boolean {
  return (
    host === service || host === `${service}.${namespace}` || host.startsWith(`${service}.${namespace}.svc`)
  );
}

/**
 * Istio: the weights of a VirtualService's HTTP routes, as the seeds' example sets them. Every
 * route to the stable Service's host gets the side Service's host beside it at the side's share.
 */
export function istioRouter(virtualService: string): TrafficRouter {
  async function readService(context: Pick<RouterContext, "api">): Promise<VirtualService> {
    const vs = await context.api.read<VirtualService>(API_VERSION, "VirtualService", virtualService);
    if (!vs) {
      throw inputError(
        "kubernetes/no-route",
        `VirtualService ${virtualService} does not exist in namespace ${context.api.namespace}`,
        { hint: "create it, or correct target.traffic.virtualService in shipgate.yml" },
      );
    }
    return vs;
  }
  const stableRoutes = (vs: VirtualService, context: Pick<RouterContext, "api" | "stableService">) =>
    (vs.spec.http ?? []).filter((http) =>
      (http.route ?? []).some((d) =>
        isHost(d.destination.host, context.stableService, context.api.namespace),
      ),
    );

  return {
    type: "istio",
    async validate(context) {
      const vs = await readService(context);
      if (stableRoutes(vs, context).length === 0) {
        throw inputError(
          "kubernetes/route-without-service",
          `VirtualService ${virtualService} has no HTTP route to the host of Service ${context.stableService}: shipgate would have no traffic to shift`,
          {
            hint: `add an http route with destination.host: ${context.stableService}, or set target.service`,
          },
        );
      }
    },
    async read(context) {
      const vs = await readService(context);
      const http = stableRoutes(vs, context)[0];
      if (!http) return { primary: 0, side: 0 };
      const route = http.route ?? [];
      const { namespace } = context.api;
      // A lone destination without a weight takes everything.
      const weight = (d: Destination | undefined) => (d ? (d.weight ?? (route.length === 1 ? 100 : 0)) : 0);
      const stable = route.find((d) => isHost(d.destination.host, context.stableService, namespace));
      const side =
        context.side && route.find((d) => isHost(d.destination.host, context.side!.service, namespace));
      return sharesOf(weight(stable), weight(side));
    },
    async write(context, shares: Shares) {
      const { namespace } = context.api;
      await withConflictRetry(async () => {
        const vs = await readService(context);
        const before = JSON.stringify(vs.spec);
        for (const http of stableRoutes(vs, context)) {
          const route = http.route ?? [];
          const stable = route.find((d) => isHost(d.destination.host, context.stableService, namespace))!;
          stable.weight = shares.primary;
          const others = route.filter(
            (d) => !context.sideServices.some((name) => isHost(d.destination.host, name, namespace)),
          );
          if (shares.side > 0 && context.side) {
            const existing = route.find((d) => isHost(d.destination.host, context.side!.service, namespace));
            others.push({
              ...(existing ?? {
                destination: {
                  host: context.side.service,
                  ...(stable.destination.port && { port: stable.destination.port }),
                },
              }),
              weight: shares.side,
            });
          }
          http.route = others;
        }
        if (JSON.stringify(vs.spec) === before) return;
        await context.api.replace(vs);
      });
    },
  };
}

/**
 * The routers' writes against an API stand-in (no cluster): which backends a rule ends up
 * with at each share, that a conflicting write is re-read and re-decided rather than forced,
 * and that objects the routers do not own are left as they were.
 */
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  type KubeApi,
  type KubeObject,
} from "../../../../src/deliver/targets/kubernetes/api.js";
import { gatewayApiRouter } from "../../../../src/deliver/targets/kubernetes/traffic/gateway-api.js";
import { istioRouter } from "../../../../src/deliver/targets/kubernetes/traffic/istio.js";
import type { DeploymentObject } from "../../../../src/deliver/targets/kubernetes/workloads.js";

/** One object in memory, with resourceVersions; `conflicts` replaces fail as if someone wrote first. */
function oneObject(initial: KubeObject, conflicts = 0) {
  let stored: KubeObject = structuredClone({
    ...initial,
    metadata: { ...initial.metadata, resourceVersion: "1" },
  });
  let pending = conflicts;
  const writes: KubeObject[] = [];
  const api = {
    server: "https://stand-in",
    namespace: "shop",
    async read() {
      return structuredClone(stored);
    },
    async replace(object: KubeObject) {
      if (pending > 0) {
        pending--;
        // Someone else's write lands first: a new version with their label.
        stored = {
          ...stored,
          metadata: {
            ...stored.metadata,
            labels: { team: "other" },
            resourceVersion: String(Number(stored.metadata.resourceVersion) + 1),
          },
        };
        throw new ConflictError(`${object.kind}/${object.metadata.name}`);
      }
      if (object.metadata.resourceVersion !== stored.metadata.resourceVersion)
        throw new ConflictError("stale");
      stored = {
        ...structuredClone(object),
        metadata: {
          ...object.metadata,
          resourceVersion: String(Number(stored.metadata.resourceVersion) + 1),
        },
      };
      writes.push(structuredClone(stored));
      return stored;
    },
  } as unknown as KubeApi;
  return { api, writes, current: () => stored };
}

const primary = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "orders" },
  spec: {},
} as unknown as DeploymentObject;
const canary = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "orders-canary" },
  spec: {},
} as unknown as DeploymentObject;
const sideServices = ["orders-canary", "orders-preview"];

describe("gateway-api router", () => {
  const route = (): KubeObject => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "orders" },
    spec: {
      rules: [
        { matches: [{ path: { value: "/api" } }], backendRefs: [{ name: "orders", port: 80 }] },
        { backendRefs: [{ name: "docs", port: 8080 }] },
      ],
    },
  });

  it("adds the canary beside the stable Service in every rule that routes to it, then removes it at 0%", async () => {
    const store = oneObject(route());
    const router = gatewayApiRouter("orders");
    const context = {
      api: store.api,
      primary,
      stableService: "orders",
      sideServices,
      side: { deployment: canary, service: "orders-canary" },
    };
    await router.write(context, { primary: 75, side: 25 });
    expect(store.current().spec.rules[0].backendRefs).toEqual([
      { name: "orders", port: 80, weight: 75 },
      { name: "orders-canary", port: 80, weight: 25 },
    ]);
    expect(await router.read(context)).toEqual({ primary: 75, side: 25 });
    // The other rule is not shipgate's to touch.
    expect(store.current().spec.rules[1]).toEqual(route().spec.rules[1]);
    await router.write(context, { primary: 100, side: 0 });
    expect(store.current().spec.rules[0].backendRefs).toEqual([{ name: "orders", port: 80, weight: 100 }]);
    // Writing what is there already writes nothing.
    const before = store.writes.length;
    await router.write(context, { primary: 100, side: 0 });
    expect(store.writes).toHaveLength(before);
  });

  it("re-reads after a conflict and keeps the other writer's change", async () => {
    const store = oneObject(route(), 2);
    await gatewayApiRouter("orders").write(
      {
        api: store.api,
        primary,
        stableService: "orders",
        sideServices,
        side: { deployment: canary, service: "orders-canary" },
      },
      { primary: 90, side: 10 },
    );
    expect(store.current().metadata.labels).toEqual({ team: "other" });
    expect(store.current().spec.rules[0].backendRefs[1]).toEqual({
      name: "orders-canary",
      port: 80,
      weight: 10,
    });
  });

  it("refuses a route with no backendRef to the stable Service", async () => {
    const store = oneObject(route());
    await expect(
      gatewayApiRouter("orders").validate({
        api: store.api,
        primary,
        stableService: "orders-v2",
        sideServices,
      }),
    ).rejects.toMatchObject({ code: "kubernetes/route-without-service", exitCode: 2 });
  });
});

describe("istio router", () => {
  it("weights the routes to the stable host (short or cluster-local name) and leaves other routes alone", async () => {
    const store = oneObject({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "orders" },
      spec: {
        hosts: ["orders.example.com"],
        http: [
          { route: [{ destination: { host: "orders.shop.svc.cluster.local", port: { number: 80 } } }] },
          { route: [{ destination: { host: "legacy" } }] },
        ],
      },
    });
    const router = istioRouter("orders");
    const context = {
      api: store.api,
      primary,
      stableService: "orders",
      sideServices,
      side: { deployment: canary, service: "orders-canary" },
    };
    expect(await router.read(context)).toEqual({ primary: 100, side: 0 });
    await router.write(context, { primary: 95, side: 5 });
    expect(store.current().spec.http[0].route).toEqual([
      { destination: { host: "orders.shop.svc.cluster.local", port: { number: 80 } }, weight: 95 },
      { destination: { host: "orders-canary", port: { number: 80 } }, weight: 5 },
    ]);
    expect(store.current().spec.http[1]).toEqual({ route: [{ destination: { host: "legacy" } }] });
    await router.write(context, { primary: 100, side: 0 });
    expect(store.current().spec.http[0].route).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import {
  type DeploymentObject,
  rolloutOf,
  sideDeployment,
} from "../../../../src/deliver/targets/kubernetes/workloads.js";

const stable = (status: DeploymentObject["status"], generation = 2): DeploymentObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "orders", generation, uid: "u-1", labels: { app: "orders" } },
  spec: {
    replicas: 3,
    progressDeadlineSeconds: 60,
    selector: { matchLabels: { app: "orders" } },
    template: {
      metadata: { labels: { app: "orders", tier: "web" } },
      spec: {
        containers: [
          { name: "app", image: "orders:v1" },
          { name: "proxy", image: "envoy:1" },
        ],
      },
    },
  },
  ...(status && { status }),
});

describe("rolloutOf (what kubectl rollout status decides)", () => {
  it("is done only when the controller saw the spec and every replica is updated and available, none old", () => {
    expect(
      rolloutOf(stable({ observedGeneration: 1, updatedReplicas: 3, availableReplicas: 3, replicas: 3 }))
        .done,
    ).toBe(false);
    expect(
      rolloutOf(stable({ observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3, replicas: 4 }))
        .done,
    ).toBe(false);
    expect(
      rolloutOf(stable({ observedGeneration: 2, updatedReplicas: 3, availableReplicas: 2, replicas: 3 }))
        .done,
    ).toBe(false);
    const done = rolloutOf(
      stable({ observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3, replicas: 3 }),
    );
    expect(done).toEqual({ done: true, desired: 3, healthy: 3 });
  });

  it("fails on ProgressDeadlineExceeded, but only for the spec the controller has seen", () => {
    const conditions = [
      {
        type: "Progressing",
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: 'ReplicaSet "orders-7c" has timed out progressing.',
      },
    ];
    expect(
      rolloutOf(
        stable({ observedGeneration: 2, updatedReplicas: 1, availableReplicas: 2, replicas: 4, conditions }),
      ).failure,
    ).toMatch(/progress deadline \(60s\): ReplicaSet "orders-7c" has timed out progressing/);
    expect(rolloutOf(stable({ observedGeneration: 1, conditions })).failure).toBeUndefined();
  });
});

describe("sideDeployment", () => {
  it("runs the new image in the named container only, selected by shipgate's labels, owned by the stable Deployment", () => {
    const canary = sideDeployment({
      primary: stable(undefined),
      track: "canary",
      name: "orders-canary",
      container: "app",
      image: "orders:v2",
      release: "production-4-a1b2c3",
      artifact: "orders:v2",
      replicas: 3,
      avoidSelector: { app: "orders" },
    });
    expect(canary.spec.template.spec.containers.map((c) => c.image)).toEqual(["orders:v2", "envoy:1"]);
    expect(canary.spec.selector.matchLabels).toEqual({
      "shipgate.dev/deployment": "orders",
      "shipgate.dev/track": "canary",
    });
    // Out of the stable Service (which selects app=orders), the rest of the labels kept.
    expect(canary.spec.template.metadata?.labels).toMatchObject({
      app: "orders-canary",
      tier: "web",
      "shipgate.dev/release": "production-4-a1b2c3",
    });
    expect(canary.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "orders", uid: "u-1" },
    ]);
    expect(canary.metadata.annotations).toEqual({
      "shipgate.dev/release": "production-4-a1b2c3",
      "shipgate.dev/artifact": "orders:v2",
    });
  });

  it("keeps the stable Service's labels without a router, so the canary's pods join it", () => {
    const canary = sideDeployment({
      primary: stable(undefined),
      track: "canary",
      name: "orders-canary",
      container: "app",
      image: "orders:v2",
      release: "r",
      artifact: "orders:v2",
      replicas: 1,
    });
    expect(canary.spec.template.metadata?.labels?.app).toBe("orders");
  });
});

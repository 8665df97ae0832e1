/**
 * Each strategy on the kubernetes target against the real control plane (kube-apiserver,
 * controller-manager, scheduler, etcd; KWOK's nodes): a healthy release is promoted, and one
 * that fails readiness, smoke or analysis is rolled back, leaving exactly the expected objects.
 * What these prove and what they cannot (KWOK pods serve no traffic) is in ./support.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deploy } from "../../../../src/deliver/deploy.js";
import { rollback } from "../../../../src/deliver/rollback.js";
import { environmentStatus } from "../../../../src/deliver/status.js";
import {
  type Cluster,
  deleteNamespace,
  failingCanary,
  healthyCanary,
  IMAGE,
  inventory,
  isLedgerStep,
  kubernetesProject,
  leftovers,
  previewStandIn,
  productionDeploy,
  routeWeights,
  stableEnvironment,
  type Traffic,
  waitUntil,
  withCluster,
} from "./support.js";

const TIMEOUT = 180_000;
const CANARY = "{ canary: { steps: [20, 50, 100], stepSeconds: 1 } }";

withCluster("kubernetes target strategies", (kubeconfig) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    try {
      // Every test ends with a finished deployment: nothing of shipgate's may be left behind.
      if (cluster) {
        expect(await leftovers(cluster), "objects left in the namespace").toEqual({
          deployments: [],
          services: [],
          replicaSets: [],
          pods: [],
        });
      }
    } finally {
      await deleteNamespace(cluster);
      cluster = undefined;
    }
  });

  async function noPodsOf(track: string) {
    await waitUntil(`the ${track} pods to go`, async () => {
      const pods = await cluster!.admin.core.listNamespacedPod({
        namespace: cluster!.namespace,
        labelSelector: `shipgate.dev/track=${track}`,
      });
      return pods.items.length === 0;
    });
  }

  describe.each<Traffic>(["gateway-api", "istio"])("canary with %s weights", (traffic) => {
    it(
      "promotes a healthy canary onto the stable Deployment, then removes the canary and its weight",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic });
        const project = await kubernetesProject(cluster, { traffic, strategy: CANARY });
        const seen: Array<Array<Record<string, number>>> = [];
        const outcome = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("v2"),
          metrics: healthyCanary(),
          onEvent: (event) => {
            if (isLedgerStep(event, "step.completed", "weights")) {
              void routeWeights(cluster!, traffic).then((w) => seen.push(w));
            }
          },
        });
        expect(outcome.ok, outcome.reason).toBe(true);
        const after = await inventory(cluster);
        expect(Object.keys(after.deployments)).toEqual(["orders"]);
        expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
        expect(after.deployments.orders!.annotations["shipgate.dev/release"]).toBe(outcome.live);
        expect(after.services).toEqual(["orders"]);
        expect(await routeWeights(cluster, traffic)).toEqual([{ orders: 100 }]);
        // The canary really took its shares on the way.
        expect(seen.flat()).toContainEqual({ orders: 80, "orders-canary": 20 });
        await noPodsOf("canary");
      },
      TIMEOUT,
    );

    it(
      "rolls back a canary the analysis finds failing: weights back to stable, then the canary deleted",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic });
        const project = await kubernetesProject(cluster, { traffic, strategy: CANARY });
        const outcome = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("v2"),
          // A test provider reporting 30% errors for the canary: the real Prometheus path is
          // tested with the prometheus provider.
          metrics: failingCanary(),
        });
        expect(outcome.ok).toBe(false);
        expect(outcome.deployment.status).toBe("rolled_back");
        expect(outcome.reason).toMatch(/analyse/);
        const after = await inventory(cluster);
        expect(Object.keys(after.deployments)).toEqual(["orders"]);
        expect(after.deployments.orders!.image).toBe(IMAGE("v1"));
        expect(after.services).toEqual(["orders"]);
        expect(await routeWeights(cluster, traffic)).toEqual([{ orders: 100 }]);
        await noPodsOf("canary");
      },
      TIMEOUT,
    );
  });

  it(
    "`rollback` after two promoted canaries brings the previous image back onto the stable Deployment in one command",
    async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
      const project = await kubernetesProject(cluster, {
        traffic: "gateway-api",
        strategy: "{ canary: { steps: [50, 100], stepSeconds: 1 } }",
      });
      const options = {
        env: "production",
        configPath: project.configPath,
        requestedBy: "test",
        pollMs: 100,
        metrics: healthyCanary(),
      };
      const v2 = await deploy({ ...options, artifact: IMAGE("v2") });
      expect(v2.ok, v2.reason).toBe(true);
      const v3 = await deploy({ ...options, artifact: IMAGE("v3") });
      expect(v3.ok, v3.reason).toBe(true);
      expect((await inventory(cluster)).deployments.orders!.image).toBe(IMAGE("v3"));

      const back = await rollback(options);
      expect(back.ok, back.reason).toBe(true);
      // v2 no longer runs anywhere: it starts beside v3, becomes healthy, and takes over.
      expect(back.deployment.strategy).toBe("restart");
      const after = await inventory(cluster);
      expect(Object.keys(after.deployments)).toEqual(["orders"]);
      expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
      expect(after.deployments.orders!.annotations["shipgate.dev/artifact"]).toBe(IMAGE("v2"));
      expect(after.services).toEqual(["orders"]);
      expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
      const status = await environmentStatus({ env: "production", configPath: project.configPath });
      expect(status.live?.artifact).toBe(IMAGE("v2"));
    },
    TIMEOUT,
  );

  it(
    "rolls back a canary whose pods never become ready, before it takes any traffic",
    async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api", progressDeadlineSeconds: 4 });
      const project = await kubernetesProject(cluster, { traffic: "gateway-api", strategy: CANARY });
      const outcome = await deploy({
        ...productionDeploy(project),
        artifact: IMAGE("never-ready"),
        metrics: healthyCanary(),
      });
      expect(outcome.deployment.status).toBe("rolled_back");
      expect(outcome.reason).toMatch(/healthy|progress deadline/);
      expect(Object.keys((await inventory(cluster)).deployments)).toEqual(["orders"]);
      expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
    },
    TIMEOUT,
  );

  it(
    "without a metric provider, holds the analysis and rolls back as inconclusive: never a pass on no evidence",
    async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
      const project = await kubernetesProject(cluster, { traffic: "gateway-api", strategy: CANARY });
      const outcome = await deploy({
        ...productionDeploy(project),
        artifact: IMAGE("v2"),
      });
      expect(outcome.deployment.status).toBe("rolled_back");
      expect(outcome.reason).toMatch(/inconclusive/);
      expect((await inventory(cluster)).deployments.orders!.image).toBe(IMAGE("v1"));
    },
    TIMEOUT,
  );

  it(
    "canary without a router: the canary's share is its share of ready pods behind the one Service",
    async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "replicas", replicas: 4 });
      const project = await kubernetesProject(cluster, { traffic: "replicas", strategy: CANARY });
      const shares: number[] = [];
      const outcome = await deploy({
        ...productionDeploy(project),
        artifact: IMAGE("v2"),
        metrics: healthyCanary(),
        onEvent: (event) => {
          if (isLedgerStep(event, "step.started", "analyse")) {
            void cluster!.admin.apps
              .readNamespacedDeployment({ name: "orders-canary", namespace: cluster!.namespace })
              .then((d) => shares.push(d.spec!.replicas!));
          }
        },
      });
      expect(outcome.ok, outcome.reason).toBe(true);
      // 20% of 4 stable pods is 1 canary pod; 50% is 4.
      expect(shares).toEqual([1, 4]);
      const after = await inventory(cluster);
      expect(Object.keys(after.deployments)).toEqual(["orders"]);
      expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
      await noPodsOf("canary");
    },
    TIMEOUT,
  );

  describe("blue-green", () => {
    it(
      "smoke-tests the preview Service before any traffic, switches at once, keeps the old set, and rolls back in one command",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
        const preview = await previewStandIn(false);
        try {
          const project = await kubernetesProject(cluster, {
            traffic: "gateway-api",
            strategy: "blue-green",
            serviceUrl: preview.url,
            smoke: true,
            extra: "    rollback: { keepPrevious: 1h }",
          });
          const outcome = await deploy({
            ...productionDeploy(project),
            artifact: IMAGE("v2"),
          });
          expect(outcome.ok, outcome.reason).toBe(true);
          expect(preview.paths).toEqual([
            `/orders-preview/${cluster.namespace}/80/health`,
            `/orders-preview/${cluster.namespace}/80/api/orders`,
          ]);
          expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 0, "orders-preview": 100 }]);
          const kept = await inventory(cluster);
          expect(kept.deployments.orders!.image).toBe(IMAGE("v1"));
          expect(kept.deployments.orders!.annotations["shipgate.dev/retire-at"]).toBeTruthy();
          expect(kept.deployments["orders-preview"]!.image).toBe(IMAGE("v2"));

          const status = await environmentStatus({ env: "production", configPath: project.configPath });
          expect(status.live?.release).toBe(outcome.live);
          expect(status.releases.find((r) => r.weight === 0)?.retireAt).toBeTruthy();

          // A new deploy ends the wait: v2 moves onto the stable Deployment, v3 goes to preview.
          const next = await deploy({
            ...productionDeploy(project),
            artifact: IMAGE("v3"),
          });
          expect(next.ok, next.reason).toBe(true);
          const both = await inventory(cluster);
          expect(both.deployments.orders!.image).toBe(IMAGE("v2"));
          expect(both.deployments["orders-preview"]!.image).toBe(IMAGE("v3"));

          const back = await rollback({
            env: "production",
            configPath: project.configPath,
            requestedBy: "test",
            pollMs: 100,
          });
          expect(back.ok, back.reason).toBe(true);
          // v2 still runs beside v3: traffic switches straight back, nothing starts.
          expect(back.deployment.strategy).toBe("switch-back");
          expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
          const after = await inventory(cluster);
          expect(Object.keys(after.deployments)).toEqual(["orders"]);
          expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
          expect(after.deployments.orders!.annotations["shipgate.dev/retire-at"]).toBeUndefined();
          expect(after.services).toEqual(["orders"]);
          await noPodsOf("preview");
        } finally {
          preview.server.close();
        }
      },
      TIMEOUT,
    );

    it(
      "with keepPrevious 0, moves the live release onto the stable Deployment right after the switch",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic: "istio" });
        const preview = await previewStandIn(false);
        try {
          const project = await kubernetesProject(cluster, {
            traffic: "istio",
            strategy: "blue-green",
            serviceUrl: preview.url,
            smoke: true,
            extra: "    rollback: { keepPrevious: 0s }",
          });
          const outcome = await deploy({
            ...productionDeploy(project),
            artifact: IMAGE("v2"),
          });
          expect(outcome.ok, outcome.reason).toBe(true);
          expect(await routeWeights(cluster, "istio")).toEqual([{ orders: 100 }]);
          const after = await inventory(cluster);
          expect(Object.keys(after.deployments)).toEqual(["orders"]);
          expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
          expect(after.services).toEqual(["orders"]);
        } finally {
          preview.server.close();
        }
      },
      TIMEOUT,
    );

    it(
      "rolls back a preview whose pods never become ready (its progress deadline passes): the switch never happens",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api", progressDeadlineSeconds: 4 });
        const project = await kubernetesProject(cluster, {
          traffic: "gateway-api",
          strategy: "blue-green",
          timeoutSeconds: 60,
        });
        const moved: unknown[] = [];
        const started = Date.now();
        const outcome = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("never-ready"),
          onEvent: (event) => {
            if (isLedgerStep(event, "step.completed", "weights")) {
              moved.push(event.event.data);
            }
          },
        });
        expect(outcome.deployment.status).toBe("rolled_back");
        expect(outcome.reason).toMatch(/wait for .* to be healthy: .*progress deadline/);
        // Failed on the preview's deadline, not on verify.timeoutSeconds.
        expect(Date.now() - started).toBeLessThan(45_000);
        expect(moved).toEqual([]);
        expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
        const after = await inventory(cluster);
        expect(after.deployments.orders!.image).toBe(IMAGE("v1"));
      },
      TIMEOUT,
    );

    it(
      "rolls back a preview whose smoke checks fail: no traffic ever reached it",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
        const preview = await previewStandIn(true);
        const weights: Array<Array<Record<string, number>>> = [];
        try {
          const project = await kubernetesProject(cluster, {
            traffic: "gateway-api",
            strategy: "blue-green",
            serviceUrl: preview.url,
            smoke: true,
            timeoutSeconds: 3,
          });
          const outcome = await deploy({
            ...productionDeploy(project),
            artifact: IMAGE("v2"),
            onEvent: (event) => {
              if (event.type === "ledger" && event.event.type === "step.failed") {
                void routeWeights(cluster!, "gateway-api").then((w) => weights.push(w));
              }
            },
          });
          expect(outcome.deployment.status).toBe("rolled_back");
          expect(outcome.reason).toMatch(/smoke/);
          expect(weights[0]).toEqual([{ orders: 1 }]);
          expect(Object.keys((await inventory(cluster)).deployments)).toEqual(["orders"]);
          expect((await inventory(cluster)).services).toEqual(["orders"]);
        } finally {
          preview.server.close();
        }
      },
      TIMEOUT,
    );
  });

  describe("rolling", () => {
    it(
      "patches the image, follows the Deployment's rollout, and `rollback` restores the previous release in one command",
      async () => {
        cluster = await stableEnvironment(kubeconfig, { traffic: "replicas", replicas: 3 });
        const project = await kubernetesProject(cluster, { traffic: "replicas", strategy: "rolling" });
        const first = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("v2"),
        });
        expect(first.ok, first.reason).toBe(true);
        const second = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("v3"),
        });
        expect(second.ok, second.reason).toBe(true);
        const rolled = await cluster.admin.apps.readNamespacedDeployment({
          name: "orders",
          namespace: cluster.namespace,
        });
        expect(rolled.spec!.template.spec!.containers[0]!.image).toBe(IMAGE("v3"));
        expect(rolled.status!.updatedReplicas).toBe(3);

        const back = await rollback({
          env: "production",
          configPath: project.configPath,
          requestedBy: "test",
          pollMs: 100,
        });
        expect(back.ok, back.reason).toBe(true);
        const after = await inventory(cluster);
        expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
        expect(Object.keys(after.deployments)).toEqual(["orders"]);
        // Deploying what is live again does nothing.
        const again = await deploy({
          env: "production",
          artifact: IMAGE("v2"),
          configPath: project.configPath,
          requestedBy: "test",
        });
        expect(again.ok).toBe(true);
        expect(again.reason).toMatch(/already live/);
      },
      TIMEOUT,
    );

    it(
      "rolls back a release whose rollout passes its progress deadline (ProgressDeadlineExceeded) by restoring the previous template",
      async () => {
        cluster = await stableEnvironment(kubeconfig, {
          traffic: "replicas",
          replicas: 2,
          progressDeadlineSeconds: 3,
        });
        const project = await kubernetesProject(cluster, {
          traffic: "replicas",
          strategy: "rolling",
          timeoutSeconds: 60,
        });
        const before = await cluster.admin.apps.readNamespacedDeployment({
          name: "orders",
          namespace: cluster.namespace,
        });
        const started = Date.now();
        const outcome = await deploy({
          ...productionDeploy(project),
          artifact: IMAGE("never-ready"),
        });
        expect(outcome.deployment.status).toBe("rolled_back");
        expect(outcome.reason).toMatch(/progress deadline/);
        // Failed on the deadline, not on verify.timeoutSeconds.
        expect(Date.now() - started).toBeLessThan(45_000);
        const after = await cluster.admin.apps.readNamespacedDeployment({
          name: "orders",
          namespace: cluster.namespace,
        });
        expect(after.spec!.template).toEqual(before.spec!.template);
        expect(after.metadata!.annotations?.["shipgate.dev/previous"]).toBeUndefined();
        await waitUntil("the restored rollout", async () => {
          const d = await cluster!.admin.apps.readNamespacedDeployment({
            name: "orders",
            namespace: cluster!.namespace,
          });
          return (
            d.status?.updatedReplicas === 2 && d.status?.availableReplicas === 2 && d.status?.replicas === 2
          );
        });
      },
      TIMEOUT,
    );
  });
});

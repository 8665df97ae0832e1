/**
 * The kubernetes bench's environment on the test cluster, built exactly as the target's tests
 * build theirs (test/deliver/targets/kubernetes/environment.ts): a namespace of its own with the
 * stable Deployment `orders` (2 replicas, container `app`), its Service `orders`, and an
 * HTTPRoute `orders` sending all the traffic to that Service.
 */
import {
  deleteNamespace,
  IMAGE,
  routeWeights,
  stableEnvironment as testEnvironment,
} from "../../test/deliver/targets/kubernetes/environment.js";

export { IMAGE };

export interface BenchCluster {
  k8s: typeof import("@kubernetes/client-node");
  config: import("@kubernetes/client-node").KubeConfig;
  namespace: string;
  /** The route's backends as `service → weight`, one record per rule. */
  routeWeights(): Promise<Array<Record<string, number>>>;
  /** The release the stable Deployment runs, by shipgate's annotation. */
  stableRelease(): Promise<string | undefined>;
  /** Deletes the namespace and everything in it. */
  remove(): Promise<void>;
}

export async function stableEnvironment(kubeconfig: string): Promise<BenchCluster> {
  // The bench's steps are long (the tests decide, not the step's end): a generous deadline.
  const cluster = await testEnvironment(kubeconfig, {
    traffic: "gateway-api",
    prefix: "sg-bench-",
    progressDeadlineSeconds: 600,
  });
  const { admin, namespace } = cluster;
  return {
    k8s: admin.k8s,
    config: admin.config,
    namespace,
    routeWeights: () => routeWeights(cluster, "gateway-api"),
    async stableRelease() {
      const d = await admin.apps.readNamespacedDeployment({ name: "orders", namespace });
      return d.metadata?.annotations?.["shipgate.dev/release"];
    },
    remove: () => deleteNamespace(cluster),
  };
}

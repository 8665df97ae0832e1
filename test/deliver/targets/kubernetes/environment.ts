/**
 * The test cluster's objects the Kubernetes target is tried against: a namespace with a
 * stable Deployment, its Service and a route, and reading them back. Free of vitest, so the
 * benchmarks build the same environment as the tests (support.ts adds what only tests need).
 */
import { randomBytes } from "node:crypto";

type K8s = typeof import("@kubernetes/client-node");

export interface Admin {
  k8s: K8s;
  objects: import("@kubernetes/client-node").KubernetesObjectApi;
  core: import("@kubernetes/client-node").CoreV1Api;
  apps: import("@kubernetes/client-node").AppsV1Api;
  config: import("@kubernetes/client-node").KubeConfig;
}

export async function admin(kubeconfig: string): Promise<Admin> {
  const k8s = await import("@kubernetes/client-node");
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfig);
  return {
    k8s,
    config,
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
  };
}

export type Traffic = "gateway-api" | "istio" | "replicas";

export const IMAGE = (tag: string) => `registry.test/orders:${tag}`;

export interface Cluster {
  admin: Admin;
  namespace: string;
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A namespace with the stable Deployment `orders` (2 replicas of IMAGE("v1"), container `app`),
 * its Service `orders`, and the route of `traffic`, rolled out and ready.
 */
export async function stableEnvironment(
  kubeconfig: string,
  options: {
    traffic: Traffic;
    replicas?: number;
    progressDeadlineSeconds?: number;
    /** Namespace prefix, so that what a run leaves is told apart (`sg-bench-` for the bench). */
    prefix?: string;
  },
): Promise<Cluster> {
  const a = await admin(kubeconfig);
  const namespace = `${options.prefix ?? "sg-"}${randomBytes(4).toString("hex")}`;
  await a.core.createNamespace({
    body: { metadata: { name: namespace, labels: { "shipgate.test": "true" } } },
  });
  // Pods cannot be created before the namespace's default ServiceAccount exists.
  await waitUntil("the default ServiceAccount", async () =>
    (await a.core.listNamespacedServiceAccount({ namespace })).items.some(
      (s) => s.metadata?.name === "default",
    ),
  );
  const labels = { app: "orders" };
  await a.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "orders", labels },
      spec: {
        replicas: options.replicas ?? 2,
        progressDeadlineSeconds: options.progressDeadlineSeconds ?? 6,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: "app", image: IMAGE("v1"), ports: [{ containerPort: 8080, name: "http" }] }],
          },
        },
      },
    },
  });
  await a.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: "orders" },
      spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" as never }] },
    },
  });
  if (options.traffic === "gateway-api") {
    await a.objects.create({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "orders", namespace },
      spec: {
        parentRefs: [{ name: "public" }],
        hostnames: ["orders.test"],
        rules: [{ backendRefs: [{ name: "orders", port: 80 }] }],
      },
    } as never);
  }
  if (options.traffic === "istio") {
    await a.objects.create({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "orders", namespace },
      spec: {
        hosts: ["orders.test"],
        http: [{ route: [{ destination: { host: "orders", port: { number: 80 } } }] }],
      },
    } as never);
  }
  await waitUntil("the stable Deployment's rollout", async () => {
    const d = await a.apps.readNamespacedDeployment({ name: "orders", namespace });
    return (d.status?.availableReplicas ?? 0) === (options.replicas ?? 2);
  });
  return { admin: a, namespace };
}

export async function deleteNamespace(cluster: Cluster | undefined) {
  if (!cluster) return;
  await cluster.admin.core.deleteNamespace({ name: cluster.namespace }).catch(() => {});
}

/** The route's backends as `service → weight` (gateway-api or istio), every rule or route. */
export async function routeWeights(
  cluster: Cluster,
  traffic: Traffic,
): Promise<Array<Record<string, number>>> {
  const { admin: a, namespace } = cluster;
  if (traffic === "gateway-api") {
    const route = (await a.objects.read({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "orders", namespace },
    })) as unknown as { spec: { rules: Array<{ backendRefs: Array<{ name: string; weight?: number }> }> } };
    return route.spec.rules.map((r) => Object.fromEntries(r.backendRefs.map((b) => [b.name, b.weight ?? 1])));
  }
  if (traffic === "istio") {
    const vs = (await a.objects.read({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "orders", namespace },
    })) as unknown as {
      spec: { http: Array<{ route: Array<{ destination: { host: string }; weight?: number }> }> };
    };
    return vs.spec.http.map((h) =>
      Object.fromEntries(h.route.map((d) => [d.destination.host, d.weight ?? 100])),
    );
  }
  return [];
}

/** Every Service the route sends traffic to exists: weights never point at a deleted Service. */

/** The start of a shipgate.yml whose `production` environment is the namespace's Deployment. */
export function productionTargetLines(namespace: string, traffic: string): string[] {
  return [
    "app: { name: orders, language: node }",
    "environments:",
    "  production:",
    "    target:",
    "      type: kubernetes",
    "      provider: generic",
    `      namespace: ${namespace}`,
    "      deployment: orders",
    "      container: app",
    `      traffic: ${traffic}`,
  ];
}

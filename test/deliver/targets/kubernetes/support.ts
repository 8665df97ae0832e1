/**
 * What the kubernetes target's tests share: the test cluster (`npm run cluster -- up`, which
 * .ci/run starts), a namespace of their own per test with a stable Deployment, its Service and
 * a route, a shipgate project pointing at it, and test metric providers.
 *
 * KWOK's pods run nothing and serve no traffic. These tests prove the control-plane half:
 * the objects shipgate writes, the weights, the real Deployment rollouts (progress deadlines
 * included), RBAC, crash recovery and the ledger. They do not prove that a gateway or mesh
 * applies the weights, nor anything about HTTP through a Service: smoke checks go to a local
 * stand-in server, and the analysis reads the metric providers below.
 */
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import { join } from "node:path";
import { it } from "vitest";
import type { EngineEvent } from "../../../../src/deliver/events.js";
import type { LedgerEvent } from "../../../../src/ledger/types.js";
import { tempDir } from "../../../helpers/tmp.js";
import { type Cluster, productionTargetLines, routeWeights, type Traffic } from "./environment.js";

export {
  type Admin,
  admin,
  type Cluster,
  deleteNamespace,
  IMAGE,
  routeWeights,
  stableEnvironment,
  type Traffic,
  waitUntil,
} from "./environment.js";
export { failingCanary, fakeTraffic, healthyCanary } from "./test-metrics.js";

export const KUBECONFIG = process.env.SHIPGATE_TEST_KUBECONFIG;
const MISSING =
  "SHIPGATE_TEST_KUBECONFIG is not set: start the test cluster with `npm run cluster -- up` (.ci/run does)";

/**
 * Registers the suite when a cluster is up; otherwise a test that fails under CI (which must
 * never pass by skipping) and a skipped one locally.
 */
export function withCluster(name: string, suite: (kubeconfig: string) => void): void {
  if (KUBECONFIG) {
    // The target resolves the kubeconfig as kubectl does.
    process.env.KUBECONFIG = KUBECONFIG;
    suite(KUBECONFIG);
    return;
  }
  if (process.env.CI) {
    it(`${name}: has a test cluster`, () => {
      throw new Error(MISSING);
    });
  } else {
    it.skip(`${name}: ${MISSING}`, () => {});
  }
}

/** What is in the namespace: Deployments (name → image), Services, the route's weights. */
export async function inventory(cluster: Cluster) {
  const { admin: a, namespace } = cluster;
  const deployments = Object.fromEntries(
    (await a.apps.listNamespacedDeployment({ namespace })).items.map((d) => [
      d.metadata!.name!,
      {
        image: d.spec!.template.spec!.containers[0]!.image!,
        replicas: d.spec!.replicas,
        annotations: d.metadata?.annotations ?? {},
      },
    ]),
  );
  const services = (await a.core.listNamespacedService({ namespace })).items
    .map((s) => s.metadata!.name!)
    .sort();
  return { deployments, services };
}

/**
 * Everything a deployment can leave in the namespace beyond the stable Deployment and its
 * Service: other Deployments and Services, and the canary's or preview's ReplicaSets and pods
 * (deleted in the background by the garbage collector, so waited for). After a finished
 * deployment, every list is empty.
 */
export async function leftovers(cluster: Cluster, timeoutMs = 30_000) {
  const { admin: a, namespace } = cluster;
  const side = async () => ({
    replicaSets: (
      await a.apps.listNamespacedReplicaSet({ namespace, labelSelector: "shipgate.dev/track" })
    ).items.map((r) => r.metadata!.name!),
    pods: (await a.core.listNamespacedPod({ namespace, labelSelector: "shipgate.dev/track" })).items.map(
      (p) => p.metadata!.name!,
    ),
  });
  const deadline = Date.now() + timeoutMs;
  let found = await side();
  while ((found.replicaSets.length > 0 || found.pods.length > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    found = await side();
  }
  const { deployments, services } = await inventory(cluster);
  return {
    deployments: Object.keys(deployments).filter((name) => name !== "orders"),
    services: services.filter((name) => name !== "orders"),
    ...found,
  };
}

export async function routedServicesExist(cluster: Cluster, traffic: Traffic): Promise<string[]> {
  const services = new Set((await inventory(cluster)).services);
  return (await routeWeights(cluster, traffic)).flatMap((rule) =>
    Object.entries(rule)
      .filter(([name, weight]) => weight > 0 && !services.has(name))
      .map(([name]) => name),
  );
}

/**
 * Watches, until stopped, that the route never sends traffic to a Service that does not exist,
 * polling throughout a deployment (and its kill, and its recovery) rather than only once it
 * ended. The route is read between two lists of Services, and only a Service missing from both
 * counts, so a Service created or deleted while the route was being read is not taken for one
 * the route points at while it is gone.
 */
export function watchRoutedServices(cluster: Cluster, traffic: Traffic, everyMs = 100) {
  const violations: string[] = [];
  /** Every Service the route was seen sending traffic to: shows the watch saw the shifts. */
  const routed = new Set<string>();
  let stopped = false;
  const services = async () => new Set((await inventory(cluster)).services);
  const loop = (async () => {
    while (!stopped) {
      try {
        const before = await services();
        const rules = await routeWeights(cluster, traffic);
        const after = await services();
        for (const rule of rules) {
          for (const [name, weight] of Object.entries(rule)) {
            if (weight > 0) routed.add(name);
            if (weight > 0 && !before.has(name) && !after.has(name)) {
              violations.push(`${new Date().toISOString()}: ${weight}% to missing Service ${name}`);
            }
          }
        }
      } catch {
        // A read that failed proves nothing either way; the next one counts.
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ violations: string[]; routed: string[] }> {
      stopped = true;
      await loop;
      return { violations, routed: [...routed].sort() };
    },
  };
}

export interface Project {
  dir: string;
  configPath: string;
}

/** What every deploy of these tests shares: the production environment of the test project, polled fast. */
export function productionDeploy(project: Project) {
  return { env: "production", configPath: project.configPath, requestedBy: "test", pollMs: 100 } as const;
}

/** Whether an engine event is the ledger's record of a step of `kind` reaching `type`. */
export function isLedgerStep(
  event: EngineEvent,
  type: string,
  kind: string,
): event is { type: "ledger"; event: LedgerEvent } {
  return event.type === "ledger" && event.event.type === type && event.event.data.kind === kind;
}

/** A shipgate project whose `production` environment is the namespace's Deployment. */
export async function kubernetesProject(
  cluster: Cluster,
  options: {
    traffic: Traffic;
    strategy: string;
    timeoutSeconds?: number;
    /** Writes a smoke file with one check and sets verify.smoke to it. */
    smoke?: boolean;
    serviceUrl?: string;
    /** target.apiRetrySeconds: how long an unanswering API server is retried. */
    apiRetrySeconds?: number;
    extra?: string;
  },
): Promise<Project> {
  const dir = await tempDir();
  const traffic =
    options.traffic === "gateway-api"
      ? "{ type: gateway-api, httpRoute: orders }"
      : options.traffic === "istio"
        ? "{ type: istio, virtualService: orders }"
        : "{ type: replicas }";
  const lines = [
    ...productionTargetLines(cluster.namespace, traffic),
    ...(options.serviceUrl ? [`      serviceUrl: "${options.serviceUrl}"`] : []),
    ...(options.apiRetrySeconds ? [`      apiRetrySeconds: ${options.apiRetrySeconds}`] : []),
    `    strategy: ${options.strategy}`,
    `    verify: { timeoutSeconds: ${options.timeoutSeconds ?? 30}${options.smoke ? ", smoke: smoke.yml" : ""} }`,
    // The test providers' traffic (100 requests a poll, no errors) shows a healthy canary
    // within these limits at its first polls; at the defaults it would take about twenty.
    "    analysis: { minRequests: 20, maxErrorRate: 0.05, errorTolerance: 1 }",
    ...(options.extra ? [options.extra] : []),
    "",
  ];
  await writeFile(join(dir, "shipgate.yml"), lines.join("\n"));
  if (options.smoke) await writeFile(join(dir, "smoke.yml"), "- path: /api/orders\n");
  return { dir, configPath: join(dir, "shipgate.yml") };
}

/** A stand-in for the preview Service (KWOK's pods serve nothing): answers 200, or 500 on `failing`. */
export async function previewStandIn(
  failing: boolean,
): Promise<{ url: string; server: Server; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    res.statusCode = failing ? 500 : 200;
    res.end(failing ? "broken" : "ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/{service}/{namespace}/{port}`, server, paths };
}

/**
 * A TCP proxy in front of the test cluster's API server that a test can cut and restore: what
 * an API server that stops answering (a network partition, a control-plane outage) looks like
 * to shipgate, without stopping the API server the other tests share. TLS passes through
 * untouched, so the admin's kubeconfig works through it with only the server address changed.
 */
export async function cuttableApiServer(cluster: Cluster): Promise<{
  kubeconfigPath: string;
  cut: () => Promise<void>;
  restore: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const upstream = new URL(cluster.admin.config.getCurrentCluster()!.server);
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const to = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, to]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        to.destroy();
      });
    }
    client.pipe(to).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const dir = await tempDir();
  const kubeconfigPath = join(dir, "kubeconfig");
  const config = JSON.parse(cluster.admin.config.exportConfig()) as {
    clusters: Array<{ cluster: { server: string } }>;
  };
  for (const c of config.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
  await writeFile(kubeconfigPath, JSON.stringify(config));
  const cut = async () => {
    // Refused from now on; connections already open (kept alive by the client) are reset.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    kubeconfigPath,
    cut,
    restore: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    close: async () => {
      if (server.listening) await cut();
    },
  };
}

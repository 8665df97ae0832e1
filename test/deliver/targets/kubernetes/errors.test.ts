/**
 * Bad input and bad clusters, against the real control plane: each is a ShipgateError with a
 * code, a message naming the object (or the verb and resource to grant) and the exit code the
 * CLI gives it; and two deploys of one environment never interleave.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { deploy } from "../../../../src/deliver/deploy.js";
import { environmentStatus } from "../../../../src/deliver/status.js";
import { createKubernetesTarget } from "../../../../src/deliver/targets/kubernetes/index.js";
import { isShipgateError } from "../../../../src/errors.js";
import { openLedger } from "../../../../src/ledger/index.js";
import { tempDir } from "../../../helpers/tmp.js";
import {
  type Cluster,
  cuttableApiServer,
  deleteNamespace,
  failingCanary,
  healthyCanary,
  IMAGE,
  inventory,
  isLedgerStep,
  kubernetesProject,
  productionDeploy,
  routedServicesExist,
  routeWeights,
  stableEnvironment,
  withCluster,
} from "./support.js";

withCluster("kubernetes target errors", (kubeconfig) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await deleteNamespace(cluster);
    cluster = undefined;
  });

  async function deployError(configPath: string) {
    return deploy({ env: "production", artifact: IMAGE("v2"), configPath, requestedBy: "test" }).then(
      () => {
        throw new Error("deploy should have failed");
      },
      (error: unknown) => error,
    );
  }

  async function rewrite(configPath: string, from: string, to: string) {
    await writeFile(configPath, (await readFile(configPath, "utf8")).replace(from, to));
  }

  it("names a Deployment that does not exist (exit 2)", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "replicas" });
    const project = await kubernetesProject(cluster, { traffic: "replicas", strategy: "rolling" });
    await rewrite(project.configPath, "deployment: orders", "deployment: payments");
    const error = await deployError(project.configPath);
    expect(isShipgateError(error)).toBe(true);
    expect(error).toMatchObject({ code: "kubernetes/no-deployment", exitCode: 2 });
    expect((error as Error).message).toContain(
      `Deployment payments does not exist in namespace ${cluster.namespace}`,
    );
  }, 60_000);

  it("names a container that is not in the pod template, and the ones that are (exit 2)", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "replicas" });
    const project = await kubernetesProject(cluster, { traffic: "replicas", strategy: "rolling" });
    await rewrite(project.configPath, "container: app", "container: web");
    const error = await deployError(project.configPath);
    expect(error).toMatchObject({ code: "kubernetes/no-container", exitCode: 2 });
    expect((error as Error).message).toMatch(/no container "web".*it has app/);
  }, 60_000);

  it("refuses an HTTPRoute that does not send traffic to the stable Service (exit 2), changing nothing", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
    const project = await kubernetesProject(cluster, {
      traffic: "gateway-api",
      strategy: "{ canary: { steps: [10, 100], stepSeconds: 1 } }",
    });
    await rewrite(project.configPath, "deployment: orders", "deployment: orders\n      service: orders-v2");
    const error = await deployError(project.configPath);
    expect(error).toMatchObject({ code: "kubernetes/route-without-service", exitCode: 2 });
    expect((error as Error).message).toContain("HTTPRoute orders has no backendRef to Service orders-v2");
    expect(Object.keys((await inventory(cluster)).deployments)).toEqual(["orders"]);
  }, 60_000);

  /**
   * A ServiceAccount bound to a Role with `rules`, and a kubeconfig (context `deployer`) that
   * signs in as it with a token: what a pipeline's credentials look like to the API server.
   */
  async function deployerAccount(c: Cluster, rules: unknown[]) {
    const { core, objects, config } = c.admin;
    const namespace = c.namespace;
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "deployer" } } });
    await objects.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "deployer", namespace },
      rules,
    } as never);
    await objects.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "deployer", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace }],
    } as never);
    const token = await core.createNamespacedServiceAccountToken({
      name: "deployer",
      namespace,
      body: { spec: { expirationSeconds: 3600, audiences: [] } },
    });
    const server = config.getCurrentCluster()!;
    const file = join(await tempDir(), "kubeconfig");
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "test", cluster: { server: server.server, "certificate-authority-data": server.caData } },
        ],
        users: [{ name: "deployer", user: { token: token.status!.token } }],
        contexts: [{ name: "deployer", context: { cluster: "test", user: "deployer", namespace } }],
        "current-context": "",
      }),
    );
    return { kubeconfigPath: file, token: token.status!.token! };
  }

  async function asAccount<T>(kubeconfigPath: string, run: () => Promise<T>): Promise<T> {
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfigPath;
    try {
      return await run();
    } finally {
      process.env.KUBECONFIG = previous;
    }
  }

  it("says which verbs on which resources an account lacks (RBAC forbidden, exit 2), before changing anything", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
    // Everything the canary needs except updating the HTTPRoute.
    const account = await deployerAccount(cluster, [
      {
        apiGroups: ["apps"],
        resources: ["deployments"],
        verbs: ["get", "list", "watch", "create", "update", "delete"],
      },
      { apiGroups: [""], resources: ["services"], verbs: ["get", "create", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
      { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: ["get"] },
    ]);
    const project = await kubernetesProject(cluster, {
      traffic: "gateway-api",
      strategy: "{ canary: { steps: [10, 100], stepSeconds: 1 } }",
    });
    await rewrite(project.configPath, "provider: generic", "provider: generic\n      context: deployer");
    const error = await asAccount(account.kubeconfigPath, () => deployError(project.configPath));
    expect(error).toMatchObject({ code: "kubernetes/forbidden", exitCode: 2 });
    expect((error as Error).message).toContain("may not update httproutes.gateway.networking.k8s.io");
    expect((error as Error).message).not.toContain(account.token);
    expect(Object.keys((await inventory(cluster)).deployments)).toEqual(["orders"]);
  }, 60_000);

  it("the minimal Role in docs/targets/kubernetes.md is enough: a canary deploys and rolls back with it alone", async () => {
    const docs = await readFile(new URL("../../../../docs/targets/kubernetes.md", import.meta.url), "utf8");
    const block = /## RBAC: a minimal Role[\s\S]*?```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    const role = parseAllDocuments(block ?? "")
      .map((d) => d.toJS() as { kind?: string; rules?: unknown[] })
      .find((d) => d.kind === "Role");
    expect(role?.rules, "the docs' Role").toBeDefined();
    cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
    const account = await deployerAccount(cluster, role!.rules!);
    const project = await kubernetesProject(cluster, {
      traffic: "gateway-api",
      strategy: "{ canary: { steps: [50, 100], stepSeconds: 1 } }",
    });
    await rewrite(project.configPath, "provider: generic", "provider: generic\n      context: deployer");
    const options = {
      env: "production",
      configPath: project.configPath,
      requestedBy: "test",
      pollMs: 100,
    };
    const promoted = await asAccount(account.kubeconfigPath, () =>
      deploy({ ...options, artifact: IMAGE("v2"), metrics: healthyCanary() }),
    );
    expect(promoted.ok, promoted.reason).toBe(true);
    const rolledBack = await asAccount(account.kubeconfigPath, () =>
      deploy({ ...options, artifact: IMAGE("v3"), metrics: failingCanary() }),
    );
    expect(rolledBack.deployment.status, rolledBack.reason).toBe("rolled_back");
    expect(rolledBack.reason).toMatch(/analyse/);
    const after = await inventory(cluster);
    expect(Object.keys(after.deployments)).toEqual(["orders"]);
    expect(after.deployments.orders!.image).toBe(IMAGE("v2"));
    expect(after.services).toEqual(["orders"]);
  }, 120_000);

  it("an unknown kubeconfig context is bad input (exit 2)", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "replicas" });
    const project = await kubernetesProject(cluster, { traffic: "replicas", strategy: "rolling" });
    await rewrite(project.configPath, "provider: generic", "provider: generic\n      context: elsewhere");
    const error = await deployError(project.configPath);
    expect(error).toMatchObject({ code: "kubernetes/unknown-context", exitCode: 2 });
  }, 60_000);

  it("an API server that stops answering mid-canary: the step fails as kubernetes/unreachable after its retries, no weight is left on a missing Service, and the next command rolls back", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
    const project = await kubernetesProject(cluster, {
      traffic: "gateway-api",
      strategy: "{ canary: { steps: [20, 50, 100], stepSeconds: 1 } }",
      // Shorter than the default 30 s, so that both retried calls fit a test's time.
      apiRetrySeconds: 6,
    });
    const api = await cuttableApiServer(cluster);
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = api.kubeconfigPath;
    try {
      let cutting: Promise<void> | undefined;
      const started = Date.now();
      const error = await deploy({
        ...productionDeploy(project),
        artifact: IMAGE("v2"),
        metrics: healthyCanary(),
        onEvent: (event) => {
          // The canary has 20% of the traffic; the analysis reads only the metric provider, so
          // the next call to the API server is the move to 50%.
          if (isLedgerStep(event, "step.started", "analyse")) cutting ??= api.cut();
        },
      }).then(
        (outcome) => outcome,
        (e: unknown) => e,
      );
      await cutting;
      // The move to 50% and the first rollback step each retried for the 6 s budget.
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
      expect(error).toMatchObject({ code: "kubernetes/unreachable", exitCode: 1 });
      expect((error as Error).message).toMatch(/API server at https:\/\/127\.0\.0\.1:\d+ did not answer/);
      // Left as it was when the API server went away: the canary at 20% behind its Service.
      expect(await routedServicesExist(cluster, "gateway-api")).toEqual([]);
      expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 80, "orders-canary": 20 }]);
      const ledger = await openLedger({ stateDir: join(project.dir, ".shipgate") });
      try {
        expect(await ledger.listDeployments({ env: "production", status: "running" })).toHaveLength(1);
      } finally {
        await ledger.close();
      }

      // Once it answers again, the next command finds the deployment unfinished and rolls it back.
      await api.restore();
      const status = await environmentStatus({ env: "production", configPath: project.configPath });
      expect(status.recovered).toHaveLength(1);
      expect(status.recovered[0]!.deployment.status).toBe("rolled_back");
      expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
      const after = await inventory(cluster);
      expect(Object.keys(after.deployments)).toEqual(["orders"]);
      expect(after.deployments.orders!.image).toBe(IMAGE("v1"));
      expect(after.services).toEqual(["orders"]);
    } finally {
      process.env.KUBECONFIG = previous;
      await api.close();
    }
  }, 180_000);

  it("serializes two deploys of one environment: the second waits for the lock, or says who holds it", async () => {
    cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
    // A canary whose analysis takes a few seconds keeps the first deploy busy.
    const project = await kubernetesProject(cluster, {
      traffic: "gateway-api",
      strategy: "{ canary: { steps: [50, 100], stepSeconds: 4 } }",
    });
    const options = {
      env: "production",
      configPath: project.configPath,
      requestedBy: "test",
      pollMs: 100,
      metrics: healthyCanary(),
    };
    const first = deploy({ ...options, artifact: IMAGE("v2") });
    // Let the first take the lock before the others ask.
    await new Promise((r) => setTimeout(r, 1500));
    const busy = await deploy({ ...options, artifact: IMAGE("v3") }).catch((e: unknown) => e);
    const second = deploy({ ...options, artifact: IMAGE("v3"), waitMs: 120_000 });
    const [a, b] = await Promise.all([first, second]);
    expect(isShipgateError(busy) && busy.code).toBe("deploy/environment-busy");
    expect(a.ok, a.reason).toBe(true);
    expect(b.ok, b.reason).toBe(true);
    const ledger = await openLedger({ stateDir: join(project.dir, ".shipgate") });
    try {
      const events = await ledger.listEvents({ env: "production" });
      const firstEnded = events.find(
        (e) => e.deploymentId === a.deployment.id && e.type === "deploy.succeeded",
      )!;
      const secondStarted = events.find(
        (e) => e.deploymentId === b.deployment.id && e.type === "step.started",
      )!;
      expect(secondStarted.seq).toBeGreaterThan(firstEnded.seq);
    } finally {
      await ledger.close();
    }
    expect((await inventory(cluster)).deployments.orders!.image).toBe(IMAGE("v3"));
  }, 120_000);
});

describe("kubernetes target without an API server", () => {
  it("retries an unreachable API server, then fails with kubernetes/unreachable naming it", async () => {
    const dir = await tempDir();
    const file = join(dir, "kubeconfig");
    // Port 1 on the loopback: nothing listens, every connection is refused.
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "gone", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } },
        ],
        users: [{ name: "u", user: { token: "not-a-secret-really" } }],
        contexts: [{ name: "gone", context: { cluster: "gone", user: "u" } }],
        "current-context": "gone",
      }),
    );
    const target = createKubernetesTarget({
      env: "production",
      namespace: "default",
      deployment: "orders",
      container: "app",
      traffic: { type: "replicas" },
      strategy: "rolling",
      rolloutTimeoutMs: 10_000,
      kubeconfigPath: file,
      retryBudgetMs: 1_500,
    });
    const started = Date.now();
    const error = await target.prepare().catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(error).toMatchObject({ code: "kubernetes/unreachable", exitCode: 1 });
    expect((error as Error).message).toMatch(
      /API server at https:\/\/127\.0\.0\.1:1 did not answer get Deployment\/orders/,
    );
    expect((error as Error).message).not.toContain("not-a-secret-really");
  });
});

/**
 * A real Kubernetes control plane for the kubernetes target's tests: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler, with KWOK's fake nodes so that Deployments really
 * roll out, ReplicaSets really scale and progress deadlines really expire. Every binary is
 * built from the Go module proxy by build.sh into a cache outside the checkout, keyed by the
 * versions below; nothing is downloaded as a prebuilt binary.
 *
 *   npm run cluster -- build   build what is missing from the cache
 *   npm run cluster -- up      build if needed, start everything on loopback, print the env
 *   npm run cluster -- env     the variables the tests read (KUBECONFIG, SHIPGATE_TEST_KUBECONFIG)
 *   npm run cluster -- down    stop everything `up` started
 *
 * `up` is idempotent: a cluster that answers is left as it is. State (certificates, etcd's
 * data, logs, the kubeconfig) lives in the run directory beside the binaries' cache.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const VERSIONS = {
  kubernetes: "1.37.2",
  etcd: "3.6.17",
  kwok: "0.8.0",
  gatewayApi: "1.6.3",
} as const;

const HERE = dirname(fileURLToPath(import.meta.url));
const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;
type Component = (typeof COMPONENTS)[number];
/** Fake nodes KWOK manages; enough for a few replicas each to spread over. */
const NODES = ["kwok-node-0", "kwok-node-1", "kwok-node-2"];

export interface ClusterPaths {
  /** Binaries and CRDs, shared by every run of these versions. */
  cache: string;
  bin: string;
  /** Certificates, etcd data, logs, pids, kubeconfig of the running cluster. */
  run: string;
  kubeconfig: string;
}

export function clusterPaths(env: NodeJS.ProcessEnv = process.env): ClusterPaths {
  const base =
    env.SHIPGATE_CLUSTER_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "shipgate", "cluster");
  const key = `k8s-${VERSIONS.kubernetes}_etcd-${VERSIONS.etcd}_kwok-${VERSIONS.kwok}_gwapi-${VERSIONS.gatewayApi}`;
  const cache = join(base, key);
  const run = join(cache, "run");
  return { cache, bin: join(cache, "bin"), run, kubeconfig: join(run, "kubeconfig") };
}

function log(message: string) {
  process.stderr.write(`cluster: ${message}\n`);
}

class ClusterError extends Error {}

export function built(paths: ClusterPaths): boolean {
  return (
    COMPONENTS.every((c) => existsSync(join(paths.bin, c))) &&
    existsSync(join(paths.cache, "crds/gateway-api"))
  );
}

export function build(paths: ClusterPaths): void {
  if (built(paths)) {
    log(`binaries cached in ${paths.bin}`);
    return;
  }
  const started = Date.now();
  log(`building into ${paths.cache} (first build takes a while: see docs/targets/kubernetes.md)`);
  // The build's progress goes to stderr: `up` prints only the environment on stdout, which
  // callers read as KEY=value lines.
  execFileSync("bash", [join(HERE, "build.sh"), paths.cache], {
    stdio: ["ignore", 2, "inherit"],
    env: {
      ...process.env,
      KUBE_VERSION: VERSIONS.kubernetes,
      ETCD_VERSION: VERSIONS.etcd,
      KWOK_VERSION: VERSIONS.kwok,
      GATEWAY_API_VERSION: VERSIONS.gatewayApi,
    },
  });
  log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
}

interface RunState {
  ports: { etcd: number; etcdPeer: number; apiserver: number; kwok: number };
  pids: Partial<Record<Component, number>>;
}

function readState(paths: ClusterPaths): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(paths.run, "state.json"), "utf8")) as RunState;
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function openssl(args: string[], cwd: string) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, the API server's serving certificate, an admin client certificate, service-account keys. */
function writeCertificates(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(join(dir, "admin.crt"))) return;
  const days = "3650";
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      "/CN=shipgate-test-ca",
      "-days",
      days,
      "-out",
      "ca.crt",
    ],
    dir,
  );
  const leaf = (name: string, subject: string, ext: string) => {
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`], dir);
    openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        days,
        "-extfile",
        `${name}.ext`,
        "-out",
        `${name}.crt`,
      ],
      dir,
    );
  };
  leaf(
    "apiserver",
    "/CN=kube-apiserver",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n",
  );
  // system:masters: the controllers, the scheduler, KWOK and the tests' admin all use it.
  leaf(
    "admin",
    "/O=system:masters/CN=shipgate-test-admin",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
  );
  openssl(["genrsa", "-out", "sa.key", "2048"], dir);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
}

function kubeconfigText(paths: ClusterPaths, port: number): string {
  const certs = join(paths.run, "pki");
  const b64 = (file: string) => readFileSync(join(certs, file)).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: shipgate-test",
    "  cluster:",
    `    server: https://127.0.0.1:${port}`,
    `    certificate-authority-data: ${b64("ca.crt")}`,
    "users:",
    "- name: shipgate-test-admin",
    "  user:",
    `    client-certificate-data: ${b64("admin.crt")}`,
    `    client-key-data: ${b64("admin.key")}`,
    "contexts:",
    "- name: shipgate-test",
    "  context: { cluster: shipgate-test, user: shipgate-test-admin }",
    "current-context: shipgate-test",
    "",
  ].join("\n");
}

function startComponent(paths: ClusterPaths, name: Component, args: string[]): ChildProcess {
  const logs = join(paths.run, "logs");
  mkdirSync(logs, { recursive: true });
  const out = openSync(join(logs, `${name}.log`), "a");
  // Detached, in a process group of its own: the cluster outlives the command that started it.
  const child = spawn(join(paths.bin, name), args, { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  return child;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logName?: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ClusterError(
    `${what} did not come up within ${timeoutMs / 1000}s${logName ? ` (see ${logName})` : ""}`,
  );
}

async function adminApi(paths: ClusterPaths) {
  const k8s = await import("@kubernetes/client-node");
  const config = new k8s.KubeConfig();
  config.loadFromFile(paths.kubeconfig);
  return { k8s, config };
}

export async function up(paths: ClusterPaths): Promise<void> {
  build(paths);
  const existing = readState(paths);
  if (existing && COMPONENTS.every((c) => alive(existing.pids[c])) && (await ready(paths))) {
    log("already up");
    return;
  }
  if (existing) await down(paths);
  const started = Date.now();
  mkdirSync(paths.run, { recursive: true, mode: 0o700 });
  const pki = join(paths.run, "pki");
  writeCertificates(pki);
  const ports = {
    etcd: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    kwok: await freePort(),
  };
  writeFileSync(paths.kubeconfig, kubeconfigText(paths, ports.apiserver), { mode: 0o600 });
  const state: RunState = { ports, pids: {} };
  const save = () => writeFileSync(join(paths.run, "state.json"), `${JSON.stringify(state, null, 2)}\n`);
  const logOf = (c: Component) => join(paths.run, "logs", `${c}.log`);

  // A fresh etcd every time: tests expect an empty cluster, and old data would need old ports.
  rmSync(join(paths.run, "etcd"), { recursive: true, force: true });
  const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  state.pids.etcd = startComponent(paths, "etcd", [
    "--name=shipgate-test",
    `--data-dir=${join(paths.run, "etcd")}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=shipgate-test=${peerUrl}`,
    // A throw-away test store: durability costs seconds per test on a shared disk.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ]).pid;
  save();
  await waitFor("etcd", async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000, logOf("etcd"));

  state.pids["kube-apiserver"] = startComponent(paths, "kube-apiserver", [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${join(pki, "apiserver.crt")}`,
    `--tls-private-key-file=${join(pki, "apiserver.key")}`,
    `--client-ca-file=${join(pki, "ca.crt")}`,
    `--service-account-key-file=${join(pki, "sa.pub")}`,
    `--service-account-signing-key-file=${join(pki, "sa.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    "--service-cluster-ip-range=10.96.0.0/16",
    // RBAC for real: the target's tests check what a Role without a verb gets.
    "--authorization-mode=RBAC",
    // The loopback address cannot be an endpoint of the `kubernetes` Service.
    "--endpoint-reconciler-type=none",
    "--allow-privileged=true",
    "--v=1",
  ]).pid;
  save();
  await waitFor("kube-apiserver", () => ready(paths), 90_000, logOf("kube-apiserver"));

  const kubeconfig = `--kubeconfig=${paths.kubeconfig}`;
  state.pids["kube-controller-manager"] = startComponent(paths, "kube-controller-manager", [
    kubeconfig,
    "--leader-elect=false",
    "--secure-port=0",
    `--service-account-private-key-file=${join(pki, "sa.key")}`,
    `--root-ca-file=${join(pki, "ca.crt")}`,
    "--use-service-account-credentials=false",
    // Replica sets and deployments sync as fast as the tests poll.
    "--concurrent-deployment-syncs=10",
    "--concurrent-replicaset-syncs=10",
    "--v=1",
  ]).pid;
  state.pids["kube-scheduler"] = startComponent(paths, "kube-scheduler", [
    kubeconfig,
    "--leader-elect=false",
    "--secure-port=0",
    "--v=1",
  ]).pid;
  state.pids.kwok = startComponent(paths, "kwok", [
    kubeconfig,
    `--config=${join(HERE, "manifests", "kwok-stages.yaml")}`,
    "--manage-all-nodes=true",
    "--node-lease-duration-seconds=40",
    "--cidr=10.244.0.1/16",
    "--node-ip=10.250.0.1",
    `--server-address=127.0.0.1:${ports.kwok}`,
  ]).pid;
  save();

  await installCrds(paths);
  await createNodes(paths);
  log(`up in ${Math.round((Date.now() - started) / 1000)}s; KUBECONFIG=${paths.kubeconfig}`);
}

async function ready(paths: ClusterPaths): Promise<boolean> {
  if (!existsSync(paths.kubeconfig)) return false;
  const { k8s, config } = await adminApi(paths);
  const health = config.makeApiClient(k8s.CoreV1Api);
  try {
    await health.listNamespace({ limit: 1 });
    return true;
  } catch {
    return false;
  }
}

async function installCrds(paths: ClusterPaths) {
  const { k8s, config } = await adminApi(paths);
  const api = config.makeApiClient(k8s.ApiextensionsV1Api);
  const dirs = [join(paths.cache, "crds", "gateway-api")];
  const files = [
    ...dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => join(d, f)),
    ),
    join(HERE, "manifests", "istio-virtualservice.crd.yaml"),
  ];
  const names: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"), { merge: true })) {
      const crd = doc.toJS() as { kind?: string; metadata: { name: string } } | null;
      if (crd?.kind !== "CustomResourceDefinition") continue;
      names.push(crd.metadata.name);
      try {
        await api.createCustomResourceDefinition({ body: crd as never });
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
      }
    }
  }
  await waitFor(
    "the CRDs",
    async () => {
      for (const name of names) {
        const crd = await api.readCustomResourceDefinition({ name });
        if (!crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
          return false;
      }
      return true;
    },
    60_000,
  );
}

async function createNodes(paths: ClusterPaths) {
  const { k8s, config } = await adminApi(paths);
  const core = config.makeApiClient(k8s.CoreV1Api);
  for (const name of NODES) {
    try {
      await core.createNode({
        body: {
          metadata: {
            name,
            labels: { type: "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux" },
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
          },
          spec: {},
        },
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  await waitFor(
    "KWOK's nodes",
    async () => {
      const nodes = await core.listNode();
      const readyNodes = nodes.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      // The default ServiceAccount must exist before pods can be created.
      const accounts = await core.listNamespacedServiceAccount({ namespace: "default" });
      return readyNodes.length === NODES.length && accounts.items.some((a) => a.metadata?.name === "default");
    },
    60_000,
    join(paths.run, "logs", "kwok.log"),
  );
}

export async function down(paths: ClusterPaths): Promise<void> {
  const state = readState(paths);
  if (!state) {
    log("not running");
    return;
  }
  // Reverse order: nothing writes to a store that is already gone.
  for (const component of [...COMPONENTS].reverse()) {
    const pid = state.pids[component];
    if (!alive(pid)) continue;
    process.kill(pid!, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid!, "SIGKILL");
  }
  rmSync(join(paths.run, "state.json"), { force: true });
  log("down");
}

export function envText(paths: ClusterPaths): string {
  return `KUBECONFIG=${paths.kubeconfig}\nSHIPGATE_TEST_KUBECONFIG=${paths.kubeconfig}\n`;
}

async function main(argv: string[]) {
  const paths = clusterPaths();
  const command = argv[0];
  switch (command) {
    case "build":
      build(paths);
      return;
    case "up":
      await up(paths);
      process.stdout.write(envText(paths));
      return;
    case "env":
      if (!readState(paths) || !(await ready(paths))) {
        throw new ClusterError('no cluster is running: start one with "npm run cluster -- up"');
      }
      process.stdout.write(envText(paths));
      return;
    case "down":
      await down(paths);
      return;
    default:
      throw new ClusterError(`usage: npm run cluster -- build|up|env|down (got ${command ?? "nothing"})`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    log(
      error instanceof ClusterError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    );
    process.exit(1);
  });
}

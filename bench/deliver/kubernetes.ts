/**
 * A bad canary on the kubernetes target, decided by a real Prometheus: the time from the canary
 * Deployment's creation to the HTTPRoute sending 100 % of the traffic to the stable Service
 * again, and the Kubernetes API requests each step makes.
 *
 * The control plane is the test cluster (`npm run cluster -- up`: kube-apiserver, controllers,
 * KWOK's fake nodes); the environment is a namespace with the stable Deployment, its Service and
 * an HTTPRoute (gateway-api traffic), as in the target's tests. KWOK's pods serve nothing, so
 * each release's pods are stood in for by one real process of the sample service, labelled with
 * the release id as a pod's series would be (`shipgate_release`), which Prometheus (Debian's
 * package, scraping every second) finds through file-based service discovery:
 * - the stable release's process runs from the start, failing 0.1 % of requests, under steady load;
 * - when the canary Deployment appears (seen by a watch on the namespace), a process for its
 *   release starts (5 % of requests fail) and is added to Prometheus's targets, as a pod's would be;
 * - when the HTTPRoute first gives the canary its 5 %, 50 requests/s go to that process (5 % of
 *   1,000 requests/s), until the route is back at 100 % on the stable Service.
 * `shipgate deploy` runs in this process with the CLI's defaults (no shortened polling), its
 * analysis reading the Prometheus provider from shipgate.yml. Its steps are the default step
 * length (300 s): the rollback is the anytime-valid tests' decision, not the step's end.
 *
 * Skips, saying why, when Prometheus or the cluster's binaries are missing. A cluster that is
 * not running is started, and stopped again at the end; one already running is left as it is.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Verdict } from "../../src/deliver/analysis/types.js";
import { deploy } from "../../src/deliver/deploy.js";
import type { EngineEvent } from "../../src/deliver/events.js";
import { generateLoad, type LoadSummary } from "../../src/deliver/load.js";
import { freePort } from "../../src/net/free-port.js";
import {
  prometheusBinary,
  type SampleProcess,
  startPrometheus,
  startSampleProcess,
  waitForTargets,
} from "../../test/deliver/support/prometheus.js";
import { productionTargetLines } from "../../test/deliver/targets/kubernetes/environment.js";
import { built, clusterPaths, down, up } from "../../test/infra/cluster/cluster.js";
import { type ApiCallCounter, apiCallCounter, type CallCounts } from "./kubernetes-api-calls.js";
import { type BenchCluster, IMAGE, stableEnvironment } from "./kubernetes-environment.js";

const RUNS = Number(process.env.BENCH_KUBERNETES_RUNS ?? 5);
const CANARY_SHARE = 5;
const CANARY_RPS = 50;
/** The stable side needs only enough to estimate its error rate, not the 950 requests/s of a real 95 %. */
const STABLE_RPS = 200;
/** The default step length: the rollback is the tests' decision, never the step's end. */
const STEP_SECONDS = Number(process.env.BENCH_KUBERNETES_STEP_SECONDS ?? 300);
const TARGET_SECONDS = 15;
const CANARY = "orders-canary";
const STABLE = "orders";
const SELECTOR = `shipgate_release="{{ release }}", route!~"/health|/ready|/metrics"`;

interface Run {
  startedAt: number;
  /** The canary Deployment seen created. */
  createdAt?: number;
  /** The HTTPRoute seen giving the canary its share. */
  shiftedAt?: number;
  /** The analysis's failed step. */
  decidedAt?: number;
  /** The HTTPRoute seen back at 100 % on the stable Service. */
  backAt?: number;
  release?: string;
  canary?: Promise<SampleProcess>;
  canaryLoad?: { stop: AbortController; done: Promise<LoadSummary> };
  verdict?: { requests?: number; errors?: number };
}

export async function benchKubernetes(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const binary = prometheusBinary();
  if (!binary) {
    return skipped("prometheus is not installed (Debian: apt-get install prometheus; .ci/run installs it)");
  }
  const paths = clusterPaths();
  let kubeconfig = process.env.SHIPGATE_TEST_KUBECONFIG;
  let startedCluster = false;
  if (!kubeconfig) {
    if (!built(paths)) {
      return skipped(
        `the test cluster is not built in ${paths.cache}: \`npm run cluster -- build\` builds it once (about 23 min, docs/targets/kubernetes.md)`,
      );
    }
    if (!(await clusterAnswers(paths.kubeconfig))) {
      try {
        await up(paths);
      } catch (error) {
        return skipped(`the test cluster did not start: ${(error as Error).message}`);
      }
      startedCluster = true;
    }
    kubeconfig = paths.kubeconfig;
  }
  try {
    return await measure(binary, kubeconfig);
  } finally {
    if (startedCluster) await down(paths);
  }
}

async function measure(
  binary: string,
  kubeconfig: string,
): Promise<{ lines: string[]; figures: Record<string, number> }> {
  // The target finds the cluster as kubectl does.
  process.env.KUBECONFIG = kubeconfig;
  const dir = await mkdtemp(join(tmpdir(), "shipgate-bench-kubernetes-"));
  const cleanups: Array<() => Promise<unknown>> = [async () => rm(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const cluster = await stableEnvironment(kubeconfig);
    cleanups.push(() => cluster.remove());
    const counter = apiCallCounter(cluster.config.getCurrentCluster()!.server);

    // Prometheus, scraping every second what the file lists.
    const targetsFile = join(dir, "targets.json");
    const targets = new Map<string, { port: number; release: string }>();
    const writeTargets = async () => {
      const groups = [...targets.values()].map(({ port, release }) => ({
        targets: [`127.0.0.1:${port}`],
        labels: { shipgate_release: release },
      }));
      await writeFile(`${targetsFile}.tmp`, JSON.stringify(groups));
      await rename(`${targetsFile}.tmp`, targetsFile);
    };
    await writeTargets();
    const prometheusPort = await freePort();
    const prometheus = await startPrometheus({
      binary,
      port: prometheusPort,
      jobs: { files: [targetsFile] },
    });
    cleanups.push(() => prometheus.cleanup());

    const configPath = join(dir, "shipgate.yml");
    const writeConfig = (strategy: string) =>
      writeFile(
        configPath,
        [
          ...productionTargetLines(cluster.namespace, "{ type: gateway-api, httpRoute: orders }"),
          `    strategy: ${strategy}`,
          "    analysis:",
          "      provider:",
          "        type: prometheus",
          `        url: "http://127.0.0.1:${prometheusPort}"`,
          `        selector: '${SELECTOR}'`,
          "",
        ].join("\n"),
      );
    const deployImage = (image: string, onEvent?: (event: EngineEvent) => void) =>
      deploy({
        env: "production",
        artifact: image,
        configPath,
        requestedBy: "bench",
        ...(onEvent && { onEvent }),
      });

    // The stable Deployment gets a release shipgate knows (a rolling deploy), and that
    // release's process starts serving under steady load.
    await writeConfig("rolling");
    const first = await deployImage(IMAGE("stable"));
    const stableRelease = await cluster.stableRelease();
    if (!first.ok || !stableRelease) throw new Error(`the stable release did not deploy: ${first.reason}`);
    const stable = await startSampleProcess({ version: "1.0.0", errorRate: 0.001 });
    cleanups.push(() => stable.stop());
    targets.set("stable", { port: stable.port, release: stableRelease });
    await writeTargets();
    await waitForTargets(prometheus.url, 1);
    const stableTraffic = new AbortController();
    const stableLoad = generateLoad({
      url: stable.url,
      rps: STABLE_RPS,
      maxDurationMs: 3_600_000,
      signal: stableTraffic.signal,
    });
    cleanups.push(() => {
      stableTraffic.abort();
      return stableLoad;
    });

    // The namespace as a gateway and Prometheus's Kubernetes discovery would see it.
    let run: Run | undefined;
    let canaryErrorRate = 0.05;
    const stopWatching = await watchNamespace(cluster, (kind, type, object) => {
      const now = Date.now();
      if (!run) return;
      if (kind === "Deployment" && type === "ADDED" && object.metadata?.name === CANARY && !run.createdAt) {
        const current = run;
        current.createdAt = now;
        current.release = object.metadata?.annotations?.["shipgate.dev/release"];
        current.canary = startSampleProcess({ version: "2.0.0", errorRate: canaryErrorRate }).then(
          async (service) => {
            targets.set("canary", { port: service.port, release: current.release ?? "?" });
            await writeTargets();
            return service;
          },
        );
        // Reported when the run ends; meanwhile, not an unhandled rejection.
        current.canary.catch(() => undefined);
      }
      if (kind === "HTTPRoute" && (type === "ADDED" || type === "MODIFIED")) {
        const canaryWeight = weightOf(object, CANARY);
        if (canaryWeight > 0 && !run.shiftedAt) {
          const current = run;
          current.shiftedAt = now;
          const stop = new AbortController();
          current.canaryLoad = {
            stop,
            done: (current.canary ?? Promise.reject(new Error("no canary process"))).then((service) =>
              generateLoad({
                url: service.url,
                rps: CANARY_RPS,
                maxDurationMs: 600_000,
                signal: stop.signal,
              }),
            ),
          };
          current.canaryLoad.done.catch(() => undefined);
        }
        if (canaryWeight === 0 && run.shiftedAt && !run.backAt && weightOf(object, STABLE) > 0) {
          run.backAt = now;
          // No traffic reaches the canary once the route has left it.
          run.canaryLoad?.stop.abort();
        }
      }
    });
    cleanups.push(async () => stopWatching());

    /** One canary deployment of `image`, with the canary's process, load and counted API calls. */
    const canaryRun = async (image: string) => {
      const current: Run = { startedAt: Date.now() };
      run = current;
      const outcome = await counter.run(() =>
        deployImage(image, (event) => {
          labelSteps(counter, event);
          if (event.type !== "ledger") return;
          const { type, data } = event.event;
          if (type === "step.failed" && data.kind === "analyse") {
            current.decidedAt = Date.now();
            current.verdict = (data.verdict as Pick<Verdict, "canary"> | undefined)?.canary;
          }
        }),
      );
      run = undefined;
      current.canaryLoad?.stop.abort();
      const load = await current.canaryLoad?.done.catch(() => undefined);
      const service = await current.canary?.catch(() => undefined);
      targets.delete("canary");
      await writeTargets();
      await service?.stop();
      return { outcome, current, load, calls: new Map(counter.steps) };
    };

    await writeConfig(`{ canary: { steps: [${CANARY_SHARE}, 25, 100], stepSeconds: ${STEP_SECONDS} } }`);
    const bad: Array<Awaited<ReturnType<typeof canaryRun>>> = [];
    const problems: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await canaryRun(IMAGE(`bad-${i + 1}`));
      const { outcome, current } = result;
      if (outcome.deployment.status !== "rolled_back" || !current.decidedAt) {
        problems.push(`run ${i + 1}: ${outcome.deployment.status}: ${outcome.reason}`);
        continue;
      }
      if (!current.createdAt || !current.shiftedAt || !current.backAt) {
        problems.push(`run ${i + 1}: the watch missed the canary's creation, its share or the way back`);
        continue;
      }
      bad.push(result);
    }
    const weightsAfter = await cluster.routeWeights();

    // A healthy canary all the way to promotion, for the API requests of the other steps.
    canaryErrorRate = 0.001;
    // Long enough holds for evidence that the healthy canary is within the limits.
    await writeConfig(
      `{ canary: { steps: [${CANARY_SHARE}, 25, 100], stepSeconds: 10, maxStepSeconds: 300 } }`,
    );
    const good = await canaryRun(IMAGE("good"));

    stableTraffic.abort();
    const stableServed = await stableLoad;
    return report({ bad, good, problems, weightsAfter, stableServed });
  } finally {
    await cleanup();
  }
}

const FINISHED = new Set(["deploy.succeeded", "deploy.rolled_back", "deploy.failed"]);

/** Names the counter's steps after the engine's: `start`, `weights → 5 %`, `rollback: weights`, … */
function labelSteps(counter: ApiCallCounter, event: EngineEvent) {
  if (event.type !== "ledger") return;
  const { type, data, deploymentId } = event.event;
  if (type === "step.started") {
    const step = data.step as { kind: string; weights?: Record<string, number> };
    counter.step(
      step.kind === "weights"
        ? `weights → ${(deploymentId && step.weights?.[deploymentId]) || 0} % canary`
        : step.kind === "analyse"
          ? `analyse at ${(data.step as { weight: number }).weight} %`
          : step.kind,
    );
  } else if (type === "rollback.step") {
    counter.step(`rollback: ${data.kind === "weights" ? "weights → 100 % stable" : String(data.kind)}`);
  } else if (type === "rollback.completed" || FINISHED.has(type)) {
    counter.step("after the steps");
  }
}

function report(results: {
  bad: Array<{
    current: Run;
    load: LoadSummary | undefined;
    calls: Map<string, CallCounts>;
  }>;
  good: { outcome: { ok: boolean; reason: string }; calls: Map<string, CallCounts> };
  problems: string[];
  weightsAfter: Array<Record<string, number>>;
  stableServed: LoadSummary;
}): { lines: string[]; figures: Record<string, number> } {
  const { bad, good, problems } = results;
  const seconds = (from: keyof Run, to: keyof Run) =>
    bad.map(({ current }) => ((current[to] as number) - (current[from] as number)) / 1000);
  const total = seconds("createdAt", "backAt");
  const lines = [
    `a ${CANARY_SHARE} % canary failing 5 % of requests against a stable release failing 0.1 %, ${CANARY_RPS} canary req/s (${STABLE_RPS} req/s on the stable release), Prometheus scraping every 1 s, an HTTPRoute on a real API server (KWOK's nodes), steps of ${STEP_SECONDS} s, ${RUNS} runs:`,
  ];
  if (bad.length === 0) {
    lines.push("  no run finished as expected:", ...problems.map((p) => `    ${p}`));
    return { lines, figures: {} };
  }
  const median = quantile(total, 0.5);
  const max = Math.max(...total);
  lines.push(
    `  canary Deployment created → HTTPRoute back at 100 % stable: median ${median.toFixed(1)} s, max ${max.toFixed(1)} s (target < ${TARGET_SECONDS} s: ${max < TARGET_SECONDS ? "met" : "NOT met"})`,
    `    created → ${CANARY_SHARE} % to the canary (its pods ready, no smoke file): median ${quantile(seconds("createdAt", "shiftedAt"), 0.5).toFixed(1)} s`,
    `    ${CANARY_SHARE} % → analysis fails the canary (Prometheus finding and scraping it, then the error-rate tests): median ${quantile(seconds("shiftedAt", "decidedAt"), 0.5).toFixed(1)} s, max ${Math.max(...seconds("shiftedAt", "decidedAt")).toFixed(1)} s`,
    `    decision → weights back on the stable Service: median ${quantile(seconds("decidedAt", "backAt"), 0.5).toFixed(2)} s`,
    `  canary requests counted at the decision: median ${quantile(
      bad.map(({ current }) => current.verdict?.requests ?? Number.NaN),
      0.5,
    )}, of which errors: median ${quantile(
      bad.map(({ current }) => current.verdict?.errors ?? Number.NaN),
      0.5,
    )}; answered by the canary per run: median ${quantile(
      bad.map(({ load }) => load?.answered ?? 0),
      0.5,
    )}`,
    `  runs: ${total.map((s) => s.toFixed(1)).join(", ")} s; HTTPRoute afterwards: ${JSON.stringify(results.weightsAfter)}`,
    ...problems.map((p) => `  not counted: ${p}`),
    "  the peers, with their documented defaults (not measured here):",
    "    Flagger checks once per analysis `interval` (default 60 s; each metric over a 1 m window) and routes traffic back after",
    "    `threshold` failed checks (default 1): interval × threshold after the first shift, ≈2 min from the canary's start",
    "    (its docs' examples set threshold 5–10: 5–10 min);",
    "    Argo Rollouts, with the analysis its docs show (a success rate over 5 m measured every `interval: 5m`, failed after more",
    "    than `failureLimit: 3` failures; or one measurement after `pause: {duration: 5m}`): ≈5–25 min.",
    `  Kubernetes API requests per step (median of ${bad.length} rolled-back runs), by verb and resource:`,
    ...callLines(bad.map((b) => b.calls)),
    `  …and of a healthy canary promoted through ${CANARY_SHARE} %, 25 %, 100 % (10 s steps; ${good.outcome.ok ? "promoted" : `not promoted: ${good.outcome.reason}`}):`,
    ...callLines([good.calls]),
    `  stable release: ${results.stableServed.sent} requests, ${results.stableServed.failed} unanswered`,
  );
  return {
    lines,
    figures: {
      kubernetesRollbackMedianSeconds: median,
      kubernetesRollbackMaxSeconds: max,
      kubernetesRuns: bad.length,
    },
  };
}

/** One line per step: the total, then each verb and resource (medians over the runs). */
function callLines(runs: Array<Map<string, CallCounts>>): string[] {
  const steps = [...new Set(runs.flatMap((r) => [...r.keys()]))];
  const width = Math.max(...steps.map((s) => s.length));
  return steps.map((step) => {
    const totals = runs.map((r) => [...(r.get(step)?.values() ?? [])].reduce((a, b) => a + b, 0));
    const keys = [...new Set(runs.flatMap((r) => [...(r.get(step)?.keys() ?? [])]))];
    const parts = keys.map((key) => {
      const counts = runs.map((r) => r.get(step)?.get(key) ?? 0);
      return `${key} ${quantile(counts, 0.5)}`;
    });
    if (parts.length === 0) parts.push("none");
    const low = Math.min(...totals);
    const high = Math.max(...totals);
    const range = runs.length > 1 && low !== high ? ` (${low}–${high})` : "";
    return `    ${step.padEnd(width)}  ${String(quantile(totals, 0.5)).padStart(3)}${range}  ${parts.join(", ")}`;
  });
}

/** A backendRef's weight in every rule of an HTTPRoute (the highest, 0 when absent). */
function weightOf(route: WatchedObject, service: string): number {
  const rules = (route.spec?.rules ?? []) as Array<{
    backendRefs?: Array<{ name: string; weight?: number }>;
  }>;
  let weight = 0;
  for (const rule of rules) {
    for (const ref of rule.backendRefs ?? []) {
      if (ref.name === service) weight = Math.max(weight, ref.weight ?? 1);
    }
  }
  return weight;
}

interface WatchedObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a route's spec is read by weightOf only
  spec?: any;
}

/**
 * Watches the namespace's Deployments and HTTPRoutes (the API server pushes every change as it
 * is written); a watch the server ends is started again. Returns the function that stops both.
 */
async function watchNamespace(
  cluster: BenchCluster,
  seen: (kind: "Deployment" | "HTTPRoute", type: string, object: WatchedObject) => void,
): Promise<() => void> {
  const watch = new cluster.k8s.Watch(cluster.config);
  const { namespace } = cluster;
  const controllers: AbortController[] = [];
  let stopped = false;
  const follow = async (kind: "Deployment" | "HTTPRoute", path: string) => {
    const controller = await watch.watch(
      path,
      {},
      (type, object) => seen(kind, type, object as WatchedObject),
      () => {
        if (!stopped) void follow(kind, path);
      },
    );
    controllers.push(controller);
  };
  await follow("Deployment", `/apis/apps/v1/namespaces/${namespace}/deployments`);
  await follow("HTTPRoute", `/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes`);
  return () => {
    stopped = true;
    for (const controller of controllers) controller.abort();
  };
}

async function clusterAnswers(kubeconfig: string): Promise<boolean> {
  if (!existsSync(kubeconfig)) return false;
  try {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromFile(kubeconfig);
    const version = config.makeApiClient(k8s.VersionApi).getCode();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("no answer")), 5_000).unref(),
    );
    await Promise.race([version, timeout]);
    return true;
  } catch {
    return false;
  }
}

function skipped(reason: string): { lines: string[]; figures: Record<string, number> } {
  return { lines: [`skipped: ${reason}`], figures: {} };
}

function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await benchKubernetes();
  console.log(lines.join("\n"));
}

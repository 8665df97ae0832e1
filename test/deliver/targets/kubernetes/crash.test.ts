/**
 * SIGKILL at every step of every strategy on the kubernetes target, against the real control
 * plane: a deploy process is killed right after a step starts; at that moment no route may
 * send traffic to a Service that does not exist, and the next `status` finishes the deployment
 * — rolled back before the new release was live, resumed after — leaving exactly the stable
 * Deployment and its Service, the route all on it, and the right image running. And two deploy
 * processes started at once on one environment: the ledger's lock makes one wait for the other.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/config/load.js";
import { deploy } from "../../../../src/deliver/deploy.js";
import { environmentStatus } from "../../../../src/deliver/status.js";
import { describeStep } from "../../../../src/deliver/steps.js";
import { planFor } from "../../../../src/deliver/strategies/index.js";
import { openLedger } from "../../../../src/ledger/index.js";
import {
  type Cluster,
  deleteNamespace,
  IMAGE,
  inventory,
  kubernetesProject,
  leftovers,
  type Project,
  productionDeploy,
  routedServicesExist,
  routeWeights,
  stableEnvironment,
  type Traffic,
  watchRoutedServices,
  withCluster,
} from "./support.js";

const PROCESS = new URL("./deploy-process.ts", import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

async function newestDeployment(project: Project) {
  const ledger = await openLedger({ stateDir: join(project.dir, ".shipgate") });
  try {
    return (await ledger.listDeployments({ env: "production", limit: 1 }))[0]!;
  } finally {
    await ledger.close();
  }
}

function deployAndKill(project: Project, image: string, index: number, delayMs: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, PROCESS, project.configPath, image], {
      cwd: project.dir,
      env: { ...process.env, SHIPGATE_KILL_AT_STEP: String(index), SHIPGATE_KILL_DELAY_MS: String(delayMs) },
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

interface ProcessReport {
  image: string;
  code: number | null;
  pid: number;
  /** The `lock.waiting` events the process reported. */
  waited: Array<{ holder: string; deploymentId?: string }>;
  outcome?: { ok: boolean; reason: string; deployment: string; live?: string };
  stderr: string;
}

/** A deploy in a process of its own, waiting for the environment's lock; what it reported. */
function deployProcess(project: Project, image: string) {
  return new Promise<ProcessReport>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, PROCESS, project.configPath, image], {
      cwd: project.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout
        .split("\n")
        // Its reports; anything else a dependency prints is not one.
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const outcome = lines.find((line) => "ok" in line) as ProcessReport["outcome"];
      resolve({
        image,
        code,
        pid: child.pid!,
        waited: lines.filter((line) => line.type === "lock.waiting") as ProcessReport["waited"],
        ...(outcome && { outcome }),
        stderr,
      });
    });
  });
}

const DRILLS: Array<{ name: string; strategy: string; traffic: Traffic; extra?: string }> = [
  {
    name: "canary (gateway-api)",
    strategy: "{ canary: { steps: [25, 100], stepSeconds: 1 } }",
    traffic: "gateway-api",
  },
  {
    // No router: every weight is a replica count of the canary behind the one stable Service.
    name: "canary (replicas)",
    strategy: "{ canary: { steps: [25, 100], stepSeconds: 1 } }",
    traffic: "replicas",
  },
  {
    name: "blue-green (istio)",
    strategy: "blue-green",
    traffic: "istio",
    extra: "    rollback: { keepPrevious: 0s }",
  },
  { name: "rolling", strategy: "rolling", traffic: "replicas" },
];

withCluster("kubernetes crash drills", (kubeconfig) => {
  describe.each(DRILLS)("SIGKILL at every step of $name", ({ strategy, traffic, extra }) => {
    let cluster: Cluster;
    let project: Project;
    let live = IMAGE("v1");
    let steps: ReturnType<typeof planFor> = [];

    beforeAll(async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic });
      project = await kubernetesProject(cluster, { traffic, strategy, ...(extra && { extra }) });
      const { config } = await loadConfig({ path: project.configPath });
      steps = planFor(config.environments.production!, {
        release: "new",
        artifactId: "image",
        stable: "old",
        instances: 1,
        smoke: false,
      });
    }, 60_000);
    afterAll(async () => {
      await deleteNamespace(cluster);
    });

    it("is drilled at every step", async () => {
      expect(steps.length).toBeGreaterThan(4);
      const promoteIndex = steps.findIndex((s) => s.kind === "promote");
      // Killed as each step starts, and once more half-way through the step that moves all
      // traffic (a canary's promotion rolls the stable Deployment; blue-green's switch).
      const drills = steps.slice(1).map((_, i) => ({ index: i + 1, delayMs: 0 }));
      steps.forEach((step, index) => {
        if (
          step.kind === "weights" &&
          Object.values(step.weights).includes(100) &&
          !("old" in step.weights)
        ) {
          drills.push({ index, delayMs: 500 });
        }
      });
      // Throughout every drill, not only at the kills: no weight on a missing Service.
      const watch = watchRoutedServices(cluster, traffic);
      let watched = { violations: [] as string[], routed: [] as string[] };
      try {
        for (const { index, delayMs } of drills) {
          const image = IMAGE(`drill-${index}-${delayMs}`);
          const killed = await deployAndKill(project, image, index, delayMs);
          const where = `killed ${delayMs}ms into step ${index} (${describeStep(steps[index]!)})`;
          // At the moment of the kill, and after recovery: no weight on a missing Service.
          expect(await routedServicesExist(cluster, traffic), where).toEqual([]);
          if (killed.signal === "SIGKILL") {
            const status = await environmentStatus({ env: "production", configPath: project.configPath });
            // Killed before the step acted: rolled back up to the promote step, resumed after it.
            // Killed later into a quick step, the deploy may already have ended by itself.
            if (delayMs === 0) expect(status.recovered, where).toHaveLength(1);
            const newest = await newestDeployment(project);
            expect(["succeeded", "rolled_back"], `${where}: ${newest.reason}`).toContain(newest.status);
            if (delayMs === 0)
              expect(newest.status, where).toBe(index > promoteIndex ? "succeeded" : "rolled_back");
            if (newest.status === "succeeded") live = image;
          } else {
            // The step was quicker than the delay: the deploy finished by itself.
            expect(killed.code, where).toBe(0);
            live = image;
          }

          const after = await inventory(cluster);
          expect(Object.keys(after.deployments), where).toEqual(["orders"]);
          expect(after.services, where).toEqual(["orders"]);
          expect(after.deployments.orders!.image, where).toBe(live);
          if (traffic !== "replicas")
            expect(await routeWeights(cluster, traffic), where).toEqual([{ orders: 100 }]);
          // Nor any canary's or preview's ReplicaSets or pods once the garbage collector is done.
          expect(await leftovers(cluster), where).toEqual({
            deployments: [],
            services: [],
            replicaSets: [],
            pods: [],
          });
        }
      } finally {
        watched = await watch.stop();
      }
      expect(watched.violations, "weights on a Service that did not exist").toEqual([]);
      // The watch saw the traffic move to the canary or preview and back.
      if (traffic !== "replicas") expect(watched.routed.length).toBeGreaterThan(1);
      // The drill's deployments are all in the ledger, each finished.
      const ledger = await openLedger({ stateDir: join(project.dir, ".shipgate") });
      try {
        expect(await ledger.listDeployments({ env: "production", status: "running" })).toEqual([]);
      } finally {
        await ledger.close();
      }
    }, 600_000);
  });

  describe("SIGKILL while a new deploy ends a blue-green wait", () => {
    let cluster: Cluster;
    afterAll(async () => {
      await deleteNamespace(cluster);
    });

    it("is finished by the next command with one release serving and nothing idle beside it", async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
      // The previous release is kept for an hour: the next deploy's start step first moves the
      // kept live release onto the stable Deployment (roll it, wait, move traffic, delete the
      // preview), and is killed at points along that way.
      const project = await kubernetesProject(cluster, {
        traffic: "gateway-api",
        strategy: "blue-green",
        extra: "    rollback: { keepPrevious: 1h }",
      });
      const watch = watchRoutedServices(cluster, "gateway-api");
      let watched = { violations: [] as string[], routed: [] as string[] };
      try {
        for (const delayMs of [0, 300, 800, 1500, 2500]) {
          const kept = IMAGE(`kept-${delayMs}`);
          const first = await deploy({
            ...productionDeploy(project),
            artifact: kept,
          });
          expect(first.ok, first.reason).toBe(true);
          expect((await inventory(cluster)).deployments["orders-preview"]?.image).toBe(kept);

          const next = IMAGE(`next-${delayMs}`);
          const killed = await deployAndKill(project, next, 1, delayMs);
          const where = `killed ${delayMs}ms into the start step`;
          await environmentStatus({ env: "production", configPath: project.configPath });
          const newest = await newestDeployment(project);
          expect(["succeeded", "rolled_back"], `${where}: ${newest.reason}`).toContain(newest.status);
          const live = killed.signal === "SIGKILL" && newest.status === "rolled_back" ? kept : next;

          // Either the wait goes on (the preview serves everything, the stable set is kept) or it
          // ended: the live release runs in the stable Deployment alone. Never a preview idling
          // at 0% beside it.
          const after = await inventory(cluster);
          const weights = await routeWeights(cluster, "gateway-api");
          if (after.deployments["orders-preview"]) {
            expect(after.deployments["orders-preview"].image, where).toBe(live);
            expect(weights, where).toEqual([{ orders: 0, "orders-preview": 100 }]);
            expect(after.deployments.orders!.annotations["shipgate.dev/retire-at"], where).toBeTruthy();
          } else {
            expect(after.deployments.orders!.image, where).toBe(live);
            expect(weights, where).toEqual([{ orders: 100 }]);
            expect(after.services, where).toEqual(["orders"]);
          }
        }
      } finally {
        watched = await watch.stop();
      }
      expect(watched.violations, "weights on a Service that did not exist").toEqual([]);
    }, 600_000);
  });

  describe("two deploy processes started at once", () => {
    let cluster: Cluster;
    afterAll(async () => {
      await deleteNamespace(cluster);
    });

    it("never interleave: one waits for the other's lock, then runs, and its release serves", async () => {
      cluster = await stableEnvironment(kubeconfig, { traffic: "gateway-api" });
      const project = await kubernetesProject(cluster, {
        traffic: "gateway-api",
        strategy: "{ canary: { steps: [50, 100], stepSeconds: 1 } }",
      });
      const watch = watchRoutedServices(cluster, "gateway-api");
      let watched = { violations: [] as string[], routed: [] as string[] };
      let reports: ProcessReport[];
      try {
        reports = await Promise.all([
          deployProcess(project, IMAGE("left")),
          deployProcess(project, IMAGE("right")),
        ]);
      } finally {
        watched = await watch.stop();
      }
      for (const report of reports) {
        expect(report.code, report.stderr).toBe(0);
        expect(report.outcome?.ok, report.outcome?.reason).toBe(true);
      }
      // Exactly one waited, for the lock the other process held; whichever asked first won.
      const waiters = reports.filter((r) => r.waited.length > 0);
      expect(waiters, "processes that waited for the lock").toHaveLength(1);
      const second = waiters[0]!;
      const first = reports.find((r) => r !== second)!;
      expect(second.waited).toHaveLength(1);
      expect(second.waited[0]!.holder).toMatch(new RegExp(`^${first.pid}@`));
      expect(first.waited).toEqual([]);
      const [firstId, secondId] = [first.outcome!.deployment, second.outcome!.deployment];
      expect(firstId).not.toBe(secondId);

      // The ledger holds the two deployments one after the other: every event of the first
      // before any of the second, both succeeded, the second replacing the first.
      const ledger = await openLedger({ stateDir: join(project.dir, ".shipgate") });
      try {
        const events = await ledger.listEvents({ env: "production" });
        const seqs = (id: string) => events.filter((e) => e.deploymentId === id).map((e) => e.seq);
        const steps = (id: string) =>
          events.filter((e) => e.deploymentId === id && e.type.startsWith("step."));
        expect(steps(firstId).length).toBeGreaterThan(4);
        expect(steps(secondId).length).toBeGreaterThan(4);
        expect(Math.min(...seqs(secondId))).toBeGreaterThan(Math.max(...seqs(firstId)));
        const deployments = await ledger.listDeployments({ env: "production" });
        const byId = new Map(deployments.map((d) => [d.id, d]));
        expect(byId.get(firstId)?.status).toBe("succeeded");
        expect(byId.get(secondId)?.status).toBe("succeeded");
        expect(byId.get(secondId)?.previousId).toBe(firstId);
        expect(await ledger.listDeployments({ env: "production", status: "running" })).toEqual([]);
      } finally {
        await ledger.close();
      }

      // The second release serves, alone: nothing of either canary is left.
      const secondImage = second.image;
      const after = await inventory(cluster);
      expect(Object.keys(after.deployments)).toEqual(["orders"]);
      expect(after.deployments.orders!.image).toBe(secondImage);
      expect(after.deployments.orders!.annotations["shipgate.dev/release"]).toBe(second.outcome!.live);
      expect(after.services).toEqual(["orders"]);
      expect(await routeWeights(cluster, "gateway-api")).toEqual([{ orders: 100 }]);
      expect(await leftovers(cluster)).toEqual({ deployments: [], services: [], replicaSets: [], pods: [] });
      const status = await environmentStatus({ env: "production", configPath: project.configPath });
      expect(status.recovered).toEqual([]);
      expect(status.live?.release).toBe(second.outcome!.live);
      expect(status.live?.artifact).toBe(secondImage);

      // Throughout both: never a weight on a missing Service; the canary took its share.
      expect(watched.violations, "weights on a Service that did not exist").toEqual([]);
      expect(watched.routed).toEqual(["orders", "orders-canary"]);
    }, 60_000);
  });
});

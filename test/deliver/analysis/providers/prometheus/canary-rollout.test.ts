import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Verdict } from "../../../../../src/deliver/analysis/types.js";
import type { DeploymentOutcome } from "../../../../../src/deliver/events.js";
import { generateLoad, type LoadSummary } from "../../../../../src/deliver/load.js";
import { environmentStatus } from "../../../../../src/deliver/status.js";
import { freePort } from "../../../../../src/net/free-port.js";
import { ENV, type SampleProject, sampleProject } from "../../../support/project.js";
import {
  describeWithPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../../support/prometheus.js";

/**
 * `shipgate deploy` with a canary on the local target, the analysis reading a real Prometheus
 * (Debian's package, scraping every second) instead of the router: Prometheus finds the
 * instances through the agent's scrape-targets.json (file_sd_configs), the provider's PromQL
 * reads their series, and the engine promotes or rolls back on it. These prove the metrics
 * path end to end; the Kubernetes control-plane behaviour is proved elsewhere.
 */
const STEP_SECONDS = 6;
/**
 * The bad canary's step. The error-rate tests are sequential: they fail the canary as soon as
 * the evidence is strong enough, whatever the step's length. At 50 canary requests/s and 5 %
 * errors that takes about 4 s of counted traffic in half the runs and up to 14 s in one run
 * of a thousand, after the 3–5 s Prometheus takes to discover the canary; a 6 s step would end
 * first (and pass it on its minimum request count) in about four runs of ten. A step this long
 * is never reached, so the rollback below is the tests' decision, not the step's end.
 */
const BAD_CANARY_STEP_SECONDS = 30;
/**
 * The longest a step holds for evidence: a healthy canary is shown within the suite's limits
 * some 5–10 s after Prometheus finds it; the stopped-Prometheus test waits this long.
 */
const MAX_STEP_SECONDS = 30;
/** The step of the instance-killed test: see there. */
const KILL_STEP_SECONDS = 20;

describeWithPrometheus(
  "canary analysis decided by a real Prometheus scraping the local target's instances",
  (binary) => {
    let project: SampleProject;
    let prometheus: PrometheusServer;

    beforeAll(async () => {
      const prometheusPort = await freePort();
      project = await sampleProject({
        strategy: `{ canary: { steps: [50], stepSeconds: ${STEP_SECONDS}, maxStepSeconds: ${MAX_STEP_SECONDS} } }`,
        // Probes and scrapes are answered by every instance; the analysis counts client requests.
        // Limits a healthy canary can be shown within in seconds at 50 requests/s: at the
        // defaults (1%, 20%) a 0.1% canary needs minutes of traffic to show it (docs/deliver.md).
        analysis: `{ minRequests: 50, maxErrorRate: 0.02, errorTolerance: 1, provider: { type: prometheus, url: "http://127.0.0.1:${prometheusPort}", selector: 'shipgate_release="{{ release }}", route!~"/health|/ready|/metrics"' } }`,
        timeoutSeconds: 10,
      });
      await mkdir(project.stateDir, { recursive: true });
      prometheus = await startPrometheus({
        binary,
        port: prometheusPort,
        jobs: { files: [join(project.stateDir, "scrape-targets.json")] },
      });
      const first = await project.deploy(await project.release({ version: "1.0.0", errorRate: 0.001 }));
      expect(first.ok, first.reason).toBe(true);
    }, 90_000);

    afterAll(async () => {
      await project?.cleanup();
      await prometheus?.cleanup();
    }, 30_000);

    /** Deploys `release` under steady traffic (100 requests/s through the router); returns what happened. */
    async function deployUnderLoad(
      release: Parameters<SampleProject["release"]>[0],
      during?: (deploymentId: string, verdict: Verdict) => void,
    ): Promise<{ outcome: DeploymentOutcome; load: LoadSummary; canaryTrafficAt: number; endedAt: number }> {
      const artifact = await project.release(release);
      const stop = new AbortController();
      const load = generateLoad({ url: project.url, rps: 100, maxDurationMs: 120_000, signal: stop.signal });
      let canaryTrafficAt = 0;
      const outcome = await project.deploy(artifact, {
        onEvent: (event) => {
          project.events.push(event);
          if (
            event.type === "ledger" &&
            event.event.type === "step.completed" &&
            event.event.data.kind === "weights"
          ) {
            canaryTrafficAt ||= Date.now();
          }
          if (event.type === "analysis.progress") during?.(event.deploymentId, event.verdict);
        },
      });
      const endedAt = Date.now();
      stop.abort();
      return { outcome, load: await load, canaryTrafficAt, endedAt };
    }

    /**
     * Runs `body` with the canary step set to `seconds` in shipgate.yml (each deploy reads it
     * afresh), then puts the suite's step back.
     */
    async function withStepSeconds<T>(seconds: number, body: () => Promise<T>): Promise<T> {
      const configPath = join(project.dir, "shipgate.yml");
      const original = await readFile(configPath, "utf8");
      const changed = original.replace(`stepSeconds: ${STEP_SECONDS}`, `stepSeconds: ${seconds}`);
      if (changed === original) throw new Error("shipgate.yml has no canary stepSeconds to change");
      await writeFile(configPath, changed);
      try {
        return await body();
      } finally {
        await writeFile(configPath, original);
      }
    }

    const analyseEvents = (deploymentId: string, type: string) =>
      project.events.flatMap((e) =>
        e.type === "ledger" &&
        e.event.deploymentId === deploymentId &&
        e.event.type === type &&
        e.event.data.kind === "analyse"
          ? [e.event.data]
          : [],
      );

    test("A/A: a canary as good as the stable release (0.1 % errors each) is promoted on real Prometheus series", async () => {
      const { outcome, load } = await deployUnderLoad({ version: "1.1.0", errorRate: 0.001 });
      expect(outcome.ok, outcome.reason).toBe(true);
      const [passed] = analyseEvents(outcome.deployment.id, "step.completed");
      const verdict = passed!.verdict as Verdict;
      expect(verdict.decision).toBe("pass");
      expect(verdict.canary.requests).toBeGreaterThanOrEqual(50);
      expect(verdict.stable.requests).toBeGreaterThan(0);
      // Prometheus's buckets, not the router's: the sample service answers in well under 5 ms, and
      // all that its histogram says is "at most 5 ms" (the router's own histogram is 2 % wide).
      expect(verdict.canary.p50Ms).toBeCloseTo(5, 0);
      expect(load.failed).toBe(0);
    }, 90_000);

    test("a 5 % canary against a 0.1 % stable is rolled back on real Prometheus series, before its step ends", async () => {
      const { outcome, canaryTrafficAt, endedAt } = await withStepSeconds(BAD_CANARY_STEP_SECONDS, () =>
        deployUnderLoad({ version: "1.2.0", errorRate: 0.05 }),
      );
      const passed = analyseEvents(outcome.deployment.id, "step.completed").map((d) => d.verdict);
      expect(outcome.deployment.status, JSON.stringify(passed)).toBe("rolled_back");
      expect(outcome.reason).toMatch(/error-rate-(relative|absolute) failed/);
      const [failed] = analyseEvents(outcome.deployment.id, "step.failed");
      expect((failed!.verdict as Verdict).decision).toBe("fail");
      // From the canary's first traffic to the stable release serving everything again: the
      // tests decided while the step still had time to run.
      const seconds = (endedAt - canaryTrafficAt) / 1000;
      expect(seconds).toBeLessThan(BAD_CANARY_STEP_SECONDS);
      const status = await environmentStatus({ env: ENV, cwd: project.dir });
      expect(status.releases).toHaveLength(1);
      expect(status.releases[0]!.weight).toBe(100);
    }, 120_000);

    test("an instance killed mid-analysis comes back with its counters at zero: the analysis neither fails nor stalls", async () => {
      let killed: number | undefined;
      // A step long enough that Prometheus has found the canary and counted its requests well
      // before the step could pass, however loaded the machine: the kill lands mid-analysis.
      const { outcome } = await withStepSeconds(KILL_STEP_SECONDS, () =>
        deployUnderLoad({ version: "1.3.0", errorRate: 0.001 }, (deploymentId, verdict) => {
          // Once the analysis has counted canary requests, kill one canary instance (SIGKILL): the
          // agent starts it again on a new port, a new series in Prometheus that begins at zero.
          if (killed !== undefined || verdict.canary.requests < 20) return;
          killed = 0;
          void environmentStatus({ env: ENV, cwd: project.dir }).then((status) => {
            const instance = status.releases.find((r) => r.id === deploymentId)?.instances.find((i) => i.pid);
            if (!instance?.pid) return;
            killed = instance.pid;
            process.kill(instance.pid, "SIGKILL");
          });
        }),
      );
      expect(killed, "a canary instance was killed during the analysis").toBeGreaterThan(0);
      expect(outcome.ok, outcome.reason).toBe(true);
      const [passed] = analyseEvents(outcome.deployment.id, "step.completed");
      expect((passed!.verdict as Verdict).canary.requests).toBeGreaterThanOrEqual(50);
    }, 120_000);

    test("Prometheus stopped mid-analysis: the step holds, then fails at its deadline as inconclusive, never passes", async () => {
      let stopping: Promise<void> | undefined;
      const { outcome } = await deployUnderLoad({ version: "1.4.0", errorRate: 0.001 }, () => {
        stopping ??= prometheus.stop();
      });
      await stopping;
      expect(outcome.deployment.status).toBe("rolled_back");
      expect(outcome.reason).toMatch(
        /inconclusive after \d+s: metrics provider failed \d+ times in a row; holding: prometheus: .*ECONNREFUSED/,
      );
      expect(analyseEvents(outcome.deployment.id, "step.completed")).toEqual([]);
      const [failed] = analyseEvents(outcome.deployment.id, "step.failed");
      // Held for the longest hold before giving up: the deadline, not the first error.
      expect(failed!.ms as number).toBeGreaterThanOrEqual(MAX_STEP_SECONDS * 1000);
      expect((failed!.verdict as Verdict).decision).toBe("inconclusive");
      const progress = project.events.filter(
        (e) => e.type === "analysis.progress" && e.deploymentId === outcome.deployment.id,
      );
      expect(progress.some((e) => e.type === "analysis.progress" && e.verdict.decision === "pass")).toBe(
        false,
      );
      const status = await environmentStatus({ env: ENV, cwd: project.dir });
      expect(status.releases).toHaveLength(1);
    }, 90_000);
  },
);

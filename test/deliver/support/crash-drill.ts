import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { generateLoad, type LoadSummary } from "../../../src/deliver/load.js";
import { environmentStatus } from "../../../src/deliver/status.js";
import { describeStep } from "../../../src/deliver/steps.js";
import { planFor } from "../../../src/deliver/strategies/index.js";
import { openLedger } from "../../../src/ledger/index.js";
import { ENV, type SampleProject, sampleProject } from "./project.js";

const CLI = new URL("./cli-process.ts", import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Runs `shipgate deploy` in its own process and SIGKILLs it once step `index` has started. */
function deployAndKill(project: SampleProject, artifact: string, index: number, delayMs: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, "deploy", ENV, "--artifact", artifact], {
      cwd: project.dir,
      env: { ...process.env, SHIPGATE_KILL_AT_STEP: String(index), SHIPGATE_KILL_DELAY_MS: String(delayMs) },
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

/**
 * The crash drill of one strategy: for every step of its plan, a deploy process is killed
 * with SIGKILL right after that step starts; traffic must keep being served, and the next
 * `status` must find the interrupted deployment and finish it — rolled back before the new
 * release is live, resumed after.
 */
export function crashDrill(name: string, strategy: string) {
  describe(`SIGKILL at every step of ${name}`, () => {
    let project: SampleProject;
    const artifacts: string[] = [];
    let traffic: AbortController;
    let load: Promise<LoadSummary>;
    let steps: ReturnType<typeof planFor> = [];

    beforeAll(async () => {
      project = await sampleProject({
        strategy,
        // Crash safety, not analysis: a step advances without evidence at its end (after smoke checks).
        analysis: "{ minRequests: 0, whenInconclusive: bake }",
        timeoutSeconds: 5,
        extra: "    rollback: { keepPrevious: 30s }\n",
      });
      artifacts.push(
        await project.release({ version: "1.0.0" }),
        await project.release({ version: "2.0.0" }),
      );
      const first = await project.deploy(artifacts[0]!);
      expect(first.ok, first.reason).toBe(true);
      const { config } = await loadConfig({ path: join(project.dir, "shipgate.yml") });
      steps = planFor(config.environments[ENV]!, {
        release: "new",
        artifactId: artifacts[1]!,
        stable: "old",
        instances: 2,
        smoke: true,
      });
      traffic = new AbortController();
      load = generateLoad({ url: project.url, rps: 40, maxDurationMs: 240_000, signal: traffic.signal });
    }, 60_000);

    afterAll(async () => {
      traffic?.abort();
      await load;
      await project?.cleanup();
    }, 30_000);

    test("every step, then the traffic that flowed through all of it", async () => {
      const promoteIndex = steps.findIndex((s) => s.kind === "promote");
      expect(promoteIndex).toBeGreaterThan(0);
      for (let index = 0; index < steps.length; index++) {
        const before = await environmentStatus({ env: ENV, cwd: project.dir });
        const next = artifacts.find((a) => a !== before.live?.artifact)!;
        // Slow steps are killed part-way through, instant ones right after they are recorded.
        const slow = ["start", "health", "smoke", "analyse"].includes(steps[index]!.kind);
        const exit = await deployAndKill(project, next, index, slow ? 40 : 0);
        const where = `killed at step ${index} (${describeStep(steps[index]!)})`;
        expect(exit.signal, where).toBe("SIGKILL");

        // The killed process left its deployment running; the router still serves.
        const ledger = await openLedger({ stateDir: project.stateDir });
        const [interrupted] = await ledger.listDeployments({ env: ENV, limit: 1 });
        await ledger.close();
        expect(interrupted?.status, where).toBe("running");
        expect((await fetch(`${project.url}/api/orders`)).status, where).toBe(200);

        const after = await environmentStatus({ env: ENV, cwd: project.dir });
        expect(after.recovered, where).toHaveLength(1);
        const recovered = after.recovered[0]!;
        if (index > promoteIndex) {
          expect(recovered.deployment.status, where).toBe("succeeded");
          expect(after.live?.artifact, where).toBe(next);
        } else {
          expect(recovered.deployment.status, where).toBe("rolled_back");
          expect(recovered.reason, where).toMatch(/interrupted at step/);
          expect(after.live?.artifact, where).toBe(before.live?.artifact);
        }
        // Nothing is left half-started: only the live release runs, plus a set blue-green keeps.
        for (const r of after.releases.filter((r) => r.id !== after.live?.release)) {
          expect(r.weight, where).toBe(0);
          expect(r.retireAt, `${where}: ${r.id} is left running`).toBeTruthy();
        }
        const serving = after.releases.find((r) => r.id === after.live?.release);
        expect(serving?.healthy, where).toBe(2);
      }
      traffic.abort();
      const summary = await load;
      expect(summary.sent).toBeGreaterThan(100);
      expect(summary.failed, summary.failures.join("\n")).toBe(0);
      expect(summary.ok, JSON.stringify(summary.statuses)).toBe(summary.answered);
    }, 240_000);
  });
}

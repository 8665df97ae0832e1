import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { style } from "../cli/style.js";
import { buildRelease } from "../deliver/build.js";
import { deploy } from "../deliver/deploy.js";
import type { DeploymentOutcome } from "../deliver/events.js";
import { deploymentHistory } from "../deliver/history.js";
import { generateLoad } from "../deliver/load.js";
import { createTimeline } from "../deliver/render.js";
import { environmentStatus } from "../deliver/status.js";
import { stopAgent } from "../deliver/targets/local/index.js";
import { generatePipeline } from "../generate/index.js";
import { initProject } from "../init/index.js";
import { freePort } from "../net/free-port.js";
import { commitSampleRelease, createSampleRepo, type SampleRelease, sampleConfig } from "./sample-repo.js";

export { SAMPLE_APP_DIR } from "./sample-repo.js";

export interface DemoOptions {
  /** Where to work; a new temporary directory when unset (removed afterwards unless `keep`). */
  workDir?: string;
  keep?: boolean;
  /** One line of the timeline at a time. */
  log: (line: string) => void;
  color?: boolean;
  /** Seconds each canary step is watched; default 4. */
  stepSeconds?: number;
}

export interface DemoResult {
  ok: boolean;
  workDir: string;
  /** The three deployments: v1 (first release), v2 (canary, promoted), v3 (canary, rolled back). */
  outcomes: DeploymentOutcome[];
  /** The release serving at the end (v2's). */
  live?: string;
  /** Requests the load generator sent during the rollouts and how they were answered. */
  load: { sent: number; failed: number; statuses: Record<string, number> };
  chainOk: boolean;
}

const REQUESTS_PER_SECOND = 200;
/** How much longer than its least time a demo step may hold for evidence. */
const MAX_HOLD_FACTOR = 10;
const ENV = "production";

/**
 * The whole loop on the bundled sample service, on this machine, with embedded defaults:
 * init and generate its pipeline, then deploy it on the local target — v1; v2 by canary,
 * healthy, promoted; v3 with a bug (5% of requests fail), rolled back automatically — under
 * steady traffic, and clean up with the agent stopped.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), "shipgate-demo-")));
  const stateDir = join(workDir, ".shipgate");
  const s = style(options.color ?? false);
  const timeline = createTimeline({ style: s, log: options.log });
  const step = timeline.line;
  const stepSeconds = options.stepSeconds ?? 4;
  const outcomes: DeploymentOutcome[] = [];
  const traffic = new AbortController();
  let load: Promise<Awaited<ReturnType<typeof generateLoad>>> | undefined;
  try {
    const port = await freePort();
    await createSampleRepo({ dir: workDir });
    step("copy", `examples/sample-app → ${workDir}, a git repository`);

    const init = await initProject({ root: workDir, target: "local" });
    const d = init.detection;
    step(
      "init",
      `detected ${d.language ?? "nothing"}${d.packageManager ? ` (${d.packageManager})` : ""}; wrote shipgate.yml for the local target`,
    );
    const generated = await generatePipeline({ root: workDir });
    const workflows = generated.files.filter((f) => f.path.startsWith(".github/workflows/"));
    const vendored = generated.files.filter((f) => !f.path.startsWith(".github/workflows/"));
    step(
      "generate",
      `${workflows.length} workflows: ${workflows.map((f) => f.path.replace(".github/workflows/", "")).join(", ")}${vendored.length ? `; the package they run shipgate from: ${vendored.map((f) => f.path).join(", ")}` : ""}`,
    );
    // Demo timings: seconds instead of the minutes a real canary step is watched for.
    await writeFile(
      init.path,
      sampleConfig({
        env: ENV,
        port,
        strategy: `{ canary: { steps: [10, 50, 100], stepSeconds: ${stepSeconds}, maxStepSeconds: ${MAX_HOLD_FACTOR * stepSeconds} } }`,
        // A tolerance of 1 (the canary may fail up to twice as often as stable) lets the sample's
        // canary show it is within the limits in seconds at 20 requests/s; see docs/deliver.md
        // for how long the defaults take at a given traffic. The sample answers in about a
        // millisecond; on a busy machine the canary's instances, at a tenth of the traffic, are
        // scheduled later than stable's and their p95 stays 1–2 ms higher for as long as the load
        // lasts. A 5 ms tolerance over stable's p95 keeps that noise from holding the demo's
        // canary; a real service's latencies make the default 2 ms the right size there.
        analysis: "{ maxErrorRate: 0.02, errorTolerance: 1, minRequests: 20, latencyToleranceMs: 5 }",
      }),
    );
    step(
      "configure",
      `${ENV}: local target on 127.0.0.1:${port}, 2 instances, canary 10% → 50% → 100%, each step at least ${stepSeconds}s and until the canary is shown within the limits (at most ${MAX_HOLD_FACTOR * stepSeconds}s)`,
    );

    const ship = async (release: SampleRelease, what: string) => {
      await commitSampleRelease({ dir: workDir, release });
      const { artifact } = await buildRelease({ cwd: workDir });
      step(
        "build",
        `${s.bold(`v${release.version}`)} ${what}: ${artifact.id} ${artifact.digest.slice(0, 19)}…`,
      );
      const outcome = await deploy({
        env: ENV,
        artifact: artifact.id,
        cwd: workDir,
        requestedBy: "demo",
        onEvent: timeline.event,
        pollMs: 250,
      });
      outcomes.push(outcome);
      return outcome;
    };

    await ship({ version: "1.0.0" }, "the first release");
    load = generateLoad({
      url: `http://127.0.0.1:${port}`,
      rps: REQUESTS_PER_SECOND,
      maxDurationMs: 120_000,
      signal: traffic.signal,
    });
    step("traffic", `${REQUESTS_PER_SECOND} requests/s to http://127.0.0.1:${port}/api/orders from now on`);
    await ship({ version: "2.0.0" }, "a healthy change");
    await ship({ version: "3.0.0", errorRate: 0.05 }, "with a bug: 5% of requests fail");
    traffic.abort();
    const sent = await load;
    step(
      "traffic",
      `${sent.sent} requests: ${sent.failed} unanswered; ${Object.entries(sent.statuses)
        .map(([code, n]) => `${n}× ${code}`)
        .join(", ")} (the 500s are v3's canary share before the rollback)`,
    );

    const status = await environmentStatus({ env: ENV, cwd: workDir });
    step(
      "status",
      `${status.live?.release ?? "nothing"} (${status.live?.artifact ?? "-"}) serves ${status.url}`,
    );
    const history = await deploymentHistory({ env: ENV, cwd: workDir, verify: true });
    const chain = history.chain!;
    step(
      "ledger",
      `${history.deployments.length} deployments, ${chain.events} events, chain ${chain.ok ? "verified" : "BROKEN"}`,
    );
    const [v1, v2, v3] = outcomes;
    const ok =
      Boolean(v1?.ok && v2?.ok && v3 && !v3.ok && v3.deployment.status === "rolled_back") &&
      status.live?.release === v2?.deployment.id &&
      sent.failed === 0 &&
      chain.ok;
    step(
      "result",
      ok ? s.green("v2 serves; v3 was rolled back on the evidence") : s.red("the demo did not go as planned"),
    );
    return {
      ok,
      workDir,
      outcomes,
      ...(status.live && { live: status.live.release }),
      load: { sent: sent.sent, failed: sent.failed, statuses: sent.statuses },
      chainOk: chain.ok,
    };
  } finally {
    traffic.abort();
    await load?.catch(() => undefined);
    const stopped = await stopAgent({ stateDir }).catch(() => undefined);
    if (stopped) step("stop", "agent stopped: every release drained");
    if (!options.keep && !options.workDir) {
      await rm(workDir, { recursive: true, force: true });
      step("clean", `removed ${workDir}`);
    }
  }
}

/**
 * Time from a canary's first traffic to its completed rollback, for real: the sample service
 * as processes behind the local router, the stable release failing 0.1% of requests, the
 * canary 5%, with 50 requests/s of canary traffic (200 requests/s at a 25% share). Measured
 * from the ledger's own timestamps: the canary's first `weights` step to `rollback.completed`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRelease } from "../../src/deliver/build.js";
import { deploy } from "../../src/deliver/deploy.js";
import { generateLoad } from "../../src/deliver/load.js";
import { stopAgent } from "../../src/deliver/targets/local/index.js";
import { commitSampleRelease, createSampleRepo, sampleConfig } from "../../src/demo/sample-repo.js";
import { openLedger } from "../../src/ledger/index.js";
import { freePort } from "../../src/net/free-port.js";

const RUNS = Number(process.env.BENCH_ROLLBACK_RUNS ?? 7);
const TOTAL_RPS = 200;
const CANARY_SHARE = 25;

export async function benchRollback(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-bench-rollback-"));
  const port = await freePort();
  const stateDir = join(dir, ".shipgate");
  const seconds: number[] = [];
  const errorsSeen: number[] = [];
  try {
    await createSampleRepo({
      dir,
      config: sampleConfig({
        port,
        strategy: `{ canary: { steps: [${CANARY_SHARE}, 100], stepSeconds: 60 } }`,
        analysis: "{ maxErrorRate: 0.01, maxLatencyRatio: 2 }",
      }),
    });
    const build = async (version: string, errorRate: number) => {
      await commitSampleRelease({ dir, release: { version, errorRate } });
      return (await buildRelease({ cwd: dir })).artifact.id;
    };
    const stable = await build("1.0.0", 0.001);
    const bad = await build("2.0.0", 0.05);
    const first = await deploy({ env: "production", artifact: stable, cwd: dir, requestedBy: "bench" });
    if (!first.ok) throw new Error(`the stable release did not deploy: ${first.reason}`);
    const traffic = new AbortController();
    const load = generateLoad({
      url: `http://127.0.0.1:${port}`,
      rps: TOTAL_RPS,
      maxDurationMs: 600_000,
      signal: traffic.signal,
    });
    const ledger = await openLedger({ stateDir });
    try {
      for (let run = 0; run < RUNS; run++) {
        const outcome = await deploy({
          env: "production",
          artifact: bad,
          cwd: dir,
          requestedBy: "bench",
          pollMs: 100,
        });
        if (outcome.deployment.status !== "rolled_back") throw new Error(`run ${run}: ${outcome.reason}`);
        const events = await ledger.listEvents({ deploymentId: outcome.deployment.id });
        const shift = events.find((e) => e.type === "step.started" && e.data.kind === "weights");
        const done = events.find((e) => e.type === "rollback.completed");
        const failed = events.find((e) => e.type === "step.failed");
        seconds.push((Date.parse(done!.at) - Date.parse(shift!.at)) / 1000);
        const verdict = failed?.data.verdict as { canary?: { errors?: number } } | undefined;
        errorsSeen.push(verdict?.canary?.errors ?? Number.NaN);
      }
    } finally {
      await ledger.close();
      traffic.abort();
      await load;
    }
  } finally {
    await stopAgent({ stateDir }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  const median = quantile(seconds, 0.5);
  const p90 = quantile(seconds, 0.9);
  return {
    lines: [
      `canary 5% errors vs stable 0.1%, ${(TOTAL_RPS * CANARY_SHARE) / 100} req/s of canary traffic, ${RUNS} runs:`,
      `  canary start → rollback completed: median ${median.toFixed(2)} s, p90 ${p90.toFixed(2)} s, max ${Math.max(...seconds).toFixed(2)} s (target < 10 s: ${p90 < 10 ? "met" : "NOT met"})`,
      `  canary errors seen at the decision: median ${quantile(errorsSeen, 0.5)}`,
    ],
    figures: { rollbackMedianSeconds: median, rollbackP90Seconds: p90 },
  };
}

function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines } = await benchRollback();
  console.log(lines.join("\n"));
}

/**
 * Time from a canary's first traffic to its completed rollback, for real: the sample service
 * as processes behind the local router, the stable release failing 0.1% of requests, the
 * canary 5%, with 50 requests/s of canary traffic (200 requests/s at a 25% share). Measured
 * from the ledger's own timestamps: the canary's first `weights` step to `rollback.completed`.
 */
import { pathToFileURL } from "node:url";
import { deploy } from "../../src/deliver/deploy.js";
import { openLedger } from "../../src/ledger/index.js";
import { startSampleService } from "./sample-service.js";

const RUNS = Number(process.env.BENCH_ROLLBACK_RUNS ?? 7);
const TOTAL_RPS = 200;
const CANARY_SHARE = 25;

export async function benchRollback(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const seconds: number[] = [];
  const errorsSeen: number[] = [];
  const service = await startSampleService({
    strategy: `{ canary: { steps: [${CANARY_SHARE}, 100], stepSeconds: 60 } }`,
    analysis: "{ maxErrorRate: 0.01, maxLatencyRatio: 2 }",
    releases: [
      { version: "1.0.0", errorRate: 0.001 },
      { version: "2.0.0", errorRate: 0.05 },
    ],
    rps: TOTAL_RPS,
  });
  try {
    const bad = service.artifacts[1]!;
    const ledger = await openLedger({ stateDir: service.stateDir });
    try {
      for (let run = 0; run < RUNS; run++) {
        const outcome = await deploy({
          env: "production",
          artifact: bad,
          cwd: service.dir,
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
    }
  } finally {
    await service.close();
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await benchRollback();
  console.log(lines.join("\n"));
}

/**
 * A/A on real processes: the same sample service deployed over itself by canary, again and
 * again, under steady load. The simulated A/A runs (analysis.ts) assume that two equal
 * releases look equal; real ones do not quite, since the canary's instances are fresh Node
 * processes whose code is not yet optimised while the stable one's has been serving for a
 * while. This counts how often that difference alone gets a healthy canary rolled back, and
 * whether a request is lost across the deploys. Both releases fail 0.1% of requests.
 */
import { pathToFileURL } from "node:url";
import { deploy } from "../../src/deliver/deploy.js";
import { startSampleService } from "./sample-service.js";

const RUNS = Number(process.env.BENCH_AA_PROCESS_RUNS ?? 10);
const TOTAL_RPS = 200;
const CANARY_SHARE = 25;
const STEP_SECONDS = 15;
/** A step advances on evidence that the canary is within the limits; at 50 canary requests/s and 0.1% errors that takes about a minute. */
const MAX_STEP_SECONDS = 180;
const MAX_LATENCY_RATIO = 1.5;

export async function benchProcessAA(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const rollbacks: string[] = [];
  const promoteSeconds: number[] = [];
  // Two artifacts of the same code, so that every run deploys the other one.
  const service = await startSampleService({
    strategy: `{ canary: { steps: [${CANARY_SHARE}, 100], stepSeconds: ${STEP_SECONDS}, maxStepSeconds: ${MAX_STEP_SECONDS} } }`,
    analysis: `{ maxErrorRate: 0.02, maxLatencyRatio: ${MAX_LATENCY_RATIO} }`,
    releases: [
      { version: "1.0.0", errorRate: 0.001 },
      { version: "1.0.1", errorRate: 0.001 },
    ],
    rps: TOTAL_RPS,
  });
  try {
    for (let run = 0; run < RUNS; run++) {
      const started = Date.now();
      const outcome = await deploy({
        env: "production",
        artifact: service.artifacts[(run + 1) % 2]!,
        cwd: service.dir,
        requestedBy: "bench",
        pollMs: 250,
      });
      if (!outcome.ok) rollbacks.push(`run ${run + 1}: ${outcome.reason}`);
      else promoteSeconds.push((Date.now() - started) / 1000);
    }
    const served = await service.finish();
    const lost = served.sent - served.answered;
    const failedAnswers = served.answered - served.ok;
    return {
      lines: [
        `the sample service by canary over itself (${CANARY_SHARE}% then 100%, each step at least ${STEP_SECONDS} s and at most ${MAX_STEP_SECONDS} s, max p95 ratio ${MAX_LATENCY_RATIO}), ${TOTAL_RPS} req/s, ${RUNS} runs:`,
        `  rolled back: ${rollbacks.length} of ${RUNS}`,
        `  promoted in: ${promoteSeconds.length ? `median ${median(promoteSeconds).toFixed(0)} s, max ${Math.max(...promoteSeconds).toFixed(0)} s (whole deploy: start, health, smoke, analysis)` : "–"}`,
        ...rollbacks.map((r) => `    ${r}`),
        `  requests: ${served.sent} sent, ${lost} unanswered, ${failedAnswers} answered 5xx (both releases fail 0.1% by design)`,
      ],
      figures: { processAARollbacks: rollbacks.length, processAARuns: RUNS, processAALost: lost },
    };
  } finally {
    await service.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await benchProcessAA();
  console.log(lines.join("\n"));
}

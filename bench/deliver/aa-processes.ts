/**
 * A/A on real processes: the same sample service deployed over itself by canary, again and
 * again, under steady load. The simulated A/A runs (analysis.ts) assume that two equal
 * releases look equal; real ones do not quite, since the canary's instances are fresh Node
 * processes whose code is not yet optimised while the stable one's has been serving for a
 * while. This counts how often that difference alone gets a healthy canary rolled back, and
 * whether a request is lost across the deploys. Both releases fail 0.1% of requests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRelease } from "../../src/deliver/build.js";
import { deploy } from "../../src/deliver/deploy.js";
import { generateLoad } from "../../src/deliver/load.js";
import { stopAgent } from "../../src/deliver/targets/local/index.js";
import { commitSampleRelease, createSampleRepo, sampleConfig } from "../../src/demo/sample-repo.js";
import { freePort } from "../../src/net/free-port.js";

const RUNS = Number(process.env.BENCH_AA_PROCESS_RUNS ?? 10);
const TOTAL_RPS = 200;
const CANARY_SHARE = 25;
const STEP_SECONDS = 15;
const MAX_LATENCY_RATIO = 1.5;

export async function benchProcessAA(): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-bench-aa-"));
  const port = await freePort();
  const stateDir = join(dir, ".shipgate");
  const rollbacks: string[] = [];
  try {
    await createSampleRepo({
      dir,
      config: sampleConfig({
        port,
        strategy: `{ canary: { steps: [${CANARY_SHARE}, 100], stepSeconds: ${STEP_SECONDS} } }`,
        analysis: `{ maxErrorRate: 0.02, maxLatencyRatio: ${MAX_LATENCY_RATIO} }`,
      }),
    });
    // Two artifacts of the same code, so that every run deploys the other one.
    const artifacts: string[] = [];
    for (const version of ["1.0.0", "1.0.1"]) {
      await commitSampleRelease({ dir, release: { version, errorRate: 0.001 } });
      artifacts.push((await buildRelease({ cwd: dir })).artifact.id);
    }
    const first = await deploy({
      env: "production",
      artifact: artifacts[0]!,
      cwd: dir,
      requestedBy: "bench",
    });
    if (!first.ok) throw new Error(`the first release did not deploy: ${first.reason}`);
    const traffic = new AbortController();
    const load = generateLoad({
      url: `http://127.0.0.1:${port}`,
      rps: TOTAL_RPS,
      maxDurationMs: 3_600_000,
      signal: traffic.signal,
    });
    try {
      for (let run = 0; run < RUNS; run++) {
        const outcome = await deploy({
          env: "production",
          artifact: artifacts[(run + 1) % 2]!,
          cwd: dir,
          requestedBy: "bench",
          pollMs: 250,
        });
        if (!outcome.ok) rollbacks.push(`run ${run + 1}: ${outcome.reason}`);
      }
    } finally {
      traffic.abort();
    }
    const served = await load;
    const lost = served.sent - served.answered;
    const failedAnswers = served.sent - served.ok;
    return {
      lines: [
        `the sample service by canary over itself (${CANARY_SHARE}% then 100%, ${STEP_SECONDS} s a step, max p95 ratio ${MAX_LATENCY_RATIO}), ${TOTAL_RPS} req/s, ${RUNS} runs:`,
        `  rolled back: ${rollbacks.length} of ${RUNS}`,
        ...rollbacks.map((r) => `    ${r}`),
        `  requests: ${served.sent} sent, ${lost} unanswered, ${failedAnswers} answered 5xx (both releases fail 0.1% by design)`,
      ],
      figures: { processAARollbacks: rollbacks.length, processAARuns: RUNS, processAALost: lost },
    };
  } finally {
    await stopAgent({ stateDir }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines } = await benchProcessAA();
  console.log(lines.join("\n"));
}

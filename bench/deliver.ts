/**
 * bench:deliver — the delivery engine's figures, each against its target:
 * 1. time from a bad canary's first traffic to a completed rollback (real processes, real HTTP);
 * 2. the analysis's false-rollback rate over A/A rollouts and its detection speed (simulated
 *    traffic through the same analysis code the engine runs), then A/A on real processes,
 *    where the canary's instances start cold;
 * 3. the router's added latency at 1,000 requests/s against calling an instance directly, and
 *    its throughput against nginx with the same weighted upstreams, when nginx is installed;
 * 4. on the kubernetes target (the test cluster, a real Prometheus): time from a bad canary's
 *    Deployment to the HTTPRoute back at 100 % stable, and the API requests of each step;
 *    skipped, saying why, without the cluster's binaries or Prometheus.
 * A benchmark, not a test: it prints figures and exits 0.
 */
import { benchProcessAA } from "./deliver/aa-processes.js";
import { benchAnalysis } from "./deliver/analysis.js";
import { benchKubernetes } from "./deliver/kubernetes.js";
import { benchRollback } from "./deliver/rollback.js";
import { benchRouter } from "./deliver/router.js";

const sections: Array<[string, () => Promise<{ lines: string[] }>]> = [
  ["Canary rollback, end to end", benchRollback],
  ["Canary analysis: false rollbacks and detection", () => benchAnalysis()],
  ["Canary analysis: A/A on real processes", benchProcessAA],
  ["Router", benchRouter],
  ["Kubernetes: a bad canary through a real Prometheus", benchKubernetes],
];

for (const [title, run] of sections) {
  console.log(`\n## ${title}\n`);
  const started = performance.now();
  const { lines } = await run();
  for (const line of lines) console.log(line);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

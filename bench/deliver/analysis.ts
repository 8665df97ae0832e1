/**
 * bench: canary analysis — false rollbacks when canary and stable are the same release (A/A),
 * and time to a `fail` decision against a bad canary, over seeded simulations of whole
 * rollouts (src/deliver/analysis/simulate.ts). Every run is reproducible from its seed.
 *
 *   npx tsx bench/deliver/analysis.ts
 *
 * 3,400 rollouts of up to 180 simulated seconds each: about two minutes on one core.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  type AnalysisRun,
  type CanaryScenario,
  DEFAULT_ALPHA,
  type ReleaseModel,
  runAnalysis,
} from "../../src/deliver/analysis/index.js";

export interface BenchAnalysisOptions {
  /** Runs of each A/A scenario. Default 1000. */
  aaRuns?: number;
  /** Runs of each detection scenario. Default 200. */
  detectionRuns?: number;
}

const LATENCY = { medianMs: 20, sigma: 0.5 };
const release = (errorRate: number, medianMs = LATENCY.medianMs): ReleaseModel => ({
  errorRate,
  latency: { medianMs, sigma: LATENCY.sigma },
});

/** The rollout of the A/A runs: 10%, 50%, 100% for 60 s each at 200 req/s. */
const ROLLOUT: Omit<CanaryScenario, "canary" | "stable"> = {
  totalRps: 200,
  canaryWeights: [0.1, 0.5, 1],
  stepSeconds: 60,
  limits: { maxErrorRate: 0.02, maxLatencyRatio: 1.5 },
};

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function runMany(scenario: CanaryScenario, runs: number, firstSeed: number): AnalysisRun[] {
  return Array.from({ length: runs }, (_, i) => runAnalysis(scenario, firstSeed + i));
}

interface AaResult {
  falseRollbacks: number;
  latencyFalseAlarms: number;
  runs: number;
}

function aa(scenario: CanaryScenario, runs: number, firstSeed: number): AaResult {
  const results = runMany(scenario, runs, firstSeed);
  const fails = results.filter((run) => run.decision === "fail");
  return {
    runs,
    falseRollbacks: fails.length,
    latencyFalseAlarms: fails.filter((run) => run.verdict.tests[2]!.failed).length,
  };
}

interface DetectionResult {
  detected: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  medianCanaryErrors: number;
  medianCanaryRequests: number;
  decidedBy: Record<string, number>;
}

function detection(scenario: CanaryScenario, runs: number, firstSeed: number): DetectionResult {
  const results = runMany(scenario, runs, firstSeed);
  const fails = results.filter((run) => run.decision === "fail");
  const decidedBy: Record<string, number> = {};
  for (const run of fails)
    for (const test of run.verdict.tests)
      if (test.failed) decidedBy[test.name] = (decidedBy[test.name] ?? 0) + 1;
  return {
    detected: fails.length,
    runs,
    medianMs: percentile(
      fails.map((run) => run.atMs),
      0.5,
    ),
    p90Ms: percentile(
      fails.map((run) => run.atMs),
      0.9,
    ),
    medianCanaryErrors: percentile(
      fails.map((run) => run.verdict.canary.errors),
      0.5,
    ),
    medianCanaryRequests: percentile(
      fails.map((run) => run.verdict.canary.requests),
      0.5,
    ),
    decidedBy,
  };
}

const pct = (count: number, runs: number): string => `${((100 * count) / runs).toFixed(2)}%`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export async function benchAnalysis(
  options: BenchAnalysisOptions = {},
): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const aaRuns = options.aaRuns ?? 1000;
  const detectionRuns = options.detectionRuns ?? 200;
  const alpha = ROLLOUT.limits.alpha ?? DEFAULT_ALPHA;
  const started = performance.now();
  const lines: string[] = [];
  const figures: Record<string, number> = { alpha };

  const aaLowErrors = aa({ ...ROLLOUT, canary: release(0.001), stable: release(0.001) }, aaRuns, 1);
  const aaErrors = aa({ ...ROLLOUT, canary: release(0.01), stable: release(0.01) }, aaRuns, 100_001);
  const aaShift = aa(
    {
      ...ROLLOUT,
      canary: release(0.01),
      stable: release(0.01),
      // The router's share moves inside steps (10% → 30%, then 50% → 20%), and a shared
      // incident takes both releases to 1.8% errors across the second move.
      weightChanges: [
        { atMs: 30_000, canaryWeight: 0.3 },
        { atMs: 90_000, canaryWeight: 0.2 },
      ],
      sharedErrorSpikes: [{ fromMs: 80_000, toMs: 100_000, errorRate: 0.018 }],
    },
    aaRuns,
    200_001,
  );

  const errorDetection = detection(
    {
      ...ROLLOUT,
      totalRps: 500,
      canary: release(0.05),
      stable: release(0.001),
    },
    detectionRuns,
    300_001,
  );
  const latencyDetection = detection(
    { ...ROLLOUT, canary: release(0.01, 2 * LATENCY.medianMs), stable: release(0.01) },
    detectionRuns,
    400_001,
  );

  const aaRows: Array<[string, string, AaResult]> = [
    ["aaLowErrors", "A/A, both 0.1% errors", aaLowErrors],
    ["aaErrors", "A/A, both 1% errors", aaErrors],
    ["aaShift", "A/A, 1%, share moves mid-step + shared incident", aaShift],
  ];
  lines.push(
    `Canary analysis, α = ${alpha} split in three (error-rate relative, absolute, p95 latency: α/3 each)`,
    `Rollout: 10% → 50% → 100% canary, 60 s a step, 200 req/s, measured every 250 ms; tolerance 20%, max error rate 2%, max p95 ratio 1.5`,
    "",
    "| scenario | runs | false rollbacks | of which latency | target |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const [key, label, result] of aaRows) {
    figures[`${key}.falseRollbackRate`] = result.falseRollbacks / result.runs;
    figures[`${key}.latencyFalseAlarmRate`] = result.latencyFalseAlarms / result.runs;
    lines.push(
      `| ${label} | ${result.runs} | ${result.falseRollbacks} (${pct(result.falseRollbacks, result.runs)}) | ` +
        `${result.latencyFalseAlarms} (${pct(result.latencyFalseAlarms, result.runs)}) | < ${alpha * 100}% |`,
    );
  }

  const detectionRows: Array<[string, string, DetectionResult]> = [
    ["errorDetection", "5% vs 0.1% errors, 50 canary req/s (500 total, 10%)", errorDetection],
    ["latencyDetection", "canary p95 2× stable's, 20 canary req/s then 100", latencyDetection],
  ];
  lines.push(
    "",
    "| regression | runs | detected | median time | p90 time | canary errors / requests at decision (median) | decided by |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const [key, label, result] of detectionRows) {
    figures[`${key}.detectedRate`] = result.detected / result.runs;
    figures[`${key}.medianMs`] = result.medianMs;
    figures[`${key}.p90Ms`] = result.p90Ms;
    figures[`${key}.medianCanaryErrors`] = result.medianCanaryErrors;
    figures[`${key}.medianCanaryRequests`] = result.medianCanaryRequests;
    const decidedBy = Object.entries(result.decidedBy)
      .map(([name, count]) => `${name} ${count}`)
      .join(", ");
    lines.push(
      `| ${label} | ${result.runs} | ${pct(result.detected, result.runs)} | ${seconds(result.medianMs)} | ` +
        `${seconds(result.p90Ms)} | ${result.medianCanaryErrors} / ${result.medianCanaryRequests} | ${decidedBy} |`,
    );
  }
  const wallMs = performance.now() - started;
  figures.wallMs = wallMs;
  lines.push("", `(${3 * aaRuns + 2 * detectionRuns} simulated rollouts in ${seconds(wallMs)} of wall time)`);
  return { lines, figures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lines } = await benchAnalysis();
  for (const line of lines) console.log(line);
}

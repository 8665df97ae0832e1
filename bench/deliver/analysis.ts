/**
 * bench: canary analysis — three rollout policies on the same seeded traffic (simulated by
 * src/deliver/analysis/simulate.ts through the analysis code the engine runs):
 *
 * - evidence to advance (shipgate): roll back on evidence of harm (α), advance only on
 *   evidence that the canary is within the limits (β), hold up to 3 × the step's length;
 * - advance on absence of failure (shipgate before): the same tests of harm, a step advances
 *   when its time is up with at least `minRequests` canary requests;
 * - a Flagger-style threshold check (./canary-policies.ts).
 *
 * For each: false rollbacks when canary and stable are the same release (A/A), the time a
 * healthy canary takes to be promoted at 200 and 20 req/s, the harm a 5%-error canary does
 * before it is stopped (errors beyond the stable release's rate; a bad canary that is promoted
 * keeps serving all traffic for ten minutes before anything else notices, and that is counted),
 * the largest share it reached, and how often a canary twice as bad as stable is promoted.
 * Every run is reproducible from its seed; the policies see the same seeds.
 *
 *   npx tsx bench/deliver/analysis.ts [--quick]
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  type CanaryScenario,
  DEFAULT_ALPHA,
  DEFAULT_BETA,
  DEFAULT_ERROR_TOLERANCE,
  evidencePolicy,
  type ReleaseModel,
  type RolloutPolicy,
  type RolloutRun,
  runRollout,
} from "../../src/deliver/analysis/index.js";
import { absenceOfFailurePolicy, thresholdPolicy } from "./canary-policies.js";

export interface BenchAnalysisOptions {
  /** Runs of each A/A scenario per policy. Default 1000. */
  aaRuns?: number;
  /** Runs of each other scenario per policy. Default 200. */
  runs?: number;
}

const LATENCY = { medianMs: 20, sigma: 0.5 };
const release = (errorRate: number, medianMs = LATENCY.medianMs): ReleaseModel => ({
  errorRate,
  latency: { medianMs, sigma: LATENCY.sigma },
});

/**
 * 10% then 50% of traffic, then promotion; each step at least `stepSeconds` and, for the
 * policies that hold, at most 10 minutes; the limits every row uses.
 */
const ROLLOUT: Omit<CanaryScenario, "canary" | "stable" | "totalRps"> = {
  canaryWeights: [0.1, 0.5],
  stepSeconds: 60,
  maxStepSeconds: 600,
  limits: { maxErrorRate: 0.02, maxLatencyRatio: 1.5 },
};
/** How long a promoted bad release serves everyone before an alert and a person roll it back. */
const AFTER_PROMOTION_MS = 600_000;

type PolicyName = "evidence" | "absence" | "threshold";
const POLICIES: Record<PolicyName, { label: string; make: (s: CanaryScenario) => RolloutPolicy }> = {
  evidence: { label: "evidence to advance (shipgate)", make: evidencePolicy },
  absence: { label: "absence of failure (before)", make: absenceOfFailurePolicy },
  threshold: {
    label: "threshold, 10 s checks, 5 failures (Flagger-like)",
    make: (s) => thresholdPolicy(s, { intervalSeconds: 10, threshold: 5 }),
  },
};

/**
 * Given the errors, a test of the split between canary and stable sees each error fall on the
 * canary with probability θ0 = share·(1+tol) / (share·(1+tol) + 1 − share) when the canary is
 * within its tolerance. Rejecting after k canary errors in a row is then wrong with probability
 * θ0^k, so a test at level α needs k ≥ ln(1/α) / ln(1/θ0) whatever its alternative: that many
 * errors, less what stable's rate would have produced, is the least harm it can allow.
 */
export function errorSplitFloor(options: {
  share: number;
  canaryRate: number;
  stableRate: number;
  alpha?: number;
  tolerance?: number;
}): { share: number; canaryErrors: number; excessErrors: number } {
  const { share, canaryRate, stableRate } = options;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tolerance = options.tolerance ?? DEFAULT_ERROR_TOLERANCE;
  const theta0 = (share * (1 + tolerance)) / (share * (1 + tolerance) + 1 - share);
  const canaryErrors = Math.ceil(Math.log(1 / alpha) / Math.log(1 / theta0));
  return { share, canaryErrors, excessErrors: canaryErrors * (1 - stableRate / canaryRate) };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function runMany(
  scenario: CanaryScenario,
  policy: PolicyName,
  runs: number,
  firstSeed: number,
): RolloutRun[] {
  return Array.from({ length: runs }, (_, i) =>
    runRollout(scenario, firstSeed + i, {
      policy: POLICIES[policy].make(scenario),
      afterPromotionMs: AFTER_PROMOTION_MS,
    }),
  );
}

const share = (runs: RolloutRun[], pick: (run: RolloutRun) => boolean) =>
  runs.filter(pick).length / runs.length;
const pct = (rate: number): string => `${(100 * rate).toFixed(1)}%`;
const seconds = (ms: number): string => (Number.isNaN(ms) ? "–" : `${(ms / 1000).toFixed(0)} s`);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

interface Row {
  key: string;
  label: string;
  scenario: CanaryScenario;
  /** A/A rows measure false rollbacks; others harm or promotion. */
  kind: "aa" | "bad" | "worse";
}

export async function benchAnalysis(
  options: BenchAnalysisOptions = {},
): Promise<{ lines: string[]; figures: Record<string, number> }> {
  const aaRuns = options.aaRuns ?? 1000;
  const runs = options.runs ?? 200;
  const started = performance.now();
  const figures: Record<string, number> = { alpha: DEFAULT_ALPHA, beta: DEFAULT_BETA };
  const lines: string[] = [
    `Rollout: 10% then 50% of traffic, each step at least 60 s (or 10 s) and at most 10 min, then promotion;`,
    `limits: max error rate 2%, 20% worse than stable, p95 at most 1.5× stable's; α ${DEFAULT_ALPHA}, β ${DEFAULT_BETA}.`,
    `A promoted bad canary is counted serving all traffic for ${AFTER_PROMOTION_MS / 60_000} more minutes.`,
    "",
  ];

  const rows: Row[] = [];
  for (const stepSeconds of [60, 10]) {
    for (const totalRps of [200, 20]) {
      const at = { ...ROLLOUT, stepSeconds, totalRps };
      const where = `${totalRps} req/s, ${stepSeconds} s steps`;
      rows.push(
        {
          key: `aa${totalRps}s${stepSeconds}`,
          label: `A/A 0.1% errors, ${where}`,
          kind: "aa",
          scenario: { ...at, canary: release(0.001), stable: release(0.001) },
        },
        {
          key: `bad${totalRps}s${stepSeconds}`,
          label: `5% vs 0.1% errors, ${where}`,
          kind: "bad",
          scenario: { ...at, canary: release(0.05), stable: release(0.001) },
        },
      );
    }
  }
  rows.push(
    {
      key: "aaShift",
      label: "A/A 1%, share moves + shared incident, 200 req/s, 60 s steps",
      kind: "aa",
      scenario: {
        ...ROLLOUT,
        totalRps: 200,
        canary: release(0.01),
        stable: release(0.01),
        weightChanges: [{ atMs: 30_000, canaryWeight: 0.3 }],
        sharedErrorSpikes: [{ fromMs: 40_000, toMs: 70_000, errorRate: 0.018 }],
      },
    },
    {
      key: "worse",
      label: "2% vs 1% errors (2× stable), 200 req/s, 60 s steps",
      kind: "worse",
      scenario: {
        ...ROLLOUT,
        totalRps: 200,
        canary: release(0.02),
        stable: release(0.01),
        limits: { ...ROLLOUT.limits, maxErrorRate: 0.05 },
      },
    },
  );

  lines.push(
    "| scenario | policy | runs | rolled back on harm | rolled back inconclusive | promoted | median time to promote | excess errors (mean) | p90 | reached 50% | time to rollback (median) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const row of rows) {
    const seed = 1 + rows.indexOf(row) * 1_000_000;
    for (const policy of Object.keys(POLICIES) as PolicyName[]) {
      // The α target is about shipgate's policy: its A/A rows get the most runs.
      const count = row.kind === "aa" && policy === "evidence" ? aaRuns : runs;
      const results = runMany(row.scenario, policy, count, seed);
      const failed = share(results, (r) => r.outcome === "fail");
      const inconclusive = share(results, (r) => r.outcome === "inconclusive");
      const promoted = results.filter((r) => r.outcome === "promoted");
      const excess = results.map((r) => r.harm.excessErrors);
      const stopped = results.filter((r) => r.outcome !== "promoted").map((r) => r.atMs);
      const reachedHalf = share(results, (r) => r.maxWeight >= 0.5);
      const prefix = `${row.key}.${policy}`;
      figures[`${prefix}.failRate`] = failed;
      figures[`${prefix}.inconclusiveRate`] = inconclusive;
      figures[`${prefix}.promotedRate`] = promoted.length / count;
      figures[`${prefix}.medianPromoteMs`] = percentile(
        promoted.map((r) => r.atMs),
        0.5,
      );
      figures[`${prefix}.meanExcessErrors`] = mean(excess);
      figures[`${prefix}.reachedHalfRate`] = reachedHalf;
      const harmCells =
        row.kind === "aa" ? ["–", "–"] : [mean(excess).toFixed(1), percentile(excess, 0.9).toFixed(1)];
      lines.push(
        `| ${row.label} | ${POLICIES[policy].label} | ${count} | ${pct(failed)} | ${pct(inconclusive)} | ` +
          `${pct(promoted.length / count)} | ${seconds(
            percentile(
              promoted.map((r) => r.atMs),
              0.5,
            ),
          )} | ` +
          `${harmCells.join(" | ")} | ${pct(reachedHalf)} | ${seconds(percentile(stopped, 0.5))} |`,
      );
    }
  }

  // How long a healthy canary takes when its step may hold as long as it needs.
  lines.push(
    "",
    "| healthy canary (0.1% errors), evidence to advance, longest hold 1 h | runs | promoted | median time to promote | p90 |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const rps of [200, 20]) {
    const scenario: CanaryScenario = {
      ...ROLLOUT,
      maxStepSeconds: 3600,
      totalRps: rps,
      canary: release(0.001),
      stable: release(0.001),
    };
    const count = Math.max(20, Math.round(runs / 10));
    const results = runMany(scenario, "evidence", count, 7_000_000 + rps);
    const times = results.filter((r) => r.outcome === "promoted").map((r) => r.atMs);
    figures[`healthy${rps}.longHold.medianPromoteMs`] = percentile(times, 0.5);
    lines.push(
      `| ${rps} req/s | ${count} | ${pct(times.length / count)} | ${seconds(percentile(times, 0.5))} | ${seconds(percentile(times, 0.9))} |`,
    );
  }

  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
  const fewer: string[] = [];
  let fewest = Number.POSITIVE_INFINITY;
  for (const stepSeconds of [60, 10]) {
    for (const totalRps of [200, 20]) {
      const key = `bad${totalRps}s${stepSeconds}`;
      const times = ratio(
        figures[`${key}.absence.meanExcessErrors`]!,
        figures[`${key}.evidence.meanExcessErrors`]!,
      );
      figures[`${key}.fewerExcessErrors`] = times;
      fewest = Math.min(fewest, times);
      fewer.push(`${times.toFixed(1)}× at ${totalRps} req/s with ${stepSeconds} s steps`);
    }
  }
  // The least harm any test of the error split can allow (see errorSplitFloor).
  const floor = errorSplitFloor({ share: ROLLOUT.canaryWeights[0]!, canaryRate: 0.05, stableRate: 0.001 });
  figures.errorSplitFloorExcess = floor.excessErrors;
  const aaKeys = Object.keys(figures).filter((k) => k.startsWith("aa") && k.endsWith(".evidence.failRate"));
  const worstAa = Math.max(...aaKeys.map((k) => figures[k]!));
  const worsePromoted = figures["worse.evidence.promotedRate"]!;
  lines.push(
    "",
    "targets (evidence to advance):",
    `- A/A false rollbacks ≤ 1%: ${pct(worstAa)} at worst (${worstAa <= 0.01 ? "met" : "NOT met"})`,
    `- excess errors of a 5% canary ≥ 3× fewer than advancing on absence of failure: ${fewer.join(", ")} ` +
      `(${fewest >= 3 ? "met" : "NOT met everywhere"})`,
    `  no test that reads which release each error came from (as shipgate's does, so that share changes and incidents both ` +
      `releases share cannot fail a canary) can stop a 5% canary at a ${pct(floor.share)} share before ${floor.canaryErrors} ` +
      `of its errors in a row, ${floor.excessErrors.toFixed(1)} excess errors; so 3× fewer is possible at α ${DEFAULT_ALPHA} only ` +
      `where the previous policy serves more than ${(3 * floor.excessErrors).toFixed(1)}, not where both stop it in its first step`,
    `- a canary 2× worse than stable promoted ≤ β: ${pct(worsePromoted)} (${worsePromoted <= DEFAULT_BETA ? "met" : "NOT met"})`,
  );
  const wallMs = performance.now() - started;
  figures.wallMs = wallMs;
  lines.push(`(${(wallMs / 1000).toFixed(0)} s of wall time)`);
  return { lines, figures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes("--quick");
  const { lines } = await benchAnalysis(quick ? { aaRuns: 100, runs: 40 } : {});
  for (const line of lines) console.log(line);
}

import { openProject } from "../deliver/environment.js";
import { parseConfigDuration } from "../verify/duration.js";
import { chooseEnvironment } from "./choose-environment.js";
import { type ImportedEvents, readEventsFile } from "./events-file.js";
import type { DeploymentFact } from "./facts.js";
import { classifyFailure, type Failure, firstIncidents } from "./failures.js";
import { GitHistory } from "./git-history.js";
import { EnvironmentHistory } from "./history.js";
import { ledgerDeployments } from "./ledger-source.js";
import { resolvePeriod } from "./period.js";
import { DAY_MS, distribution, HOUR_MS } from "./stats.js";
import { classify, loadTierTable, lowestTier, type TierTable } from "./tiers.js";
import type {
  ChangeKind,
  ComputeDoraOptions,
  DoraReport,
  FailureKind,
  LeadTime,
  MetricKey,
  RecoveryTime,
  ReworkRate,
} from "./types.js";

/**
 * The four keys (and rework rate) of one environment over one period, from the ledger, the
 * repository's history and any imported events. Deployments are counted in the period by
 * when they ended; what happened after them (a hotfix, a rollback) is read from the whole
 * history, so a deployment's outcome does not depend on where the period is cut.
 */
export async function computeDora(options: ComputeDoraOptions = {}): Promise<DoraReport> {
  const cwd = options.cwd ?? process.cwd();
  const { config, configDir, stateDir } = await openProject({
    cwd,
    ...(options.configPath && { configPath: options.configPath }),
  });
  const env = chooseEnvironment(config, options.env);
  const period = resolvePeriod({ ...options, now: options.now ?? new Date() });
  // shipgate.yml's schema has checked the duration already.
  const hotfixWindowMs = parseConfigDuration(config.dora?.hotfixWindow ?? "24h") ?? DAY_MS;
  const imported: ImportedEvents = options.eventsFile
    ? await readEventsFile({ path: options.eventsFile, cwd })
    : { deployments: [], incidents: [] };

  const fromLedger = await ledgerDeployments({ stateDir, env });
  const ledgerIds = new Set(fromLedger.map((d) => d.id));
  // The ledger is the record of what shipgate did: an imported copy of the same id yields to it.
  const importedHere = imported.deployments.filter((d) => d.env === env && !ledgerIds.has(d.id));
  const incidents = imported.incidents.filter((i) => i.env === env);
  const git = await GitHistory.open(configDir);
  const history = new EnvironmentHistory([...fromLedger, ...importedHere], git);
  const inPeriod = (f: DeploymentFact) => f.finishedMs >= period.sinceMs && f.finishedMs < period.untilMs;
  const attempts = history.ordered.filter((f) => f.kind === "deploy" && inPeriod(f));
  const successes = attempts.filter((f) => f.status === "succeeded");
  const failures: Failure[] = [];
  const firstIncident = firstIncidents(incidents);
  for (const fact of attempts) {
    const failure = await classifyFailure({ fact, history, firstIncident, hotfixWindowMs });
    if (failure) failures.push(failure);
  }

  const table = loadTierTable();
  const days = (period.untilMs - period.sinceMs) / DAY_MS;
  const deploymentFrequency = frequency(successes, days, table);
  const leadTime = await leadTimes(successes, history, table);
  const changeFailureRate = failureRate(attempts.length, failures, table);
  const recoveryTime = recovery(failures, table);
  const reworkRate = await rework(attempts, history);
  const metricTiers: Array<[MetricKey, ReturnType<typeof classify>]> = [
    ["deploymentFrequency", deploymentFrequency],
    ["leadTime", leadTime],
    ["changeFailureRate", changeFailureRate],
    ["recoveryTime", recoveryTime],
  ];
  const counted = metricTiers.filter(([, r]) => r.tier !== null);
  return {
    env,
    period: { since: iso(period.sinceMs), until: iso(period.untilMs), days },
    hotfixWindowHours: hotfixWindowMs / HOUR_MS,
    sources: {
      ledgerDeployments: fromLedger.length,
      importedDeployments: importedHere.length,
      importedIncidents: incidents.length,
      git: git !== undefined,
    },
    deploymentFrequency,
    leadTime,
    changeFailureRate,
    recoveryTime,
    reworkRate,
    overall: {
      tier: lowestTier(counted.map(([, r]) => r.tier)),
      rule: "the lowest tier among the metrics that have a value",
      metrics: counted.map(([k]) => k),
    },
    tiers: {
      report: table.report,
      year: table.year,
      url: table.url,
      section: table.section,
      unverified: unverifiedBounds(table),
    },
    failures: failures.map((f) => ({
      deploymentId: f.deployment.id,
      kind: f.kind,
      ...(f.fromMs !== undefined && { from: iso(f.fromMs) }),
      ...(f.toMs !== undefined && { to: iso(f.toMs) }),
    })),
    unattributedIncidents: incidents.filter((i) => !i.deploymentId).length,
  };
}

function frequency(successes: DeploymentFact[], days: number, table: TierTable) {
  const count = successes.length;
  const intervals = successes.slice(1).map((f, i) => (f.finishedMs - successes[i]!.finishedMs) / HOUR_MS);
  const perDay = count === 0 ? null : count / days;
  return {
    count,
    perDay,
    perWeek: perDay === null ? null : perDay * 7,
    intervalHours: distribution(intervals),
    ...classify(table.metrics.deploymentFrequency, perDay),
  };
}

async function leadTimes(
  successes: DeploymentFact[],
  history: EnvironmentHistory,
  table: TierTable,
): Promise<LeadTime> {
  const hours: number[] = [];
  const changes: Record<ChangeKind, number> = {
    direct: 0,
    rebased: 0,
    merge: 0,
    squash: 0,
    "squash-fallback": 0,
  };
  const unmeasured = { noBaseline: 0, commitUnavailable: 0, noNewCommits: 0 };
  let deployments = 0;
  let fallbackDeployments = 0;
  for (const fact of successes) {
    const result = await history.changeSet(fact);
    if (!result.ok) {
      unmeasured[result.reason]++;
      continue;
    }
    deployments++;
    if (result.set.changes.some((c) => c.kind === "squash-fallback")) fallbackDeployments++;
    for (const change of result.set.changes) {
      changes[change.kind]++;
      // A commit dated after the deployment (a skewed clock) counts as zero, not negative.
      hours.push(Math.max(0, fact.finishedMs - change.startMs) / HOUR_MS);
    }
  }
  const summary = distribution(hours);
  return {
    hours: summary,
    deployments,
    changes,
    fallbackDeployments,
    unmeasured,
    ...classify(table.metrics.leadTime, summary.median),
  };
}

function failureRate(n: number, failures: Failure[], table: TierTable) {
  const byKind: Record<FailureKind, number> = {
    failed: 0,
    rolled_back: 0,
    rollback: 0,
    hotfix: 0,
    incident: 0,
  };
  for (const f of failures) byKind[f.kind]++;
  const rate = n === 0 ? null : failures.length / n;
  return { rate, failures: failures.length, n, byKind, ...classify(table.metrics.changeFailureRate, rate) };
}

function recovery(failures: Failure[], table: TierTable): RecoveryTime {
  const known = failures.filter((f) => f.fromMs !== undefined && f.toMs !== undefined);
  const summary = distribution(known.map((f) => Math.max(0, f.toMs! - f.fromMs!) / HOUR_MS));
  return {
    hours: summary,
    open: failures.filter((f) => f.fromMs !== undefined && f.toMs === undefined).length,
    unknown: failures.filter((f) => f.fromMs === undefined).length,
    ...classify(table.metrics.recoveryTime, summary.median),
  };
}

/**
 * DORA's 2024 rework rate: the share of deployments that were unplanned fixes. Here a fix is
 * a deployment whose commits say hotfix or revert, or an imported one flagged `hotfix`.
 */
async function rework(attempts: DeploymentFact[], history: EnvironmentHistory): Promise<ReworkRate> {
  let fixes = 0;
  let unknown = 0;
  for (const fact of attempts) {
    const fix = await history.isFix(fact);
    if (fix === undefined) unknown++;
    else if (fix) fixes++;
  }
  const n = attempts.length;
  const judged = n - unknown;
  if (n === 0) return { rate: null, rework: 0, n, unknown };
  if (judged === 0) {
    return { rate: null, rework: 0, n, unknown, note: "no deployment had readable commits or a hotfix flag" };
  }
  return {
    rate: fixes / n,
    rework: fixes,
    n,
    unknown,
    ...(unknown > 0 && { note: `a lower bound: ${unknown} of ${n} deployments could not be judged` }),
  };
}

function unverifiedBounds(table: TierTable): string[] {
  return Object.entries(table.metrics).flatMap(([metric, m]) =>
    Object.entries(m.tiers)
      .filter(([, bound]) => !bound.verified)
      .map(([tier]) => `${metric}.${tier}`),
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The DORA report's input and output. Times inside the module are epoch milliseconds; the
 * report carries ISO strings and hours so that JSON consumers need no conversion.
 */

export type Tier = "elite" | "high" | "medium" | "low";
export type MetricKey = "deploymentFrequency" | "leadTime" | "changeFailureRate" | "recoveryTime";

export interface ComputeDoraOptions {
  /** Directory shipgate.yml is looked up from; default process.cwd(). */
  cwd?: string;
  /** Path of shipgate.yml, relative to cwd; default `shipgate.yml`. */
  configPath?: string;
  /** Environment to measure; default `dora.environment`, then production, then the last in promotion order. */
  env?: string;
  /** Start of the period: a date (`2024-01-31`), an ISO timestamp, or a span back from `until` (`90d`, `12w`, `36h`). Default 90d. */
  since?: string;
  /** End of the period (exclusive); a bare date means the end of that day (UTC). Default now. */
  until?: string;
  /** JSON-lines file of deployments and incidents from another system (docs/dora.md). */
  eventsFile?: string;
  /** The clock; tests fix it. */
  now?: Date;
}

/** A distribution's summary: null figures when there is no sample. */
export interface Distribution {
  median: number | null;
  p90: number | null;
  n: number;
}

export interface TierResult {
  tier: Tier | null;
  /** The value was outside every published level and was classed low. */
  beyondRange?: boolean;
}

export interface DeploymentFrequency extends TierResult {
  /** Successful deployments of kind `deploy` in the period. */
  count: number;
  perDay: number | null;
  perWeek: number | null;
  /** Hours between consecutive successful deployments in the period. */
  intervalHours: Distribution;
}

export type ChangeKind = "direct" | "rebased" | "merge" | "squash" | "squash-fallback";

export interface LeadTime extends TierResult {
  hours: Distribution;
  /** Successful deployments in the period whose changes were measured. */
  deployments: number;
  changes: Record<ChangeKind, number>;
  /** Deployments where at least one squash merge fell back to the squash commit's own time. */
  fallbackDeployments: number;
  /** Deployments without a lead time: the first in the environment, an unknown commit, no new commits. */
  unmeasured: { noBaseline: number; commitUnavailable: number; noNewCommits: number };
}

export type FailureKind = "failed" | "rolled_back" | "rollback" | "hotfix" | "incident";

export interface ChangeFailureRate extends TierResult {
  /** failures / n; null when there were no deployments. */
  rate: number | null;
  failures: number;
  /** Deployment attempts of kind `deploy` that ended (succeeded, failed or rolled back). */
  n: number;
  byKind: Record<FailureKind, number>;
}

export interface RecoveryTime extends TierResult {
  hours: Distribution;
  /** Failures not yet recovered at the time of the report. */
  open: number;
  /** Failures whose start is unknown (an imported rollback without `startedAt`). */
  unknown: number;
}

export interface ReworkRate {
  rate: number | null;
  /** Deployments that were unplanned fixes (hotfix or revert). */
  rework: number;
  n: number;
  /** Deployments whose commits could not be read, so whether they were fixes is unknown. */
  unknown: number;
  note?: string;
}

export interface FailureRecord {
  deploymentId: string;
  kind: FailureKind;
  /** When the failure began and ended, ISO; `to` absent while it is open. */
  from?: string;
  to?: string;
}

export interface TierSource {
  report: string;
  year: number;
  url: string;
  section: string;
}

export interface TiersUsed extends TierSource {
  /** `metric.tier` bounds that fewer than two published summaries agree on (data/dora-tiers.json). */
  unverified: string[];
}

export interface DoraReport {
  env: string;
  period: { since: string; until: string; days: number };
  hotfixWindowHours: number;
  sources: {
    ledgerDeployments: number;
    importedDeployments: number;
    importedIncidents: number;
    git: boolean;
  };
  deploymentFrequency: DeploymentFrequency;
  leadTime: LeadTime;
  changeFailureRate: ChangeFailureRate;
  recoveryTime: RecoveryTime;
  reworkRate: ReworkRate;
  /** The lowest tier of the four metrics that have a value; null when none has. */
  overall: { tier: Tier | null; rule: string; metrics: MetricKey[] };
  tiers: TiersUsed;
  failures: FailureRecord[];
  /** Incidents that name no deployment: they cannot be tied to a change and are not counted. */
  unattributedIncidents: number;
}

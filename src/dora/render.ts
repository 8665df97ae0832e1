import { alignColumns } from "../cli/columns.js";
import type { Distribution, DoraReport, Tier } from "./types.js";

/** One row per figure; the table and CSV outputs are both built from these rows. */
export interface ReportRow {
  metric: string;
  value: string;
  unit: string;
  median: string;
  p90: string;
  n: string;
  tier: string;
}

const NA = "n/a";

export function reportRows(report: DoraReport): ReportRow[] {
  const df = report.deploymentFrequency;
  const lt = report.leadTime;
  const cfr = report.changeFailureRate;
  const rt = report.recoveryTime;
  const rw = report.reworkRate;
  return [
    {
      metric: "deployment frequency",
      value: num(df.perWeek),
      unit: "per week",
      ...dist(df.intervalHours),
      n: String(df.count),
      tier: tier(df.tier),
    },
    {
      metric: "lead time for changes",
      value: num(lt.hours.median),
      unit: "hours",
      ...dist(lt.hours),
      tier: tier(lt.tier),
    },
    {
      metric: "change failure rate",
      value: pct(cfr.rate),
      unit: "of deployments",
      median: NA,
      p90: NA,
      n: String(cfr.n),
      tier: tier(cfr.tier),
    },
    {
      metric: "failed deployment recovery time",
      value: num(rt.hours.median),
      unit: "hours",
      ...dist(rt.hours),
      tier: tier(rt.tier),
    },
    {
      metric: "rework rate",
      value: pct(rw.rate),
      unit: "of deployments",
      median: NA,
      p90: NA,
      n: String(rw.n),
      tier: "not tiered",
    },
  ];
}

export function renderTable(report: DoraReport): string {
  const header: ReportRow = {
    metric: "metric",
    value: "value",
    unit: "unit",
    median: "median",
    p90: "p90",
    n: "n",
    tier: "tier",
  };
  const rows = [header, ...reportRows(report)];
  const keys = Object.keys(header) as Array<keyof ReportRow>;
  const lt = report.leadTime;
  const notes = [
    `DORA for ${report.env}, ${report.period.since} to ${report.period.until} (${num(report.period.days)} days)`,
    "",
    ...alignColumns(rows.map((r) => keys.map((k) => r[k]))),
    "",
    `overall tier: ${tier(report.overall.tier)} (${report.overall.rule}); levels of the ${report.tiers.report}, ${report.tiers.year}`,
    `levels not confirmed by two published summaries: ${report.tiers.unverified.join(", ") || "none"} (docs/dora.md)`,
    "deployment frequency median/p90: hours between consecutive successful deployments",
    `lead time changes: merge ${lt.changes.merge}, squash ${lt.changes.squash}, rebased ${lt.changes.rebased}, direct ${lt.changes.direct}, squash fallback ${lt.changes["squash-fallback"]}`,
    `deployments that fell back to a squash commit's own time: ${lt.fallbackDeployments} of ${lt.deployments}`,
    `deployments without a lead time: first in the environment ${lt.unmeasured.noBaseline}, commit unreadable ${lt.unmeasured.commitUnavailable}, no new commits ${lt.unmeasured.noNewCommits}`,
    `failures not recovered: ${report.recoveryTime.open}; without a known start: ${report.recoveryTime.unknown}; hotfix window: ${num(report.hotfixWindowHours)}h`,
  ];
  if (report.reworkRate.note) notes.push(`rework rate: ${report.reworkRate.note}`);
  if (report.unattributedIncidents > 0) {
    notes.push(`incidents that name no deployment (not counted): ${report.unattributedIncidents}`);
  }
  if (!report.sources.git)
    notes.push("no git repository: lead time and rework rate could not be read from commits");
  return `${notes.join("\n")}\n`;
}

export function renderCsv(report: DoraReport): string {
  const keys: Array<keyof ReportRow> = ["metric", "value", "unit", "median", "p90", "n", "tier"];
  const rows = reportRows(report).map((r) => keys.map((k) => csvField(r[k])).join(","));
  return `${[keys.join(","), ...rows].join("\n")}\n`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function dist(d: Distribution): Pick<ReportRow, "median" | "p90" | "n"> {
  return { median: num(d.median), p90: num(d.p90), n: String(d.n) };
}

function num(value: number | null): string {
  if (value === null) return NA;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function pct(value: number | null): string {
  return value === null ? NA : `${(value * 100).toFixed(1)}%`;
}

function tier(value: Tier | null): string {
  return value ?? NA;
}

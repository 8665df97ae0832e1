import { redact } from "../redact.js";
import type { RehearsalJob, RehearsalReport } from "./types.js";

type Paint = (text: string) => string;
export interface RenderStyle {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
}

const PLAIN: RenderStyle = {
  bold: (t) => t,
  dim: (t) => t,
  red: (t) => t,
  green: (t) => t,
  yellow: (t) => t,
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const LABEL: Record<RehearsalJob["status"], string> = {
  passed: "passed",
  failed: "FAILED",
  "not-rehearsed": "not rehearsed",
};

/** The rehearsal as text: where it ran, the services, then each job and a summary line. */
export function renderRehearsal(report: RehearsalReport, s: RenderStyle = PLAIN): string {
  const lines: string[] = [];
  const what =
    report.source.kind === "git"
      ? `${report.source.commit?.slice(0, 12)}${report.source.workingTree ? " with the uncommitted changes" : ""}`
      : "a copy of the folder (not a git repository)";
  lines.push(
    `Rehearsed ${report.source.root} at ${what}${report.appPath === "." ? "" : `, app ${report.appPath}`}`,
  );
  lines.push(
    s.dim(
      `each job limited to ${report.timeoutMinutes} min; ${report.kept ? `kept in ${report.workspace}` : "the clone is removed"}`,
    ),
  );
  for (const warning of report.warnings) lines.push(s.yellow(`warning: ${warning}`));
  for (const service of report.services) {
    const state = service.status === "started" ? s.green("started") : s.red(service.status);
    lines.push(`service ${service.kind}: ${state} — ${service.detail}`);
  }
  lines.push("");
  const width = Math.max(...report.jobs.map((j) => j.name.length), 4);
  for (const job of report.jobs) {
    const label = LABEL[job.status].padEnd(13);
    const painted =
      job.status === "passed" ? s.green(label) : job.status === "failed" ? s.red(label) : s.yellow(label);
    const duration = job.status === "not-rehearsed" ? "" : formatDuration(job.durationMs);
    lines.push(`${s.bold(job.name.padEnd(width))}  ${painted} ${duration}`);
    for (const warning of job.warnings) lines.push(`  ${s.yellow("warning:")} ${warning}`);
    if (job.reason) lines.push(`  ${job.reason}`);
    if (job.outputTail.length) {
      lines.push(s.dim("  last lines of its output:"));
      for (const line of job.outputTail) lines.push(`  │ ${line}`);
    }
  }
  lines.push("");
  const { passed, failed, notRehearsed, durationMs } = report.summary;
  const verdict = report.ok
    ? s.green("every job passed: the first CI run should be green")
    : failed
      ? s.red("the first CI run would fail")
      : s.yellow("not every job could be rehearsed here");
  lines.push(
    `${verdict} (${passed} passed, ${failed} failed, ${notRehearsed} not rehearsed, ${formatDuration(durationMs)})`,
  );
  return `${redact(lines.join("\n"))}\n`;
}

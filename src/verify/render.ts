import { alignColumns } from "../cli/columns.js";
import { style } from "../cli/style.js";
import { redact } from "../redact.js";
import { formatDuration } from "./duration.js";
import type { CheckResult, VerifyProgress, VerifyReport } from "./types.js";

const COLUMNS = ["check", "result", "status", "latency", "attempts", "detail"] as const;

/**
 * The pass/fail table and a one-line verdict. Everything goes through `redact`: failure
 * details can quote header values and the base URL can carry credentials.
 */
export function renderReport(options: { report: VerifyReport; color: boolean }): string {
  const { report } = options;
  const s = style(options.color);
  const rows = report.checks.map((check) => [
    check.name,
    result(check),
    check.status === undefined ? "-" : String(check.status),
    check.latencyMs === undefined ? "-" : `${check.latencyMs} ms`,
    String(check.attempts),
    check.failures.join("; "),
  ]);
  const cells = [[...COLUMNS], ...rows].map((row) => row.map((cell) => redact(cell)));
  const lines = alignColumns(cells, (cell, row, column) => {
    if (row === 0) return s.bold(cell);
    if (column !== 1) return cell;
    const colour = cell.startsWith("pass") ? s.green : cell.startsWith("FAIL") ? s.red : s.yellow;
    return colour(cell);
  });

  const failed = report.checks.filter((check) => !check.ok).length;
  const total = report.checks.length;
  const where = `against ${redact(report.baseUrl)} in ${formatDuration(report.durationMs)}`;
  const verdict = report.ok
    ? s.green(`PASS: ${total} ${total === 1 ? "check" : "checks"} passed ${where}`)
    : s.red(`FAIL: ${failed} of ${total} checks did not pass ${where}`);
  return `${lines.join("\n")}\n\n${verdict}\n`;
}

function result(check: CheckResult): string {
  if (check.ok) return "pass";
  return check.skipped ? "skip" : "FAIL";
}

/** One stderr line per event while the verification waits, such as `health: attempt 3 — 503, retrying in 4s`. */
export function renderProgress(event: VerifyProgress): string {
  if (event.type === "retry") {
    return redact(
      `${event.check}: attempt ${event.attempt} — ${event.outcome}, retrying in ${formatDuration(event.retryInMs)}`,
    );
  }
  const check = event.result;
  if (check.skipped) return redact(`${check.name}: skipped`);
  const tries = `${check.attempts} ${check.attempts === 1 ? "attempt" : "attempts"}`;
  return redact(`${check.name}: ${check.ok ? "passed" : "failed"} after ${tries}`);
}

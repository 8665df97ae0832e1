import { alignColumns } from "../../cli/columns.js";
import { style } from "../../cli/style.js";
import { redact } from "../../redact.js";
import type { GateRun } from "../result.js";
import { detailSections, shortenPaths } from "./sections.js";

export interface RenderOptions {
  color: boolean;
  /** Report paths inside this directory print relative to it. */
  cwd: string;
}

/**
 * The terminal report: one row per gate (gate, PASS/FAIL, figure, threshold, why), readable
 * at a glance, then the detail that says what to do.
 */
export function renderGateTable(run: GateRun, options: RenderOptions): string {
  const s = style(options.color);
  const header = ["gate", "result", "figure", "threshold", "why"];
  const rows = run.results.map((r) => [r.gate, r.ok ? "PASS" : "FAIL", r.figure, r.threshold, r.summary]);
  const paint = (cell: string, row: number, column: number) => {
    if (row === 0) return s.bold(cell);
    if (column === 1) return cell.startsWith("PASS") ? s.green(cell) : s.red(cell);
    return cell;
  };
  const lines = [alignColumns([header, ...rows], paint).join("\n")];
  for (const section of detailSections(run.results)) {
    lines.push("", s.bold(section.title));
    const table = section.header.length > 1 ? [section.header, ...section.rows] : section.rows;
    const hasHeader = table !== section.rows;
    lines.push(indent(alignColumns(table, (c, r) => (r === 0 && hasHeader ? s.dim(c) : c)).join("\n")));
    if (section.omitted > 0) lines.push(`  … and ${section.omitted} more (--json lists all)`);
  }
  const failed = run.results.filter((r) => !r.ok).length;
  lines.push("", verdict(failed, run.results.length));
  return `${redact(shortenPaths(lines.join("\n"), options.cwd))}\n`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** "PASS: all 3 gates passed", "FAIL: 1 of 3 gates failed"; one gate is "the gate". */
function verdict(failed: number, total: number): string {
  if (total === 1) return failed === 0 ? "PASS: the gate passed" : "FAIL: the gate failed";
  return failed === 0 ? `PASS: all ${total} gates passed` : `FAIL: ${failed} of ${total} gates failed`;
}

import { redact } from "../../redact.js";
import type { GateRun } from "../result.js";
import { detailSections, shortenPaths } from "./sections.js";

/**
 * The GitHub job summary: the same table as the terminal, then each detail section folded
 * in <details> so a passing run stays one glance long.
 */
export function renderGateMarkdown(run: GateRun, options: { cwd: string }): string {
  const lines = [
    `### shipgate gates: ${run.ok ? "✅ passed" : "❌ failed"}`,
    "",
    row(["Gate", "Result", "Figure", "Threshold", "Why"]),
    row(["---", "---", "---", "---", "---"]),
    ...run.results.map((r) => row([r.gate, r.ok ? "✅ PASS" : "❌ FAIL", r.figure, r.threshold, r.summary])),
  ];
  for (const section of detailSections(run.results)) {
    lines.push("", `<details><summary>${escapeHtml(section.title)}</summary>`, "");
    lines.push(row(section.header), row(section.header.map(() => "---")), ...section.rows.map(row));
    if (section.omitted > 0) lines.push("", `… and ${section.omitted} more.`);
    lines.push("", "</details>");
  }
  return `${redact(shortenPaths(lines.join("\n"), options.cwd))}\n`;
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** A table cell: one line, pipes escaped, HTML-ish text kept literal. */
function cell(text: string): string {
  return escapeHtml(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

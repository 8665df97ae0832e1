import { safeText } from "../../cli/safe-text.js";
import { style } from "../../cli/style.js";
import { redact } from "../../redact.js";
import type { Finding } from "../types.js";

export interface TextReportOptions {
  findings: Finding[];
  /** File contents by path, to show the offending lines. */
  sources: Map<string, string>;
  color: boolean;
  hiddenByBaseline?: number;
  suppressed?: number;
}

/** Grouped by file, each finding with its line and a caret under the offending text. */
export function renderText(options: TextReportOptions): string {
  const s = style(options.color);
  const byFile = new Map<string, Finding[]>();
  for (const f of options.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const out: string[] = [];
  for (const [file, findings] of byFile) {
    out.push(s.bold(file));
    const lines = options.sources.get(file)?.split(/\r?\n/) ?? [];
    for (const f of findings) {
      const label =
        f.severity === "error"
          ? s.red("error  ")
          : f.severity === "warning"
            ? s.yellow("warning")
            : s.cyan("note   ");
      out.push(
        `  ${`${f.region.startLine}:${f.region.startColumn}`.padEnd(7)} ${label} ${redact(f.message)}  ${s.dim(f.ruleId)}`,
      );
      const text = lines[f.region.startLine - 1];
      if (text !== undefined) {
        const gutter = String(f.region.startLine).padStart(5);
        out.push(s.dim(`  ${gutter} | `) + redact(safeText(text)));
        // Measured as printed: a control character shows as its escape, six columns wide.
        const start = f.region.startColumn - 1;
        const end = f.region.endLine === f.region.startLine ? f.region.endColumn - 1 : text.length;
        const indent = safeText(text.slice(0, start)).length;
        const width = Math.max(1, safeText(text.slice(start, end)).length);
        out.push(s.dim(`  ${" ".repeat(5)} | `) + " ".repeat(indent) + s.red("^".repeat(width)));
      }
    }
    out.push("");
  }
  out.push(summaryLine(options, s));
  return `${out.join("\n")}\n`;
}

function summaryLine(options: TextReportOptions, s: ReturnType<typeof style>): string {
  const count = (sev: string) => options.findings.filter((f) => f.severity === sev).length;
  const fixable = options.findings.filter((f) => f.fix?.safe).length;
  const files = new Set(options.findings.map((f) => f.file)).size;
  const extra = [
    options.suppressed ? `${options.suppressed} ignored inline` : "",
    options.hiddenByBaseline ? `${options.hiddenByBaseline} in the baseline` : "",
  ].filter(Boolean);
  if (options.findings.length === 0) {
    return s.green(`No problems found.${extra.length ? ` (${extra.join(", ")})` : ""}`);
  }
  const total = options.findings.length;
  return [
    `${total} problem${total === 1 ? "" : "s"} (${count("error")} errors, ${count("warning")} warnings, ${count("note")} notes) in ${files} file${files === 1 ? "" : "s"}`,
    fixable ? `; ${fixable} fixable with --fix` : "",
    extra.length ? `; ${extra.join(", ")}` : "",
  ].join("");
}

import { type Diagnostic, formatLocation, isShipgateError } from "../errors.js";
import { redact } from "../redact.js";
import { style } from "./style.js";

/** The one place errors become text: `file:line:column: error[code]: message` then the hint. */
export function renderDiagnostic(diagnostic: Diagnostic, color: boolean): string {
  const s = style(color);
  const where = diagnostic.location ? `${s.bold(formatLocation(diagnostic.location))}: ` : "";
  const lines = [`${where}${s.red("error")}[${diagnostic.code}]: ${redact(diagnostic.message)}`];
  if (diagnostic.hint) lines.push(`  ${s.dim("fix:")} ${redact(diagnostic.hint)}`);
  return lines.join("\n");
}

export function renderError(error: unknown, color: boolean): string {
  if (isShipgateError(error)) return error.diagnostics.map((d) => renderDiagnostic(d, color)).join("\n");
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${style(color).red("internal error")}: ${redact(message)}\nThis is a bug in shipgate; please report it with the command you ran.`;
}

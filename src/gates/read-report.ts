import { inputError } from "../errors.js";
import { parsersOf, REPORT_PARSERS } from "./parsers/index.js";
import { readHead } from "./read-text.js";
import type { ReportByKind, ReportKind, ReportParser } from "./types.js";

const KIND_NAMES: Record<ReportKind, string> = {
  coverage: "a coverage report",
  vulns: "a vulnerability report",
  tests: "a test report",
};

/** Istanbul's lcov reporter (jest, vitest, c8, nyc) writes an empty file when no file was covered. */
const EMPTY_COVERAGE =
  "a coverage tool writes an empty lcov report when its include pattern matches no source file";

/**
 * Reads one report of the kind a gate needs. The format is recognised from the file's first
 * bytes, never from its name: CI artifacts are routinely renamed (report.xml, results.json).
 */
export async function readReport<K extends ReportKind>(file: string, kind: K): Promise<ReportByKind[K]> {
  const parser = await detectFormat(file, kind);
  return parser.parse(file);
}

export async function detectFormat<K extends ReportKind>(file: string, kind: K): Promise<ReportParser<K>> {
  const accepted = acceptedFormats(kind);
  const head = await readHead(file, { accepted, ...(kind === "coverage" && { whenEmpty: EMPTY_COVERAGE }) });
  const found = (Object.values(REPORT_PARSERS) as ReportParser[]).find((p) => p.sniff(head));
  if (!found) {
    throw inputError("gate/report-unknown-format", `${file} is not a report format shipgate reads`, {
      hint: `${KIND_NAMES[kind]} must be ${accepted}${nearMiss(head)}`,
    });
  }
  if (found.kind !== kind) {
    throw inputError(
      "gate/report-wrong-kind",
      `${file} is a ${found.label} report (${KIND_NAMES[found.kind].replace(/^an? /, "")}), not ${KIND_NAMES[kind]}`,
      { hint: `pass it to "shipgate gate ${found.kind}"; this gate reads ${accepted}` },
    );
  }
  return found as ReportParser<K>;
}

/** "lcov, Cobertura XML or Istanbul coverage-summary.json" */
export function acceptedFormats(kind: ReportKind): string {
  const labels = parsersOf(kind).map((p) => p.label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}` : (labels[0] ?? "");
}

/** Formats people often hand over by mistake, with the switch that writes the right one. */
function nearMiss(head: string): string {
  if (/^\s*\{\s*"[^"]+"\s*:\s*\{\s*"path"\s*:/.test(head)) {
    return ' (this looks like Istanbul\'s coverage-final.json; add the "json-summary" reporter)';
  }
  if (/<report\b[^>]*>/.test(head) && /jacoco/i.test(head)) {
    return " (this looks like a JaCoCo XML report; convert it to Cobertura, e.g. with cover2cover)";
  }
  if (/^\s*<!DOCTYPE html|^\s*<html/i.test(head))
    return " (this is an HTML report; ask the tool for XML or JSON)";
  return "";
}

import type { ReportFormat, ReportKind, ReportParser } from "../types.js";
import * as cobertura from "./cobertura/index.js";
import * as istanbulSummary from "./istanbul-summary/index.js";
import * as junit from "./junit/index.js";
import * as lcov from "./lcov/index.js";
import * as npmAudit from "./npm-audit/index.js";
import * as sarif from "./sarif/index.js";
import * as trivy from "./trivy/index.js";

/**
 * Every report format, keyed by id (= its folder name). The `satisfies` makes a format in
 * `ReportFormat` without a parser, or a parser whose id or kind is off, a type error;
 * test/gates/parsers-registry.test.ts checks the folders against this list.
 * Detection tries them in this order; no two formats' sniffs overlap.
 */
export const REPORT_PARSERS = {
  lcov,
  cobertura,
  "istanbul-summary": istanbulSummary,
  trivy,
  "npm-audit": npmAudit,
  sarif,
  junit,
} as const satisfies { [F in ReportFormat]: ReportParser & { id: F } };

export function parsersOf<K extends ReportKind>(kind: K): ReportParser<K>[] {
  return (Object.values(REPORT_PARSERS) as ReportParser[]).filter(
    (p) => p.kind === kind,
  ) as ReportParser<K>[];
}

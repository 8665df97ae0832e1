import type { VulnSeverity } from "../config/schema.js";

/**
 * What `shipgate gate` reads: one normalized shape per kind of report, whatever tool wrote
 * it. Parsers (src/gates/parsers/<format>/) turn a tool's file into one of these; the gates
 * only ever see the normalized shape.
 */

export type ReportKind = "coverage" | "vulns" | "tests";

/** Every format a parser exists for; the registry in parsers/index.ts is keyed by it. */
export type ReportFormat =
  | "lcov"
  | "cobertura"
  | "istanbul-summary"
  | "trivy"
  | "npm-audit"
  | "sarif"
  | "junit";

export interface ReportSource {
  /** Path of the report as given (relative paths stay relative, so output stays short). */
  file: string;
  format: ReportFormat;
}

/** Covered out of total; `pct` is 0-100 and 100 when there is nothing to cover. */
export interface Ratio {
  covered: number;
  total: number;
  pct: number;
}

export interface FileCoverage {
  file: string;
  lines: Ratio;
  /** null when the tool measured no branches for the file. */
  branches: Ratio | null;
}

export interface CoverageReport extends ReportSource {
  kind: "coverage";
  lines: Ratio;
  /** null when the report carries no branch data at all (branch coverage was not enabled). */
  branches: Ratio | null;
  files: FileCoverage[];
  /** Corrections made to the tool's figures, and why (a known bug of the tool). */
  notes: string[];
}

export interface VulnFinding {
  /** The advisory id the report leads with: CVE-…, GHSA-…, or a SARIF rule id. */
  id: string;
  /** Other ids of the same advisory (npm's numeric source id, a CVE behind a GHSA…). */
  aliases: string[];
  severity: VulnSeverity;
  /** The severity as the report spelt it (MODERATE, UNKNOWN, 9.8, error…), for the output. */
  reportedSeverity: string;
  package?: string;
  installedVersion?: string;
  fixedVersion?: string;
  title?: string;
  url?: string;
  /** Where it was found: a Trivy target (image layer, lockfile) or a SARIF file:line. */
  target?: string;
}

export interface VulnReport extends ReportSource {
  kind: "vulns";
  findings: VulnFinding[];
  /** Things the normalization decided that a reader should know (UNKNOWN counted as low…). */
  notes: string[];
}

/** todo: written but not expected to pass yet (node's `{ todo }`, jest's `it.todo`); never a failure, never a pass. */
export type TestStatus = "passed" | "failed" | "error" | "skipped" | "todo" | "flaky";

export interface TestCaseResult {
  /** The report file the test case was read from. */
  file: string;
  suite?: string;
  classname: string;
  name: string;
  status: TestStatus;
  /** How many times the test ran: more than 1 when the report records reruns (Surefire's rerun elements). */
  attempts: number;
  /** First line of the failure or error message, when there was one. */
  message?: string;
}

export interface TestReport extends ReportSource {
  kind: "tests";
  cases: TestCaseResult[];
  /** What the reading decided that a reader should know (cases the writer's counts leave out…). */
  notes: string[];
}

export interface ReportByKind {
  coverage: CoverageReport;
  vulns: VulnReport;
  tests: TestReport;
}
export type AnyReport = ReportByKind[ReportKind];

/**
 * One report format. Each lives in its own folder under src/gates/parsers/ and is detected by
 * its content (never its file name: CI artifacts are renamed all the time).
 */
export interface ReportParser<K extends ReportKind = ReportKind> {
  readonly id: ReportFormat;
  readonly kind: K;
  /** How the format is named in messages: "Trivy JSON", "JUnit XML". */
  readonly label: string;
  /** Whether the first bytes of a file (BOM removed) look like this format. */
  sniff(head: string): boolean;
  /** Reads and normalizes the file; a malformed file is a ShipgateError with its position. */
  parse(file: string): Promise<ReportByKind[K]>;
}

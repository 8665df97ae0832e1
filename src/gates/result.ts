import type { VulnIgnore, VulnSeverity } from "../config/schema.js";
import type { FileCoverage, Ratio, ReportSource, TestCaseResult, VulnFinding } from "./types.js";

export type GateName = "coverage" | "vulns" | "tests";

/** What every gate answers, in the words of the summary table. */
interface GateResultBase<G extends GateName> {
  gate: G;
  ok: boolean;
  /** The measured figure: "lines 84.21% (1234/1466)". */
  figure: string;
  /** What it is measured against: "lines ≥ 80%". */
  threshold: string;
  /** One line of why it passed or failed. */
  summary: string;
  reports: ReportSource[];
}

export interface CoverageGateResult extends GateResultBase<"coverage"> {
  min: number;
  minBranches: number | null;
  lines: Ratio;
  branches: Ratio | null;
  /** The files with the lowest line coverage, lowest first: where to add tests. */
  leastCovered: FileCoverage[];
  /** Corrections the parser made to the tool's figures (coverage.py's lcov LH…). */
  notes: string[];
}

export interface LocatedFinding extends VulnFinding {
  /** The report the finding came from. */
  file: string;
}

export interface IgnoredFinding {
  finding: LocatedFinding;
  entry: VulnIgnore;
}

export interface IgnoreEntryStatus {
  entry: VulnIgnore;
  /**
   * applied: ignored at least one finding. expired: past its date, so it ignores nothing
   * (the findings it names fail again). unused: in date but matched no finding; remove it.
   */
  state: "applied" | "expired" | "unused";
  /** Findings the entry names (for expired ones: the findings it would have ignored). */
  matched: number;
  /** First day the entry no longer applied (the day after `expires`), for expired entries. */
  expiredSince?: string;
}

export interface VulnsGateResult extends GateResultBase<"vulns"> {
  failOn: VulnSeverity;
  /** Findings not ignored, by severity. */
  counts: Record<VulnSeverity, number>;
  /** Findings at or above failOn that no in-date ignore entry covers, most severe first. */
  failing: LocatedFinding[];
  ignored: IgnoredFinding[];
  ignoreEntries: IgnoreEntryStatus[];
  /** Normalization notes from the parsers (UNKNOWN counted as low, suppressed results…). */
  notes: string[];
}

export interface TestTotals {
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  todo: number;
  flaky: number;
}

export interface TestsGateResult extends GateResultBase<"tests"> {
  failOnFlaky: boolean;
  totals: TestTotals;
  /** Failed and errored tests, in report order. */
  failures: TestCaseResult[];
  /** Tests that failed and then passed on a retry. */
  flaky: TestCaseResult[];
  notes: string[];
}

export type GateResult = CoverageGateResult | VulnsGateResult | TestsGateResult;

export interface GateRun {
  ok: boolean;
  results: GateResult[];
}

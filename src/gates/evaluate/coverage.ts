import { formatPct } from "../ratio.js";
import type { CoverageGateResult } from "../result.js";
import type { CoverageReport, FileCoverage, Ratio } from "../types.js";

export interface CoverageThresholds {
  /** Lowest line coverage, percent. */
  min: number;
  /** Lowest branch coverage, percent; unset means branches are not gated. */
  branches?: number;
}

const LEAST_COVERED = 5;

export function evaluateCoverage(report: CoverageReport, thresholds: CoverageThresholds): CoverageGateResult {
  const minBranches = thresholds.branches ?? null;
  const problems: string[] = [];
  const measured = report.lines.total > 0;
  if (!measured) {
    // Jest and vitest print "Unknown% (0/0)" when the coverage include pattern matches no
    // file; their reports say 0 of 0, which is no evidence of coverage, not 100%.
    problems.push(
      "the report measured no lines (0/0), so it shows no coverage at all: the coverage tool included no source file; check its include and exclude patterns (jest collectCoverageFrom, vitest coverage.include)",
    );
  } else if (!meets(report.lines, thresholds.min)) {
    problems.push(
      `line coverage ${formatPct(report.lines.pct)} is below the ${formatPct(thresholds.min)} minimum`,
    );
  }
  if (measured && minBranches !== null) {
    if (!report.branches) {
      problems.push("the report has no branch data; turn on branch coverage in the coverage tool");
    } else if (!meets(report.branches, minBranches)) {
      problems.push(
        `branch coverage ${formatPct(report.branches.pct)} is below the ${formatPct(minBranches)} minimum`,
      );
    }
  }
  const leastCovered = leastCoveredFiles(report.files);
  const ok = problems.length === 0;
  const worst = leastCovered[0];
  const summary = ok
    ? `line coverage ${formatPct(report.lines.pct)} meets the ${formatPct(thresholds.min)} minimum${
        minBranches !== null && report.branches ? `, branches ${formatPct(report.branches.pct)}` : ""
      }`
    : `${problems.join("; ")}${worst ? `; least covered: ${worst.file} ${formatPct(worst.lines.pct)}` : ""}`;
  return {
    gate: "coverage",
    ok,
    figure: measured
      ? [
          `lines ${describe(report.lines)}`,
          ...(report.branches ? [`branches ${describe(report.branches)}`] : []),
        ].join(", ")
      : "no lines measured (0/0)",
    threshold: [
      `lines ≥ ${formatPct(thresholds.min)}`,
      ...(minBranches !== null ? [`branches ≥ ${formatPct(minBranches)}`] : []),
    ].join(", "),
    summary,
    reports: [{ file: report.file, format: report.format }],
    min: thresholds.min,
    minBranches,
    lines: report.lines,
    branches: report.branches,
    leastCovered,
    notes: report.notes.map((n) => `${report.file}: ${n}`),
  };
}

/** Integer arithmetic, so 79.99999% never rounds its way past an 80% minimum. */
function meets(ratio: Ratio, min: number): boolean {
  return ratio.total === 0 || ratio.covered * 100 >= min * ratio.total;
}

function describe(ratio: Ratio): string {
  return `${formatPct(ratio.pct)} (${ratio.covered}/${ratio.total})`;
}

/** Lowest line coverage first; among equals, the file with more uncovered lines. */
function leastCoveredFiles(files: readonly FileCoverage[]): FileCoverage[] {
  return files
    .filter((f) => f.lines.total > 0 && f.lines.covered < f.lines.total)
    .sort(
      (a, b) =>
        a.lines.pct - b.lines.pct ||
        b.lines.total - b.lines.covered - (a.lines.total - a.lines.covered) ||
        a.file.localeCompare(b.file),
    )
    .slice(0, LEAST_COVERED);
}

import type { VulnSeverity } from "../config/schema.js";

/** Lowest first, so an index comparison answers "at least as severe as". */
export const SEVERITY_ORDER = [
  "low",
  "medium",
  "high",
  "critical",
] as const satisfies readonly VulnSeverity[];

export function severityRank(severity: VulnSeverity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

export function atLeast(severity: VulnSeverity, threshold: VulnSeverity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** CVSS v3 qualitative bands (FIRST), as GitHub code scanning reads `security-severity`. */
export function severityFromCvss(score: number): VulnSeverity {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return "low";
}

/**
 * A severity word from any tool: Trivy's UNKNOWN/LOW/…, npm's info/low/moderate/…,
 * GHSA's MODERATE. Returns undefined for a word no tool uses, so the parser can say so.
 */
export function severityFromWord(word: string): VulnSeverity | undefined {
  switch (word.trim().toLowerCase()) {
    case "critical":
      return "critical";
    case "high":
      return "high";
    case "medium":
    case "moderate":
      return "medium";
    case "low":
    case "info":
    case "negligible":
    case "unknown":
      return "low";
    default:
      return undefined;
  }
}

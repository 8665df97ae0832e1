import type { VulnIgnore, VulnSeverity } from "../../config/schema.js";
import type { IgnoredFinding, IgnoreEntryStatus, LocatedFinding, VulnsGateResult } from "../result.js";
import { atLeast, SEVERITY_ORDER, severityRank } from "../severity.js";
import type { VulnFinding, VulnReport } from "../types.js";

export interface VulnsThresholds {
  /** Lowest severity that fails the gate. */
  failOn: VulnSeverity;
  /** Accepted findings from shipgate.yml (gates.vulns.ignore). */
  ignore?: readonly VulnIgnore[];
  /** The moment the gate runs; expiry dates are compared with its UTC date. */
  now: Date;
}

export function evaluateVulns(reports: readonly VulnReport[], thresholds: VulnsThresholds): VulnsGateResult {
  const today = thresholds.now.toISOString().slice(0, 10);
  const entries = (thresholds.ignore ?? []).map((entry) => ({
    entry,
    // `expires` is the last day the entry applies.
    expired: today > entry.expires,
    matched: 0,
  }));

  const counts: Record<VulnSeverity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const failing: LocatedFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  for (const report of reports) {
    for (const finding of report.findings) {
      const located: LocatedFinding = { ...finding, file: report.file };
      const matching = entries.filter((e) => matches(e.entry, finding));
      for (const e of matching) e.matched += 1;
      const applied = matching.find((e) => !e.expired);
      if (applied) {
        ignored.push({ finding: located, entry: applied.entry });
        continue;
      }
      counts[finding.severity] += 1;
      if (atLeast(finding.severity, thresholds.failOn)) failing.push(located);
    }
  }
  failing.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));

  const ignoreEntries: IgnoreEntryStatus[] = entries.map(({ entry, expired, matched }) =>
    expired
      ? { entry, state: "expired", matched, expiredSince: dayAfter(entry.expires) }
      : { entry, state: matched > 0 ? "applied" : "unused", matched },
  );
  const ok = failing.length === 0;
  return {
    gate: "vulns",
    ok,
    figure: figureOf(counts, ignored.length),
    threshold: `fail on ${thresholds.failOn}${thresholds.failOn === "critical" ? "" : " or above"}`,
    summary: summaryOf(failing, thresholds.failOn, ignoreEntries),
    reports: reports.map((r) => ({ file: r.file, format: r.format })),
    failOn: thresholds.failOn,
    counts,
    failing,
    ignored,
    ignoreEntries,
    notes: reports.flatMap((r) => r.notes.map((n) => `${r.file}: ${n}`)),
  };
}

/** By advisory id or any alias (case does not matter: ghsa- and GHSA- are the same), then package. */
function matches(entry: VulnIgnore, finding: VulnFinding): boolean {
  const id = entry.id.toLowerCase();
  const ids = [finding.id, ...finding.aliases].map((i) => i.toLowerCase());
  if (!ids.includes(id)) return false;
  return entry.package === undefined || entry.package === finding.package;
}

function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function figureOf(counts: Record<VulnSeverity, number>, ignored: number): string {
  const parts = [...SEVERITY_ORDER]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  const figure = parts.length > 0 ? parts.join(", ") : "no findings";
  return ignored > 0 ? `${figure} (${ignored} ignored)` : figure;
}

function summaryOf(failing: LocatedFinding[], failOn: VulnSeverity, entries: IgnoreEntryStatus[]): string {
  const expired = entries.filter((e) => e.state === "expired" && e.matched > 0);
  const expiredNote =
    expired.length > 0
      ? `; ignore entr${expired.length === 1 ? "y" : "ies"} expired: ${expired
          .map((e) => `${e.entry.id} since ${e.expiredSince}`)
          .join(", ")}`
      : "";
  const first = failing[0];
  if (!first) {
    const level = failOn === "critical" ? "critical" : `${failOn} or above`;
    return `nothing ${level}${expiredNote}`;
  }
  const more = failing.length > 1 ? `, and ${failing.length - 1} more` : "";
  return `${describeFinding(first)}${more}${expiredNote}`;
}

/** "CVE-2024-45492 (critical) in libexpat1 2.5.0-1, fixed in 2.5.0-1+deb12u1" */
export function describeFinding(finding: VulnFinding): string {
  const where = finding.package
    ? ` in ${finding.package}${finding.installedVersion ? ` ${finding.installedVersion}` : ""}`
    : finding.target
      ? ` at ${finding.target}`
      : "";
  const fix = finding.fixedVersion ? `, fixed in ${finding.fixedVersion}` : "";
  return `${finding.id} (${finding.severity})${where}${fix}`;
}

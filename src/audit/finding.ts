import type { SourceFile } from "./model/source.js";
import type { Finding, Report, Rule, Severity } from "./types.js";

export type RuleSetting = Severity | "off";

export interface AuditSettings {
  /** Per-rule severity override, or "off". */
  rules?: Record<string, RuleSetting>;
  /**
   * The GitHub user or organisation that owns the audited repository (`acme` of
   * `acme/orders`): its own actions are graded as its own code.
   */
  repositoryOwner?: string;
  /**
   * The audited repository's name (`orders` of `acme/orders`): with the owner, a step or job that
   * calls `acme/orders/.github/…@ref` is read as calling the repository's own action or workflow.
   */
  repositoryName?: string;
}

export function toFinding(rule: Rule, source: SourceFile, report: Report, settings: AuditSettings): Finding {
  const region = report.region ?? source.region(report.node);
  const override = settings.rules?.[rule.meta.id];
  const severity = override && override !== "off" ? override : (report.severity ?? rule.meta.severity);
  const key =
    report.key ?? (report.node?.range ? source.text.slice(report.node.range[0], report.node.range[1]) : "");
  return {
    ruleId: rule.meta.id,
    severity,
    confidence: rule.meta.confidence,
    message: report.message,
    file: source.path,
    region,
    related: (report.related ?? []).map((r) => ({ region: source.region(r.node), message: r.message })),
    fix: report.fix,
    docsUrl: rule.meta.docsUrl,
    fingerprint: fingerprint(rule.meta.id, source.path, key, report.message),
  };
}

/**
 * Line numbers are left out on purpose: a finding keeps its fingerprint when lines move.
 * Two independent 32-bit FNV-1a hashes make 64 bits: plenty to tell findings apart, and far
 * cheaper than a cryptographic hash at thousands of findings.
 */
function fingerprint(ruleId: string, file: string, key: string, message: string): string {
  // The hash of `${ruleId}\0${file}\0${normalizedKey}\0${message}`, without building that string.
  const parts = [ruleId, file, key.replace(/\s+/g, " ").trim(), message];
  let length = parts.length - 1;
  for (const part of parts) length += part.length;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ length;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    for (let i = p === 0 ? 0 : -1; i < part.length; i++) {
      const c = i < 0 ? 0 : part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
      b ^= b >>> 13;
    }
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

import { createHash } from "node:crypto";
import type { SourceFile } from "./model/source.js";
import type { Finding, Report, Rule, Severity } from "./types.js";

export type RuleSetting = Severity | "off";

export interface AuditSettings {
  /** Per-rule severity override, or "off". */
  rules?: Record<string, RuleSetting>;
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

/** Line numbers are left out on purpose: a finding keeps its fingerprint when lines move. */
function fingerprint(ruleId: string, file: string, key: string, message: string): string {
  return createHash("sha256")
    .update(`${ruleId}\0${file}\0${key.replace(/\s+/g, " ").trim()}\0${message}`)
    .digest("hex")
    .slice(0, 32);
}

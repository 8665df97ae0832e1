import { redact } from "../../redact.js";
import { VERSION } from "../../version.js";
import type { Finding, Rule } from "../types.js";

const LEVEL = { error: "error", warning: "warning", note: "note" } as const;
// GitHub code scanning ranks security alerts by this score (CVSS-like, 0.0–10.0).
const SECURITY_SEVERITY = { error: "8.0", warning: "5.0", note: "2.0" } as const;

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. */
export function renderSarif(options: { findings: Finding[]; rules: Rule[] }): string {
  const rules = [...options.rules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "shipgate",
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: "https://github.com/shipgate/shipgate",
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: pascal(r.meta.id),
              shortDescription: { text: r.meta.name },
              fullDescription: { text: r.meta.description },
              helpUri: r.meta.docsUrl,
              help: {
                text: `${r.meta.description} See ${r.meta.docsUrl}`,
                markdown: `${r.meta.description}\n\n[Documentation](${r.meta.docsUrl})`,
              },
              defaultConfiguration: { level: LEVEL[r.meta.severity] },
              properties: {
                tags: [r.meta.category],
                precision: r.meta.confidence === "medium" ? "medium" : r.meta.confidence,
                ...(r.meta.category === "security"
                  ? { "security-severity": SECURITY_SEVERITY[r.meta.severity] }
                  : {}),
              },
            })),
          },
        },
        columnKind: "utf16CodeUnits",
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The root of the audited repository." } } },
        results: options.findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: LEVEL[f.severity],
          message: { text: redact(f.message) },
          locations: [location(f.file, f.region)],
          ...(f.related.length
            ? {
                relatedLocations: f.related.map((r, i) => ({
                  id: i + 1,
                  ...location(f.file, r.region),
                  message: { text: redact(r.message) },
                })),
              }
            : {}),
          partialFingerprints: { "shipgate/v1": f.fingerprint },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function location(file: string, region: Finding["region"]) {
  return {
    physicalLocation: {
      artifactLocation: { uri: file.split("\\").join("/"), uriBaseId: "%SRCROOT%" },
      region: {
        startLine: region.startLine,
        startColumn: region.startColumn,
        endLine: region.endLine,
        endColumn: Math.max(
          region.endColumn,
          region.endLine === region.startLine ? region.startColumn + 1 : 1,
        ),
      },
    },
  };
}

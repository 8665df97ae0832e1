import { RULES } from "../audit/rules/index.js";

/** docs/rules/README.md: every audit rule with its severity, category and whether it fixes. */
export function renderRulesIndex(): string {
  const rows = [...RULES]
    .sort((a, b) => a.meta.id.localeCompare(b.meta.id))
    .map((r) => {
      const m = r.meta;
      return `| [${m.id}](${m.id}.md) | ${m.severity} | ${m.category} | ${m.fixable ? "yes" : ""} | ${m.description.replace(/\|/g, "\\|")} |`;
    });
  return [
    "# Audit rules",
    "",
    `shipgate audit checks ${RULES.length} rules. Generated from the rule registry; \`npx vitest run test/docs\``,
    "fails when this page drifts (`UPDATE_DOCS=1` rewrites it). Turn a rule off or change its",
    "severity with `audit.rules.<id>` in shipgate.yml; see [the audit guide](../audit.md).",
    "",
    "| rule | severity | category | fix | finds |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

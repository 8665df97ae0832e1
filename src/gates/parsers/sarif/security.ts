/** What marks a rule or a result as being about security, in the fields SARIF writers use. */
interface Marked {
  properties?: { "security-severity"?: unknown; tags?: string[] } | undefined;
}
interface Relationship {
  target: { id?: string | undefined; toolComponent?: { name?: string | undefined } | undefined };
}

/**
 * A security finding is a result whose rule (or itself) has a `security-severity`, a
 * `security` tag, or a CWE: a tag as CodeQL (`external/cwe/cwe-089`) and Semgrep (`CWE-89: …`)
 * write it, or a relationship into the CWE taxonomy as flawfinder writes it. Linters' results
 * (ESLint, Biome) have none of these, and an unused variable is not a vulnerability.
 */
export function isSecurityResult(
  result: Marked,
  rule: (Marked & { relationships?: Relationship[] }) | undefined,
): boolean {
  const bags = [result.properties, rule?.properties];
  if (bags.some((p) => p?.["security-severity"] !== undefined)) return true;
  const tags = bags.flatMap((p) => p?.tags ?? []).map((t) => t.toLowerCase());
  if (tags.some((t) => t === "security" || t.startsWith("cwe-") || t.startsWith("external/cwe/")))
    return true;
  return (rule?.relationships ?? []).some(
    (r) => r.target.toolComponent?.name?.toUpperCase() === "CWE" || /^CWE-\d+$/i.test(r.target.id ?? ""),
  );
}

/** "5 results not counted: not security rules (no security-severity, security tag or CWE): Biome's lint/x (3), …" */
export function notSecurityNote(byRule: ReadonlyMap<string, number>): string {
  const total = [...byRule.values()].reduce((a, b) => a + b, 0);
  const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} (${n})`);
  const shown =
    rules.slice(0, 5).join(", ") + (rules.length > 5 ? `, and ${rules.length - 5} more rules` : "");
  return `${total} result${total === 1 ? "" : "s"} not counted: their rules are not security rules (no security-severity, security tag or CWE): ${shown}`;
}

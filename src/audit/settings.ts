import { readFile } from "node:fs/promises";
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { didYouMean } from "../config/did-you-mean.js";
import { type AuditConfig, AuditConfigSchema } from "../config/schema.js";
import { ShipgateError } from "../errors.js";
import { RULE_REGISTRY } from "./rules/index.js";

/**
 * Reads only the `audit:` section of shipgate.yml, so a repository can use `shipgate audit`
 * without the rest of the configuration; a bad section is still an error at its position.
 */
export async function loadAuditSettings(options: {
  path: string;
  displayPath?: string;
}): Promise<AuditConfig | null> {
  const text = await readFile(options.path, "utf8").catch(() => null);
  if (text === null) return null;
  const file = options.displayPath ?? options.path;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = (node: Node | null | undefined) => {
    const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null; // `generate`/`plan` report those
  const pair = doc.contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === "audit");
  if (!pair) return null;
  const parsed = AuditConfigSchema.safeParse((doc.toJSON() as Record<string, unknown>).audit);
  if (!parsed.success) {
    throw new ShipgateError({
      code: "config/invalid",
      message: `audit: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      location: at(pair.value as Node),
      hint: "audit takes `rules: { <rule-id>: off | error | warning | note }` and `baseline: <file>`",
    });
  }
  const rulesNode = isMap(pair.value) ? (pair.value.get("rules", true) as Node | undefined) : undefined;
  const ids = Object.keys(RULE_REGISTRY);
  for (const id of Object.keys(parsed.data.rules)) {
    if (ids.includes(id)) continue;
    const keyNode = isMap(rulesNode)
      ? (rulesNode.items.find((p) => isScalar(p.key) && p.key.value === id)?.key as Node | undefined)
      : undefined;
    const suggestion = didYouMean({ input: id, candidates: ids });
    throw new ShipgateError({
      code: "config/unknown-rule",
      message: `audit.rules: no rule named "${id}"`,
      location: at(keyNode ?? rulesNode),
      hint: suggestion ? `did you mean "${suggestion}"?` : "rule ids are listed in docs/rules/",
    });
  }
  return parsed.data;
}

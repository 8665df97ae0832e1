import { isMap, type Node } from "yaml";
import { didYouMean } from "../config/did-you-mean.js";
import { type AuditConfig, AuditConfigSchema } from "../config/schema.js";
import { readTextFile } from "../config/text-file.js";
import {
  firstAlias,
  isAliasBudgetError,
  keyProblems,
  parseConfigYaml,
  YAML_FILE_LIMITS,
} from "../config/yaml-document.js";
import { aliasDiagnostic, CONFIG_FILE, keyDiagnostics } from "../config/yaml-errors.js";
import { YamlLocator } from "../config/yaml-locate.js";
import { isShipgateError, ShipgateError } from "../errors.js";
import { RULE_REGISTRY } from "./rules/index.js";

/**
 * Reads only the `audit:` section of shipgate.yml, so a repository can use `shipgate audit`
 * without the rest of the configuration; a bad section is still an error at its position.
 */
export async function loadAuditSettings(options: {
  path: string;
  displayPath?: string;
}): Promise<AuditConfig | null> {
  const file = options.displayPath ?? options.path;
  let text: string;
  try {
    text = await readTextFile({
      path: options.path,
      file,
      maxBytes: YAML_FILE_LIMITS.maxBytes,
      prefix: "config",
    });
  } catch (error) {
    if (isShipgateError(error)) throw error;
    return null; // no shipgate.yml: the audit runs with its defaults
  }
  const { doc, lineCounter } = parseConfigYaml(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null; // `generate`/`plan` report those
  const locator = new YamlLocator({ doc, lineCounter, file, source: text });
  const section = locator.find(["audit"]);
  if (!section.exact || !section.key) return null;
  const sectionNode = section.node as Node;
  // Problems elsewhere in the file are generate's and plan's to report.
  const [from, to] = [section.key.range?.[0] ?? 0, sectionNode?.range?.[2] ?? 0];
  const problems = keyProblems(doc, YAML_FILE_LIMITS.maxEntries).filter((p) => {
    const at = p.node.range?.[0] ?? -1;
    return at >= from && at < to;
  });
  if (problems.length > 0) throw new ShipgateError(keyDiagnostics(problems, locator, CONFIG_FILE));
  let raw: unknown;
  try {
    raw = sectionNode?.toJS(doc);
  } catch (error) {
    if (!isAliasBudgetError(error)) throw error;
    throw new ShipgateError(aliasDiagnostic(firstAlias(sectionNode), locator, CONFIG_FILE));
  }
  const parsed = AuditConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShipgateError({
      code: "config/invalid",
      message: `audit: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      location: locator.valueAt(["audit"]),
      hint: "audit takes `rules: { <rule-id>: off | error | warning | note }` and `baseline: <file>`",
    });
  }
  const ids = Object.keys(RULE_REGISTRY);
  for (const id of Object.keys(parsed.data.rules)) {
    if (ids.includes(id)) continue;
    const suggestion = didYouMean({ input: id, candidates: ids });
    throw new ShipgateError({
      code: "config/unknown-rule",
      message: `audit.rules: no rule named "${id}"`,
      location: locator.keyAt(["audit", "rules", id]),
      hint: suggestion ? `did you mean "${suggestion}"?` : "rule ids are listed in docs/rules/",
    });
  }
  return parsed.data;
}

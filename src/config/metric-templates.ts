/**
 * Checks of the metric provider's PromQL templates that need more than one value to judge: a
 * `{{ target.<field> }}` is only known once the environment's target is, and a malformed or
 * self-referring placeholder is reported at its own column, not at the start of the string.
 * What a template is filled in with at deploy time (src/deliver/analysis/providers/) must be
 * knowable here: a template that cannot be filled in is bad input (exit 2) when shipgate.yml is
 * read, not a deployment that holds on failing queries and then rolls back.
 */
import type { Diagnostic, SourceLocation } from "../errors.js";
import { TargetSchema, TEMPLATE_NAME, TEMPLATE_PLACEHOLDER } from "./schema.js";
import { isRecord } from "./schema-walk.js";
import type { ConfigPath, YamlLocator } from "./yaml-locate.js";

/** The provider keys that are templates, as paths under `analysis.provider`. */
const TEMPLATE_KEYS: ReadonlyArray<readonly string[]> = [
  ["selector"],
  ["queries", "requests"],
  ["queries", "errors"],
  ["queries", "latency"],
  ["queries", "latencySum"],
];

export function metricTemplateDiagnostics(options: {
  environments: ReadonlyArray<[string, Record<string, unknown>]>;
  locator: YamlLocator;
}): Diagnostic[] {
  const { locator } = options;
  return options.environments.flatMap(([env, config]) => {
    const analysis = config.analysis;
    if (!isRecord(analysis) || !isRecord(analysis.provider)) return [];
    const provider = analysis.provider;
    if (provider.type !== "prometheus") return [];
    const target = targetFields(config.target);
    const diagnostics: Diagnostic[] = [];
    for (const key of TEMPLATE_KEYS) {
      const template = valueAt(provider, key);
      if (typeof template !== "string") continue;
      const path: ConfigPath = ["environments", env, "analysis", "provider", ...key];
      const where = path.join(".");
      const at = (index: number, text: string) => locationIn({ locator, path, template, index, text });
      for (const stray of strayBraces(template)) {
        diagnostics.push({
          code: "config/invalid",
          message: `${where} has "${stray.text}" that is not part of a placeholder`,
          location: at(stray.index, stray.text),
          hint: "write a placeholder as {{ name }}, e.g. {{ release }}; braces of PromQL label matchers are single: metric{ {{ selector }} }",
        });
      }
      for (const match of template.matchAll(TEMPLATE_PLACEHOLDER)) {
        const name = match[1]!;
        // Names the schema refuses are reported by the schema, once.
        if (!TEMPLATE_NAME.test(name)) continue;
        if (name === "selector" && key[0] === "selector") {
          diagnostics.push({
            code: "config/invalid",
            message: `${where} names {{ selector }}, which stands for the selector itself`,
            location: at(match.index, match[0]),
            hint: 'write the label matchers here, e.g. shipgate_release="{{ release }}"; the queries use them as {{ selector }}',
          });
          continue;
        }
        if (!name.startsWith("target.") || !target) continue;
        const field = name.slice("target.".length);
        if (target.values.has(field)) continue;
        const offered = [...target.values.keys()].sort().map((f) => `{{ target.${f} }}`);
        diagnostics.push({
          code: "config/invalid",
          message: target.fields.has(field)
            ? `${where} names {{ ${name} }}, which environments.${env}.target does not set`
            : `${where} names {{ ${name} }}, but a ${target.type} target has no ${field}`,
          location: at(match.index, match[0]),
          hint: target.fields.has(field)
            ? `set ${field} in environments.${env}.target, or use one of ${offered.join(", ")}`
            : `the target's fields here are ${offered.join(", ")}`,
        });
      }
    }
    return diagnostics;
  });
}

/**
 * The target's plain fields as the provider fills them in (src/deliver/analysis/providers/
 * index.ts: strings and numbers, defaults included), and every field its type has. Undefined
 * while the target itself is invalid: the schema reports that.
 */
function targetFields(
  raw: unknown,
): { type: string; values: Map<string, string>; fields: Set<string> } | undefined {
  const parsed = TargetSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const values = new Map<string, string>();
  for (const [field, value] of Object.entries(parsed.data)) {
    if (typeof value === "string" || typeof value === "number") values.set(field, String(value));
  }
  const schema = TargetSchema.options.find((option) => option.shape.type.value === parsed.data.type);
  return { type: parsed.data.type, values, fields: new Set(Object.keys(schema?.shape ?? {})) };
}

/** `{{` and `}}` outside well-formed placeholders: a placeholder mistyped, sent to Prometheus as is. */
function strayBraces(template: string): Array<{ text: string; index: number }> {
  const covered: Array<[number, number]> = [];
  for (const match of template.matchAll(TEMPLATE_PLACEHOLDER)) {
    covered.push([match.index, match.index + match[0].length]);
  }
  const stray: Array<{ text: string; index: number }> = [];
  for (const found of template.matchAll(/\{\{|\}\}/g)) {
    const index = found.index;
    // Overlapping a placeholder by one brace is PromQL's own: `{{{ x }}}` is `{` + `{{ x }}` + `}`.
    if (covered.some(([start, end]) => index + 1 >= start && index < end)) continue;
    stray.push({ text: found[0], index });
  }
  return stray;
}

function valueAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

/**
 * Where `text`, found at `index` of the template, sits in the file. The scalar's source text
 * holds the same characters around it (quotes and escapes only change what is outside a
 * placeholder), so its n-th occurrence in the value is its n-th occurrence in the source. When
 * it cannot be found there, the start of the value.
 */
function locationIn(options: {
  locator: YamlLocator;
  path: ConfigPath;
  template: string;
  index: number;
  text: string;
}): SourceLocation {
  const { locator, path, template, index, text: needle } = options;
  const start = locator.valueAt(path);
  const source = locator.textAt(path);
  if (source === undefined) return start;
  let occurrence = 0;
  for (let i = template.indexOf(needle); i !== -1 && i < index; i = template.indexOf(needle, i + 1)) {
    occurrence++;
  }
  let offset = -1;
  for (let n = 0; n <= occurrence; n++) {
    offset = source.indexOf(needle, offset + 1);
    if (offset === -1) return start;
  }
  const before = source.slice(0, offset);
  const newline = before.lastIndexOf("\n");
  if (newline === -1) return { ...start, column: start.column + offset };
  return { ...start, line: start.line + before.split("\n").length - 1, column: offset - newline };
}

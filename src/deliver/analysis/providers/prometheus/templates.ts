/**
 * PromQL templates: `{{ name }}` placeholders filled in per release. Values are written as the
 * inside of a double-quoted PromQL string (they stand where a label value goes), so a release id
 * or a target field can never end the string and add matchers of its own.
 */
import { TEMPLATE_PLACEHOLDER } from "../../../../config/schema.js";
import { inputError } from "../../../../errors.js";

/** Escapes a value for the inside of a double-quoted PromQL string. */
export function promqlString(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The names a template uses, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(TEMPLATE_PLACEHOLDER)].map((match) => match[1]!))];
}

/**
 * Fills in `template`. `{{ selector }}` is itself a template (label matchers) and is expanded
 * first, unescaped, since it is PromQL; every other value is escaped as a string's content.
 */
export function expandTemplate(
  template: string,
  options: { selector?: string; variables: Readonly<Record<string, string>> },
): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (_whole, name: string) => {
    if (name === "selector" && options.selector !== undefined) {
      return expandTemplate(options.selector, { variables: options.variables });
    }
    const value = options.variables[name];
    if (value === undefined) throw new Error(`{{ ${name} }} has no value`);
    return promqlString(value);
  });
}

/**
 * Checks once, when the provider is made, that every placeholder of every template has a value
 * (a `{{ target.namespace }}` on a target without one is a configuration error, exit 2, not a
 * deployment that holds and fails).
 */
export function checkPlaceholders(options: {
  templates: Readonly<Record<string, string>>;
  /** Names that have a value; `release` is added per release. */
  known: readonly string[];
  where: string;
}): void {
  for (const [key, template] of Object.entries(options.templates)) {
    // The selector is what {{ selector }} stands for: it cannot contain itself.
    const known = new Set([...options.known, "release", ...(key === "selector" ? [] : ["selector"])]);
    const unknown = placeholders(template).filter((name) => !known.has(name));
    if (unknown.length === 0) continue;
    const offered = [...known].sort();
    throw inputError(
      "config/prometheus-placeholder",
      `${options.where}.${key} names ${unknown.map((n) => `{{ ${n} }}`).join(", ")}, which this environment does not define`,
      { hint: `the placeholders here are ${offered.map((n) => `{{ ${n} }}`).join(", ")}` },
    );
  }
}

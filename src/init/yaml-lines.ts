import { stringify } from "yaml";

/**
 * Small helpers for writing a commented YAML file line by line. Every value goes through the
 * yaml package, so `3.10`, `true` or `a: b` come out quoted and read back as the same string.
 */

export function scalar(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** `[a, b]` for short lists that read better on one line. */
export function flowList(values: ReadonlyArray<string | number>): string {
  return `[${values.map((v) => scalar(v)).join(", ")}]`;
}

/** `key: value` at `depth` (two spaces per level). */
export function pair(depth: number, key: string, value: string | number | boolean): string {
  return `${indent(depth)}${key}: ${typeof value === "string" ? scalar(value) : String(value)}`;
}

/** `key: [a, b]` at `depth`. */
export function listPair(depth: number, key: string, values: ReadonlyArray<string | number>): string {
  return `${indent(depth)}${key}: ${flowList(values)}`;
}

/** `- value` of a block list at `depth`. */
export function item(depth: number, value: string | number | boolean): string {
  return `${indent(depth)}- ${typeof value === "string" ? scalar(value) : String(value)}`;
}

/** `key:` opening a nested mapping. */
export function section(depth: number, key: string): string {
  return `${indent(depth)}${key}:`;
}

/** One `# ...` line per text, at `depth`. */
export function comment(depth: number, ...texts: string[]): string[] {
  return texts.map((t) => `${indent(depth)}#${t ? ` ${t}` : ""}`);
}

function indent(depth: number): string {
  return "  ".repeat(depth);
}

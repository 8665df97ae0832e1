import { stringify } from "yaml";

/**
 * A small YAML emitter for generated pipeline files. The `yaml` package decides how every
 * scalar is quoted; this file decides the layout a reviewer expects in a workflow: comments
 * above keys, a version comment after pinned SHAs, blank lines between jobs, `|` blocks for
 * scripts, and flow sequences for short lists such as `branches: [main]`.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | YamlMap | Annotated | Flow;
export interface YamlMap {
  [key: string]: YamlValue | undefined;
}

/** A value with a comment above its key and/or one after a scalar on the same line. */
export class Annotated {
  constructor(
    readonly value: YamlValue,
    readonly notes: { above?: string; after?: string; blankBefore?: boolean },
  ) {}
}

/** A short list or map written inline: `[main, staging]`. */
export class Flow {
  constructor(readonly value: YamlValue[] | YamlMap) {}
}

export function comment(value: YamlValue, above: string): Annotated {
  return new Annotated(value, { above });
}
export function trailing(value: YamlValue, after: string): Annotated {
  return new Annotated(value, { after });
}
export function spaced(value: YamlValue, above?: string): Annotated {
  return new Annotated(value, { above, blankBefore: true });
}
export function flow(value: YamlValue[] | YamlMap): Flow {
  return new Flow(value);
}

const INDENT = "  ";

export function emitYaml(root: YamlMap): string {
  return `${emitMap(root, 0).join("\n")}\n`;
}

function scalar(value: string | number | boolean | null): string {
  // YAML 1.1 rules quote strings such as `on`, `yes` and `5432:5432` that older parsers read as
  // booleans or base-60 numbers.
  return stringify(value, { lineWidth: 0, version: "1.1" }).trimEnd();
}

/** Keys follow YAML 1.2, so the workflow trigger key stays a plain `on`. */
function keyScalar(key: string): string {
  return stringify(key, { lineWidth: 0 }).trimEnd();
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== "object";
}

function unwrap(value: YamlValue): {
  value: YamlValue;
  above?: string;
  after?: string;
  blankBefore?: boolean;
} {
  if (value instanceof Annotated) {
    const inner = unwrap(value.value);
    return {
      value: inner.value,
      above: value.notes.above ?? inner.above,
      after: value.notes.after ?? inner.after,
      blankBefore: value.notes.blankBefore ?? inner.blankBefore,
    };
  }
  return { value };
}

function commentLines(text: string, depth: number): string[] {
  return text.split("\n").map((line) => `${INDENT.repeat(depth)}#${line ? ` ${line}` : ""}`);
}

function emitFlow(value: YamlValue[] | YamlMap): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => (isScalar(v) ? flowScalar(v) : emitFlow(v as YamlValue[]))).join(", ")}]`;
  }
  const parts = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        `${keyScalar(k)}: ${isScalar(v as YamlValue) ? flowScalar(v as string) : emitFlow(v as YamlMap)}`,
    );
  return `{ ${parts.join(", ")} }`;
}

function flowScalar(value: string | number | boolean | null): string {
  const text = scalar(value);
  // Inside [ ] and { } a plain scalar may not contain flow indicators, and a block scalar
  // (what a multi-line string becomes) is not allowed at all.
  return typeof value === "string" && /[,[\]{}:#\n]/.test(text) && !/^["']/.test(text)
    ? JSON.stringify(value)
    : text;
}

function emitMap(map: YamlMap, depth: number): string[] {
  const lines: string[] = [];
  const pad = INDENT.repeat(depth);
  for (const [key, raw] of Object.entries(map)) {
    if (raw === undefined) continue;
    const { value, above, after, blankBefore } = unwrap(raw);
    if (blankBefore && lines.length > 0) lines.push("");
    if (above) lines.push(...commentLines(above, depth));
    const head = `${pad}${keyScalar(key)}:`;
    lines.push(...emitEntry(head, value, depth, after));
  }
  return lines;
}

/** Emits `head` followed by the value, inline when it is a scalar or flow, else nested. */
function emitEntry(head: string, value: YamlValue, depth: number, after?: string): string[] {
  const tail = after ? ` # ${after}` : "";
  if (value instanceof Flow) return [`${head} ${emitFlow(value.value)}${tail}`];
  if (typeof value === "string" && value.includes("\n")) {
    const body = value.replace(/\n+$/, "").split("\n");
    const pad = INDENT.repeat(depth + 1);
    return [`${head} |${tail}`, ...body.map((line) => (line ? `${pad}${line}` : ""))];
  }
  // An empty mapping value (`workflow_call:`) reads better than an explicit null.
  if (value === null) return [`${head}${tail}`];
  if (isScalar(value)) return [`${head} ${scalar(value)}${tail}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${head} []${tail}`];
    return [`${head}${tail}`, ...emitSeq(value, depth + 1)];
  }
  const entries = Object.values(value as YamlMap).filter((v) => v !== undefined);
  if (entries.length === 0) return [`${head} {}${tail}`];
  return [`${head}${tail}`, ...emitMap(value as YamlMap, depth + 1)];
}

function emitSeq(items: YamlValue[], depth: number): string[] {
  const lines: string[] = [];
  const pad = INDENT.repeat(depth);
  for (const raw of items) {
    const { value, above, after, blankBefore } = unwrap(raw);
    if (blankBefore && lines.length > 0) lines.push("");
    if (above) lines.push(...commentLines(above, depth));
    if (isScalar(value) || value instanceof Flow || Array.isArray(value)) {
      const [first, ...rest] = emitEntry(`${pad}-`, value, depth, after);
      lines.push(first ?? "", ...rest);
      continue;
    }
    // A map item: its first key shares the dash line, the rest align under it.
    const inner = emitMap(value as YamlMap, depth + 1);
    const first = inner.findIndex((l) => !l.trimStart().startsWith("#") && l.trim() !== "");
    inner.forEach((line, i) => {
      if (i === first) lines.push(`${pad}- ${line.slice((depth + 1) * INDENT.length)}`);
      else lines.push(line);
    });
  }
  return lines;
}

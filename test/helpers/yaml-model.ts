/**
 * A YAML document as a tree that remembers how each node is written (quoting, block scalar
 * chomping, flow or block, indentation, comments, anchors), and an emitter that writes it.
 * The generated-workflow tests build these trees with fast-check, write them out in many
 * styles, and compare what the parsers read against the value the tree stands for.
 */

export type ScalarStyle = "plain" | "single" | "double" | "literal" | "folded";
export type Chomp = "clip" | "strip" | "keep";

export interface YScalar {
  kind: "scalar";
  value: string | number | boolean | null;
  style: ScalarStyle;
  chomp?: Chomp;
  comment?: string;
  anchor?: string;
  /** For block scalars: the indentation of the content under its parent. */
  indent?: number;
}

export interface YEntry {
  key: string;
  keyStyle: "plain" | "single" | "double";
  value: YNode;
  /** A full-line comment written above the entry. */
  comment?: string;
}

export interface YMap {
  kind: "map";
  entries: YEntry[];
  flow?: boolean;
  /** Extra indentation of this block under its parent (YAML allows any, consistently). */
  indent?: number;
  anchor?: string;
}

export interface YSeq {
  kind: "seq";
  items: YNode[];
  flow?: boolean;
  indent?: number;
  /** Block sequences under a key: the dashes at the key's column (`compact`) or indented. */
  compact?: boolean;
  anchor?: string;
}

export interface YAlias {
  kind: "alias";
  name: string;
}

export type YNode = YScalar | YMap | YSeq | YAlias;

export interface DocumentStyle {
  crlf?: boolean;
  documentStart?: boolean;
  /** A comment block at the top of the file. */
  header?: string;
}

export const scalar = (value: YScalar["value"], style: ScalarStyle = "plain"): YScalar => ({
  kind: "scalar",
  value,
  style,
});
export const map = (entries: Array<[string, YNode]>): YMap => ({
  kind: "map",
  entries: entries.map(([key, value]) => ({ key, keyStyle: "plain", value })),
});
export const seq = (items: YNode[]): YSeq => ({ kind: "seq", items });

/** The value the tree stands for, as `yaml.parse` / js-yaml `load` return it. */
export function modelValue(node: YNode, anchors = new Map<string, unknown>()): unknown {
  let value: unknown;
  switch (node.kind) {
    case "alias":
      return anchors.get(node.name);
    case "scalar":
      value = scalarValue(node);
      break;
    case "seq":
      value = node.items.map((item) => modelValue(item, anchors));
      break;
    case "map": {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        const v = modelValue(e.value, anchors);
        Object.defineProperty(out, e.key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      value = out;
      break;
    }
  }
  if (node.anchor) anchors.set(node.anchor, value);
  return value;
}

function scalarValue(node: YScalar): unknown {
  if (node.style !== "literal" && node.style !== "folded") return node.value;
  const text = String(node.value);
  if (node.style === "folded") return text; // folded scalars are only generated for one-line text
  const body = text.replace(/\n+$/, "");
  if (node.chomp === "strip") return body;
  if (node.chomp === "keep") return text.endsWith("\n") ? text : `${text}\n`;
  return body === "" ? "" : `${body}\n`;
}

const PLAIN_UNSAFE_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const RESERVED =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|\d{4}-\d\d?-\d\d?.*|<<|=)$/;

/**
 * Whether a string can be written plain and still read back as the same string; inside a
 * flow collection `,[]{}` also end a plain scalar.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

export function plainSafe(text: string, inFlow = false): boolean {
  return (
    text.length > 0 &&
    !PLAIN_UNSAFE_START.test(text) &&
    !/\s$/.test(text) &&
    !/: |:$| #|\t|[\n\r\u0085\u2028\u2029\uFEFF]/.test(text) &&
    !CONTROL.test(text) &&
    !RESERVED.test(text) &&
    !(inFlow && /[,[\]{}]/.test(text))
  );
}

function quoteDouble(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, "\\L")
    .replace(/\u2029/g, "\\P")
    .replace(/\u0085/g, "\\N");
}

function quoteSingle(text: string): string | undefined {
  if (/[\n\r\u0085\u2028\u2029]|^\s|\s$/.test(text) || CONTROL.test(text)) return undefined;
  return `'${text.replace(/'/g, "''")}'`;
}

function inlineScalar(node: YScalar, inFlow: boolean): string {
  const v = node.value;
  if (v === null) return node.style === "plain" ? "null" : "~";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if (node.style === "plain" && plainSafe(v, inFlow)) return v;
  if (node.style === "single") return quoteSingle(v) ?? quoteDouble(v);
  return quoteDouble(v);
}

function keyText(e: YEntry, inFlow = false): string {
  if (e.keyStyle === "plain" && plainSafe(e.key, inFlow)) return e.key;
  if (e.keyStyle === "single") return quoteSingle(e.key) ?? quoteDouble(e.key);
  return quoteDouble(e.key);
}

const props = (node: { anchor?: string }) => (node.anchor ? `&${node.anchor} ` : "");

/** Whether a block scalar can hold this text (js-yaml and yaml agree on it). */
export function blockSafe(text: string): boolean {
  const lines = text.replace(/\n+$/, "").split("\n");
  return (
    !/[\r\u0085\u2028\u2029\uFEFF]/.test(text) &&
    !CONTROL.test(text) &&
    lines.length > 0 &&
    lines[0] !== "" &&
    !/^[ \t]/.test(lines[0]!) &&
    lines.every((l) => !/^\s+$/.test(l))
  );
}

function flowNode(node: YNode): string {
  switch (node.kind) {
    case "alias":
      return `*${node.name}`;
    case "scalar":
      return props(node) + inlineScalar(asInline(node), true);
    case "seq":
      return `${props(node)}[${node.items.map(flowNode).join(", ")}]`;
    case "map":
      return node.entries.length === 0
        ? `${props(node)}{}`
        : `${props(node)}{ ${node.entries.map((e) => `${keyText(e, true)}: ${flowNode(e.value)}`).join(", ")} }`;
  }
}

const pad = (n: number) => " ".repeat(n);

function blockScalar(node: YScalar, column: number): string[] {
  const text = String(node.value);
  const indicator = node.style === "folded" ? ">" : "|";
  const chomp =
    node.style === "folded" ? "-" : node.chomp === "strip" ? "-" : node.chomp === "keep" ? "+" : "";
  const header = `${props(node)}${indicator}${chomp}${node.comment ? ` # ${node.comment}` : ""}`;
  const body =
    node.style === "folded" ? text : node.chomp === "keep" && !text.endsWith("\n") ? `${text}\n` : text;
  const lines = body.replace(/\n$/, "").split("\n");
  return [header, ...lines.map((l) => (l === "" ? "" : pad(column) + l))];
}

function usesBlock(node: YNode): boolean {
  if (node.kind === "map") return !node.flow && node.entries.length > 0;
  if (node.kind === "seq") return !node.flow && node.items.length > 0;
  if (node.kind === "scalar")
    return (
      (node.style === "literal" || node.style === "folded") &&
      typeof node.value === "string" &&
      blockSafe(node.value) &&
      (node.style === "literal" || !/\n/.test(node.value))
    );
  return false;
}

/** A block scalar that cannot be written as one is written double-quoted instead. */
function asInline(node: YScalar): YScalar {
  return node.style === "literal" || node.style === "folded"
    ? { ...node, style: "double", value: String(scalarValue(node)) }
    : node;
}

function inlineOf(node: YNode): string {
  if (node.kind === "scalar")
    return `${props(node)}${inlineScalar(asInline(node), false)}${node.comment ? ` # ${node.comment}` : ""}`;
  return flowNode(node);
}

/** Lines for a block collection whose first line goes at `column`. */
function blockLines(node: YMap | YSeq, column: number): string[] {
  const out: string[] = [];
  if (node.kind === "map") {
    for (const e of node.entries) {
      if (e.comment) out.push(`${pad(column)}# ${e.comment}`);
      out.push(...entryLines(`${pad(column)}${keyText(e)}:`, e.value, column));
    }
    return out;
  }
  for (const item of node.items) {
    const dash = `${pad(column)}- `;
    if (item.kind === "map" && usesBlock(item) && !item.anchor) {
      // The map's first entry shares the dash's line; the rest align under it. A comment on
      // the first entry goes above the dash, where people write it.
      const [first, ...rest] = item.entries;
      if (first?.comment) out.push(`${pad(column)}# ${first.comment}`);
      const inner = blockLines(
        { ...item, entries: [{ ...first!, comment: undefined }, ...rest] },
        column + 2,
      );
      out.push(dash + inner[0]!.slice(column + 2), ...inner.slice(1));
    } else if ((item.kind === "map" || item.kind === "seq") && usesBlock(item)) {
      const childColumn = column + 2 + (item.indent ?? 0);
      out.push(`${pad(column)}-${item.anchor ? ` &${item.anchor}` : ""}`, ...blockLines(item, childColumn));
    } else if (item.kind === "scalar" && usesBlock(item)) {
      const lines = blockScalar(item, column + 2 + (item.indent ?? 0));
      out.push(dash + lines[0], ...lines.slice(1));
    } else {
      out.push(dash + inlineOf(item));
    }
  }
  return out;
}

function entryLines(head: string, value: YNode, column: number): string[] {
  if (value.kind === "alias" || !usesBlock(value)) return [`${head} ${inlineOf(value)}`];
  // Only collections and block scalars are left.
  if (value.kind === "scalar") {
    const lines = blockScalar(value, column + (value.indent ?? 2));
    return [`${head} ${lines[0]}`, ...lines.slice(1)];
  }
  const anchor = value.anchor ? ` &${value.anchor}` : "";
  const child = value.kind === "seq" && value.compact ? column : column + Math.max(1, value.indent ?? 2);
  return [`${head}${anchor}`, ...blockLines(value, child)];
}

/** Writes a document: a block mapping (or other node) at column 0. */
export function emitDocument(node: YNode, style: DocumentStyle = {}): string {
  const lines: string[] = [];
  if (style.header) for (const l of style.header.split("\n")) lines.push(`# ${l}`.trimEnd());
  if (style.documentStart) lines.push("---");
  if ((node.kind === "map" || node.kind === "seq") && usesBlock(node) && !node.anchor)
    lines.push(...blockLines(node, 0));
  else lines.push(inlineOf(node));
  const text = `${lines.join("\n")}\n`;
  return style.crlf ? text.replace(/\n/g, "\r\n") : text;
}

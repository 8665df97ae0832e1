import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/**
 * The YAML files a person writes for shipgate (shipgate.yml, smoke files) are read through
 * here, so that none of them costs more than linear time or ends in an internal error.
 */

/** Far above any real file: a shipgate.yml or smoke file is a few kilobytes, with tens of keys per mapping. */
export const YAML_FILE_LIMITS = { maxBytes: 1024 * 1024, maxEntries: 10_000 } as const;

export interface ParsedConfigYaml {
  doc: Document;
  lineCounter: LineCounter;
}

/**
 * The yaml package's own duplicate-key check compares every key with each one before it,
 * quadratic in the keys of a mapping; keys are checked by `keyProblems` instead.
 */
export function parseConfigYaml(text: string): ParsedConfigYaml {
  const lineCounter = new LineCounter();
  // prettyErrors off: positions are rendered by shipgate, as file:line:column like every error.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return { doc, lineCounter };
}

export type KeyProblem =
  | { kind: "duplicate-key" | "reserved-key"; key: string; node: Node }
  | { kind: "too-many-entries"; count: number; node: Node };

/**
 * In one pass over the document: keys a mapping repeats, keys named `__proto__` (which
 * plain-object code, zod's records included, drops or turns into a prototype), and mappings
 * or sequences with more than `maxEntries` entries. In document order.
 */
export function keyProblems(doc: Document, maxEntries: number): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const pending: unknown[] = [doc.contents];
  while (pending.length) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = pair.key.value;
          if (seen.has(key)) problems.push({ kind: "duplicate-key", key: String(key), node: pair.key });
          else if (key === "__proto__") problems.push({ kind: "reserved-key", key, node: pair.key });
          seen.add(key);
        } else pending.push(pair.key);
        pending.push(pair.value);
      }
      tooMany(node.items.length, node.items[maxEntries]?.key as Node | undefined);
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
      tooMany(node.items.length, node.items[maxEntries] as Node | undefined);
    }
  }
  return problems.sort((a, b) => (a.node.range?.[0] ?? 0) - (b.node.range?.[0] ?? 0));

  function tooMany(count: number, first: Node | undefined) {
    if (first) problems.push({ kind: "too-many-entries", count, node: first });
  }
}

/**
 * The document as plain data; undefined when its aliases expand past the yaml package's
 * budget (a "billion laughs" file: a few lines of nested aliases standing for billions of values).
 */
export function plainData(doc: Document): { data: unknown } | undefined {
  try {
    return { data: doc.toJS() };
  } catch (error) {
    if (isAliasBudgetError(error)) return undefined;
    throw error;
  }
}

/** What the yaml package throws when converting aliases would exceed its budget. */
export function isAliasBudgetError(error: unknown): boolean {
  return error instanceof ReferenceError && /alias/i.test(error.message);
}

/** The first alias in `root`: the place to point at when aliases expand too far. */
export function firstAlias(root: unknown): Node | undefined {
  const pending: unknown[] = [root];
  let first: Node | undefined;
  while (pending.length) {
    const node = pending.pop();
    if (isAlias(node) && (!first || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0))) first = node;
    else if (isMap(node)) for (const pair of node.items) pending.push(pair.key, pair.value);
    else if (isSeq(node)) for (const item of node.items) pending.push(item);
  }
  return first;
}

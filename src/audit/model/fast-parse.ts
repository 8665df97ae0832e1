import { load, YAMLException } from "js-yaml";
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import { type BlockSink, readBlockYaml } from "./block-parse.js";
import { AMP, BANG, BRACE, CR, DASH, GT, HASH, LBRACKET, LF, PIPE, PLUS, SPACE, TAB } from "./chars.js";

/**
 * Parses YAML with js-yaml — several times faster than composing a `yaml` Document — or, for
 * the plain block YAML most workflows are, with the faster reader in ./block-parse.ts, which
 * gives the same result or gives up. Both build the same node classes the `yaml` package uses
 * (maps, sequences, scalars, pairs, each with `range` = [start, valueEnd, nodeEnd] offsets),
 * so the audit model and every rule read one kind of tree. The rare texts whose js-yaml events
 * do not account for every value (aliases of collections, empty sequence items) are composed
 * by the `yaml` package instead. The ranges match the `yaml` package's on a generated corpus
 * of workflows in every style (test/audit/model/fast-parse.test.ts), and the two readers
 * match each other (test/audit/model/block-parse.test.ts).
 */

export interface ParseError {
  message: string;
  /** [start, end) offsets of the problem. */
  pos: [number, number];
  code: string;
}

export interface ParsedYaml {
  contents: Node | null;
  errors: ParseError[];
}

const NODE_TYPE = Symbol.for("yaml.node.type");
const MAP_TYPE = Symbol.for("yaml.map");
const SEQ_TYPE = Symbol.for("yaml.seq");
const SCALAR_TYPE = Symbol.for("yaml.scalar");
const PAIR_TYPE = Symbol.for("yaml.pair");
type Range = [number, number, number];

/**
 * The yaml package's constructors define a property per node; these classes set the same
 * fields with plain assignments, in one fixed order (one hidden class per kind), and inherit
 * the yaml package's prototypes, so isMap/isScalar/… and the methods work on them at a fraction
 * of the cost, which matters at thousands of nodes per second.
 */
class FastScalar {
  [NODE_TYPE] = SCALAR_TYPE;
  constructor(
    public value: unknown,
    public range: Range,
  ) {}
}
class FastPair {
  [NODE_TYPE] = PAIR_TYPE;
  constructor(
    public key: Node | undefined,
    public value: Node | undefined,
  ) {}
}
/**
 * Collections answer toJSON from the value js-yaml already built, instead of rebuilding it;
 * from the block reader, which builds none, they build it from their nodes when first asked
 * (the same plain objects and arrays js-yaml makes).
 */
class FastMap {
  [NODE_TYPE] = MAP_TYPE;
  constructor(
    public items: Pair<Node, Node>[],
    public flow: boolean,
    public range: Range,
    private json: unknown,
  ) {}
  toJSON(): unknown {
    if (this.json === undefined) {
      const out: Record<string, unknown> = {};
      for (const pair of this.items) {
        const key = String((pair.key as Scalar).value);
        // As js-yaml does: a `__proto__` key is a key, not the object's prototype.
        if (key === "__proto__")
          Object.defineProperty(out, key, {
            value: jsonOf(pair.value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[key] = jsonOf(pair.value);
      }
      this.json = out;
    }
    return this.json;
  }
}
class FastSeq {
  [NODE_TYPE] = SEQ_TYPE;
  constructor(
    public items: Node[],
    public flow: boolean,
    public range: Range,
    private json: unknown,
  ) {}
  toJSON(): unknown {
    this.json ??= this.items.map(jsonOf);
    return this.json;
  }
}

function jsonOf(node: Node | null | undefined): unknown {
  if (node instanceof FastScalar) return node.value;
  return node instanceof FastMap || node instanceof FastSeq ? node.toJSON() : null;
}
Object.setPrototypeOf(FastScalar.prototype, Scalar.prototype);
Object.setPrototypeOf(FastPair.prototype, Pair.prototype);
Object.setPrototypeOf(FastMap.prototype, YAMLMap.prototype);
Object.setPrototypeOf(FastSeq.prototype, YAMLSeq.prototype);

function scalar(value: unknown, range: Range): Scalar {
  return new FastScalar(value, range) as unknown as Scalar;
}

const NO_CHILDREN: Node[] = [];

/** Builds the nodes of the block-YAML reader with the same ranges as those from js-yaml's events. */
const BLOCK_SINK = (text: string): BlockSink<Node> => ({
  node: (open, kind, children, result, close) =>
    build(text, open, children.length ? children : NO_CHILDREN, kind, result, close),
});

/**
 * Thrown by build() when the nodes made from the parser's events do not account for the
 * value it built: js-yaml composes no node for some empty values (`- ` with nothing after
 * it, an explicit `? key` without a value) and merges `<<` keys into the value, so pairing
 * children in order would put values under the wrong keys.
 */
const INCONSISTENT = new Error("the events do not account for the value");

export function parseYaml(text: string, options: { fullParser?: boolean } = {}): ParsedYaml {
  // js-yaml drops a leading byte-order mark before it counts positions; count from the file's
  // first character instead, so that a finding in a file saved with a BOM points where it is.
  if (text.charCodeAt(0) === BOM) return shifted(parseYamlWithoutBom(text.slice(1), options), 1);
  return parseYamlWithoutBom(text, options);
}

const BOM = 0xfeff;

function shifted(parsed: ParsedYaml, by: number): ParsedYaml {
  const seen = new Set<Node>();
  const visit = (node: Node | null | undefined): void => {
    if (!node || seen.has(node)) return;
    seen.add(node);
    if (node.range) node.range = node.range.map((at) => at + by) as Range;
    if (isMap(node)) {
      for (const pair of node.items) {
        visit(pair.key as Node);
        visit(pair.value as Node);
      }
    } else if (isSeq(node)) for (const item of node.items) visit(item as Node);
  };
  visit(parsed.contents);
  return {
    contents: parsed.contents,
    errors: parsed.errors.map((e) => ({ ...e, pos: [e.pos[0] + by, e.pos[1] + by] })),
  };
}

function parseYamlWithoutBom(text: string, options: { fullParser?: boolean }): ParsedYaml {
  // Most workflows are plain block YAML, which a dedicated reader takes in a fraction of
  // js-yaml's time; anything else goes to js-yaml (see ./block-parse.ts).
  try {
    const block = options.fullParser ? undefined : readBlockYaml(text, BLOCK_SINK(text));
    if (block) return { contents: block, errors: [] };
  } catch (error) {
    if (error !== INCONSISTENT) throw error;
  }
  try {
    return parseWithJsYaml(text);
  } catch (error) {
    if (error !== INCONSISTENT) throw error;
    return parseWithReferenceParser(text);
  }
}

/**
 * The yaml package's own composer: slower, but it makes a node for everything, so it takes
 * the rare texts whose js-yaml events leave values without nodes or stand an alias for a
 * collection. Its tree is rebuilt from this module's node classes, with every alias replaced
 * by the node it names (as GitHub reads them), so rules see one kind of tree.
 */
function parseWithReferenceParser(text: string): ParsedYaml {
  const doc = parseDocument(text, { uniqueKeys: false });
  const errors: ParseError[] = doc.errors.map((e) => ({
    message: e.message,
    pos: [e.pos[0], e.pos[1]],
    code: "syntax",
  }));
  if (errors.length) return { contents: null, errors };
  const resolving = new Set<Node>();
  // Aliases are expanded into copies; a few lines of nested aliases can stand for billions of
  // nodes, so the copies are counted.
  let budget = MAX_EXPANDED_NODES;
  const convert = (node: unknown): Node => {
    if (--budget < 0) throw ALIAS_BOMB;
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      // An alias to itself or to an anchor not yet defined reads as null, as js-yaml rejects it.
      if (!target || resolving.has(target)) return scalar(null, rangeOf(node));
      resolving.add(target);
      try {
        return convert(target);
      } finally {
        resolving.delete(target);
      }
    }
    const range = rangeOf(node);
    if (isMap(node)) {
      const items = node.items.map(
        (pair) =>
          new FastPair(
            pair.key == null ? scalar(null, range) : convert(pair.key),
            pair.value == null ? emptyScalar(pair.key as Node | undefined) : convert(pair.value),
          ) as unknown as Pair<Node, Node>,
      );
      return new FastMap(items, Boolean(node.flow), range, undefined) as unknown as YAMLMap;
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => (item == null ? scalar(null, range) : convert(item)));
      return new FastSeq(items, Boolean(node.flow), range, undefined) as unknown as YAMLSeq;
    }
    return scalar(isScalar(node) ? node.value : null, range);
  };
  try {
    return { contents: doc.contents == null ? null : convert(doc.contents), errors: [] };
  } catch (error) {
    if (error !== ALIAS_BOMB) throw error;
    const at = text.search(/[*&]/);
    return {
      contents: null,
      errors: [
        {
          message: `its aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString("en")} nodes; write the repeated parts out or share fewer levels`,
          pos: [Math.max(0, at), Math.max(0, at) + 1],
          code: "alias-expansion",
        },
      ],
    };
  }
}

const MAX_EXPANDED_NODES = 200_000;
const ALIAS_BOMB = new Error("alias expansion over budget");

function rangeOf(node: unknown): Range {
  const range = (node as { range?: Range }).range;
  return range ? [range[0], range[1], range[2]] : [0, 0, 0];
}

function parseWithJsYaml(text: string): ParsedYaml {
  // Open nodes: where each starts, and its children so far (created on the first child, since
  // most nodes are scalars and have none).
  const starts: number[] = [];
  const children: Array<Node[] | null> = [];
  let root: Node | null = null;
  try {
    load(text, {
      filename: "workflow.yml",
      listener(event, state) {
        if (event === "open") {
          starts.push(state.position);
          children.push(null);
          return;
        }
        const node = build(
          text,
          starts.pop()!,
          children.pop() ?? NO_CHILDREN,
          state.kind,
          state.result,
          state.position,
        );
        const depth = children.length;
        if (depth === 0) root = node;
        else {
          const siblings = children[depth - 1];
          if (siblings) siblings.push(node);
          else children[depth - 1] = [node];
        }
      },
    });
  } catch (error) {
    if (error instanceof YAMLException) {
      const at = error.mark?.position ?? 0;
      return {
        contents: null,
        errors: [
          {
            message: error.reason ?? error.message,
            pos: [at, Math.min(text.length, at + 1)],
            code: "syntax",
          },
        ],
      };
    }
    throw error;
  }
  return { contents: root, errors: [] };
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

function skipLeading(text: string, at: number, keepDash = false): number {
  let i = at;
  const n = text.length;
  for (;;) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    if (c === HASH) {
      while (i < n && text.charCodeAt(i) !== LF) i++;
      continue;
    }
    // Sequence indicator of a block item, anchors and tags before the node itself.
    if (!keepDash && c === DASH && (text.charCodeAt(i + 1) === SPACE || text.charCodeAt(i + 1) === LF)) {
      i++;
      continue;
    }
    if (c === AMP || c === BANG) {
      while (i < n && !isBlank(text.charCodeAt(i))) i++;
      continue;
    }
    return i;
  }
}

function trimTrailing(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && isBlank(text.charCodeAt(e - 1))) e--;
  return e;
}

function build(
  text: string,
  open: number,
  kids: Node[],
  kind: string | null,
  result: unknown,
  close: number,
): Node {
  // A block sequence starts at its first "-", like the yaml package's ranges.
  const start = skipLeading(text, open, kind === "sequence");
  if (kind === "mapping") {
    const items: Pair<Node, Node>[] = [];
    // A flow-mapping key without a value (`{ a }`) composes no value node.
    for (let i = 0; i < kids.length; i += 2) {
      items.push(new FastPair(kids[i], kids[i + 1] ?? emptyScalar(kids[i])) as unknown as Pair<Node, Node>);
    }
    if (!accountsForMap(items, result)) throw INCONSISTENT;
    const flow = text.charCodeAt(start) === BRACE;
    const end = collectionEnd(text, kids, start, flow, "}");
    return new FastMap(items, flow, [start, end, end], result) as unknown as YAMLMap;
  }
  if (kind === "sequence") {
    if (!accountsForSeq(kids, result)) throw INCONSISTENT;
    const flow = text.charCodeAt(start) === LBRACKET;
    const end = collectionEnd(text, kids, start, flow, "]");
    return new FastSeq(
      kids === NO_CHILDREN ? [] : kids,
      flow,
      [start, end, end],
      result,
    ) as unknown as YAMLSeq;
  }
  // An alias to a collection: js-yaml hands over the value with no nodes; let the reference
  // parser build them.
  if (result !== null && typeof result === "object" && !(result instanceof Date)) throw INCONSISTENT;
  // js-yaml reads a text without a final line break as if it had one: end inside the text.
  let end = Math.max(start, trimTrailing(text, start, Math.min(close, text.length)));
  // A block scalar's range ends after its last line break (CRLF included); with the keep
  // indicator (`|+`), after the blank lines it keeps as well.
  const first = text.charCodeAt(start);
  if (first === PIPE || first === GT) end = blockScalarEnd(text, start, end);
  // An empty value (`key:` with nothing after it) has an empty range where the value would be.
  return scalar(result ?? null, result === null && end <= start ? [start, start, start] : [start, end, end]);
}

function lineBreakAt(text: string, at: number): number {
  if (text.charCodeAt(at) === LF) return 1;
  return text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? 2 : 0;
}

function blockScalarEnd(text: string, start: number, contentEnd: number): number {
  let end = contentEnd + lineBreakAt(text, contentEnd);
  let header = start + 1;
  while (header < text.length && !isBlank(text.charCodeAt(header)) && text.charCodeAt(header) !== HASH) {
    if (text.charCodeAt(header) === PLUS) {
      // Keep: every following line that holds only blanks is part of the value.
      for (;;) {
        let i = end;
        while (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB) i++;
        const br = lineBreakAt(text, i);
        if (!br) break;
        end = i + br;
      }
      break;
    }
    header++;
  }
  return end;
}

/** The value a child node stands for, by identity for collections (js-yaml shares them). */
function valueIdentity(node: Node | null | undefined): unknown {
  if (node instanceof FastScalar) return node.value;
  if (node instanceof FastMap || node instanceof FastSeq) return (node as unknown as { json: unknown }).json;
  return undefined;
}

function accountsForMap(items: Pair<Node, Node>[], result: unknown): boolean {
  // The block reader passes no result (it builds values lazily); js-yaml always does.
  if (result === undefined) return true;
  if (typeof result !== "object" || result === null || Array.isArray(result)) return false;
  if (Object.keys(result).length !== items.length) return false;
  for (const pair of items) {
    const key = String((pair.key as unknown as FastScalar | undefined)?.value ?? null);
    if (!Object.hasOwn(result, key)) return false;
    if (!Object.is((result as Record<string, unknown>)[key], valueIdentity(pair.value))) return false;
  }
  return true;
}

function accountsForSeq(kids: Node[], result: unknown): boolean {
  if (result === undefined) return true;
  if (!Array.isArray(result) || result.length !== kids.length) return false;
  for (let i = 0; i < kids.length; i++) if (!Object.is(result[i], valueIdentity(kids[i]))) return false;
  return true;
}

function collectionEnd(text: string, kids: Node[], start: number, flow: boolean, closer: string): number {
  const lastEnd = kids.length ? (kids[kids.length - 1]!.range?.[1] ?? start) : start;
  return flow ? text.indexOf(closer, lastEnd) + 1 : lastEnd;
}

function emptyScalar(after: Node | undefined): Scalar {
  const at = after?.range?.[1] ?? 0;
  return scalar(null, [at, at, at]);
}

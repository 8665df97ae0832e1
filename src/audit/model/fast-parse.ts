import { load, YAMLException } from "js-yaml";
import { type Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { type BlockSink, readBlockYaml } from "./block-parse.js";
import { AMP, BANG, BRACE, CR, DASH, GT, HASH, LBRACKET, LF, PIPE, SPACE, TAB } from "./chars.js";

/**
 * Parses YAML with js-yaml — several times faster than composing a `yaml` Document — or, for
 * the plain block YAML most workflows are, with the faster reader in ./block-parse.ts, which
 * gives the same result or gives up. Both build the same node classes the `yaml` package uses
 * (maps, sequences, scalars, pairs, each with `range` = [start, valueEnd, nodeEnd] offsets),
 * so the audit model and every rule read one kind of tree. The ranges match the `yaml`
 * package's on the starter-workflows corpus (see test/audit/model/fast-parse.test.ts), and the
 * two readers match each other (test/audit/model/block-parse.test.ts).
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
      for (const pair of this.items) out[String((pair.key as Scalar).value)] = jsonOf(pair.value);
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

export function parseYaml(text: string, options: { fullParser?: boolean } = {}): ParsedYaml {
  // Most workflows are plain block YAML, which a dedicated reader takes in a fraction of
  // js-yaml's time; anything else goes to js-yaml (see ./block-parse.ts).
  const block = options.fullParser ? undefined : readBlockYaml(text, BLOCK_SINK(text));
  if (block) return { contents: block, errors: [] };
  return parseWithJsYaml(text);
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
    const flow = text.charCodeAt(start) === BRACE;
    const end = collectionEnd(text, kids, start, flow, "}");
    return new FastMap(items, flow, [start, end, end], result) as unknown as YAMLMap;
  }
  if (kind === "sequence") {
    const flow = text.charCodeAt(start) === LBRACKET;
    const end = collectionEnd(text, kids, start, flow, "]");
    return new FastSeq(
      kids === NO_CHILDREN ? [] : kids,
      flow,
      [start, end, end],
      result,
    ) as unknown as YAMLSeq;
  }
  let end = Math.max(start, trimTrailing(text, start, close));
  // A block scalar's range ends after its last line break.
  const first = text.charCodeAt(start);
  if ((first === PIPE || first === GT) && text.charCodeAt(end) === LF) end += 1;
  // An empty value (`key:` with nothing after it) has an empty range where the value would be.
  return scalar(result ?? null, result === null && end <= start ? [start, start, start] : [start, end, end]);
}

function collectionEnd(text: string, kids: Node[], start: number, flow: boolean, closer: string): number {
  const lastEnd = kids.length ? (kids[kids.length - 1]!.range?.[1] ?? start) : start;
  return flow ? text.indexOf(closer, lastEnd) + 1 : lastEnd;
}

function emptyScalar(after: Node | undefined): Scalar {
  const at = after?.range?.[1] ?? 0;
  return scalar(null, [at, at, at]);
}

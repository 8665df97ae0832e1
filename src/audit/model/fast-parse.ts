import { load, YAMLException } from "js-yaml";
import { type Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

/**
 * Parses YAML with js-yaml — several times faster than composing a `yaml` Document — and
 * builds the same node classes the `yaml` package uses (maps, sequences, scalars, pairs, each
 * with `range` = [start, valueEnd, nodeEnd] offsets), so the audit model and every rule read
 * one kind of tree. The ranges match the `yaml` package's on the starter-workflows corpus
 * (see test/audit/model/fast-parse.test.ts).
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

/**
 * The yaml package's constructors define a property per node; building from the prototypes
 * with plain assignments gives the same objects (isMap/isScalar/… and their methods work)
 * at a fraction of the cost, which matters at thousands of nodes per second.
 */
function make<T extends object>(proto: T, type: symbol, fields: Record<string, unknown>): T {
  const node = Object.create(proto) as Record<string | symbol, unknown>;
  node[NODE_TYPE] = type;
  Object.assign(node, fields);
  return node as T;
}
const typeOf = (node: object) => (node as Record<symbol, symbol>)[NODE_TYPE]!;
const MAP_TYPE = typeOf(new YAMLMap());
const SEQ_TYPE = typeOf(new YAMLSeq());
const SCALAR_TYPE = typeOf(new Scalar(null));
const PAIR_TYPE = typeOf(new Pair(null));

function scalar(value: unknown, range: [number, number, number]): Scalar {
  return make(Scalar.prototype, SCALAR_TYPE, { value, range });
}

function pair(key: Node | undefined, value: Node | undefined): Pair<Node, Node> {
  return make(Pair.prototype, PAIR_TYPE, { key, value }) as Pair<Node, Node>;
}

interface Frame {
  start: number;
  children: Node[];
}

export function parseYaml(text: string): ParsedYaml {
  const stack: Frame[] = [];
  let root: Node | null = null;
  try {
    load(text, {
      filename: "workflow.yml",
      listener(event, state) {
        if (event === "open") {
          stack.push({ start: state.position, children: [] });
          return;
        }
        const frame = stack.pop()!;
        const node = build(text, frame, state.kind, state.result, state.position);
        if (stack.length) stack[stack.length - 1]!.children.push(node);
        else root = node;
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

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;
const DASH = 45;
const AMP = 38;
const BANG = 33;

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

function build(text: string, frame: Frame, kind: string | null, result: unknown, close: number): Node {
  // A block sequence starts at its first "-", like the yaml package's ranges.
  const start = skipLeading(text, frame.start, kind === "sequence");
  if (kind === "mapping") {
    const items: Pair<Node, Node>[] = [];
    // A flow-mapping key without a value (`{ a }`) composes no value node.
    for (let i = 0; i < frame.children.length; i += 2) {
      items.push(pair(frame.children[i], frame.children[i + 1] ?? emptyScalar(frame.children[i])));
    }
    const map = make(YAMLMap.prototype, MAP_TYPE, { items, flow: text[start] === "{" }) as YAMLMap;
    const last = frame.children[frame.children.length - 1];
    const end = map.flow ? text.indexOf("}", last?.range?.[1] ?? start) + 1 : (last?.range?.[1] ?? start);
    map.range = [start, end, end];
    return withJson(map, result);
  }
  if (kind === "sequence") {
    const seq = make(YAMLSeq.prototype, SEQ_TYPE, {
      items: frame.children,
      flow: text[start] === "[",
    }) as YAMLSeq;
    const last = frame.children[frame.children.length - 1];
    const end = seq.flow ? text.indexOf("]", last?.range?.[1] ?? start) + 1 : (last?.range?.[1] ?? start);
    seq.range = [start, end, end];
    return withJson(seq, result);
  }
  let end = Math.max(start, trimTrailing(text, start, close));
  // A block scalar's range ends after its last line break.
  if ((text[start] === "|" || text[start] === ">") && text[end] === "\n") end += 1;
  // An empty value (`key:` with nothing after it) has an empty range where the value would be.
  return scalar(result ?? null, result === null && end <= start ? [start, start, start] : [start, end, end]);
}

function emptyScalar(after: Node | undefined): Scalar {
  const at = after?.range?.[1] ?? 0;
  return scalar(null, [at, at, at]);
}

/** Collections answer toJSON from the value js-yaml already built, instead of rebuilding it. */
function withJson<T extends YAMLMap | YAMLSeq>(node: T, result: unknown): T {
  Object.defineProperty(node, "toJSON", { value: () => result, enumerable: false });
  return node;
}

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import type { SourceLocation } from "../errors.js";

export type ConfigPath = ReadonlyArray<PropertyKey>;

/** Where a path of the parsed document sits in the source text. */
export interface Located {
  /** The node at the end of the path, or the deepest node that exists on the way. */
  node: Node | null;
  /** The key of the last mapping pair on the way, when the path ends in a mapping. */
  key: Node | null;
  /** Whether every segment of the path exists in the file (false: a default or a missing key). */
  exact: boolean;
}

/** Maps config paths (as zod reports them) back to 1-based positions in the YAML source. */
export class YamlLocator {
  private readonly doc: Document;
  private readonly lineCounter: LineCounter;
  private readonly file: string;
  private readonly source: string;
  /** Each mapping's pairs by key, built when first searched: a file with thousands of problems is located in linear time. */
  private readonly byKey = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(options: { doc: Document; lineCounter: LineCounter; file: string; source: string }) {
    this.doc = options.doc;
    this.lineCounter = options.lineCounter;
    this.file = options.file;
    this.source = options.source;
  }

  find(path: ConfigPath): Located {
    let node = (this.doc.contents as Node | null) ?? null;
    let key: Node | null = null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(segment));
        if (!pair) return { node, key, exact: false };
        key = (pair.key as Node | null) ?? null;
        node = (pair.value as Node | null) ?? null;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment] as Node | undefined;
        if (!item) return { node, key, exact: false };
        key = null;
        node = item;
      } else {
        return { node, key, exact: false };
      }
    }
    return { node, key, exact: true };
  }

  /** Position of the key of the pair at `path` (e.g. an unknown key), else of its value. */
  keyAt(path: ConfigPath): SourceLocation {
    const found = this.find(path);
    if (found.exact && found.key) return this.at(found.key);
    return this.valueAt(path);
  }

  /**
   * Position of the value at `path`. An empty value (`target:` with nothing after it) has no
   * text of its own, so the error points at its key instead.
   */
  valueAt(path: ConfigPath): SourceLocation {
    const found = this.find(path);
    if (found.node && !isEmpty(found.node)) return this.at(found.node);
    if (found.key) return this.at(found.key);
    return this.offset(0);
  }

  /** The value at `path` exactly as written in the source (3.10 stays 3.10), when it is a scalar. */
  textAt(path: ConfigPath): string | undefined {
    const found = this.find(path);
    if (!found.exact || !isScalar(found.node) || !found.node.range) return undefined;
    return this.source.slice(found.node.range[0], found.node.range[1]).trim();
  }

  /** Position of the text at `offset` in the source. */
  offset(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.byKey.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const name = keyName(pair);
        // The first of duplicate keys, as a search from the start would find.
        if (name !== undefined && !index.has(name)) index.set(name, pair);
      }
      this.byKey.set(map, index);
    }
    return index;
  }

  private at(node: Node): SourceLocation {
    return this.offset(node.range?.[0] ?? 0);
  }
}

function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function isEmpty(node: Node): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

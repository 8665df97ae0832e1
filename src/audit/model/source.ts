import { isMap, isScalar, isSeq, type Node } from "yaml";
import { type ParsedYaml, parseYaml } from "./fast-parse.js";

/** A 1-based region of a file: where a finding points. */
export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** One parsed YAML file, with what it takes to turn node offsets into lines and columns. */
export class SourceFile {
  private parsed: ParsedYaml | undefined;
  /** Offset at which each line starts, for offset → line/column by binary search. */
  private starts: number[] | undefined;
  /** How much of each node regionIn has read. */
  private readonly read = new WeakMap<Node, number>();

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** The parsed document, parsed on first use (positions alone need no parse). */
  get doc(): ParsedYaml {
    this.parsed ??= parseYaml(this.text);
    return this.parsed;
  }

  private get lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** The region of a node's value (without its trailing comment). */
  region(node: Node | null | undefined): Region {
    const range = node?.range ?? [0, 0, 0];
    return this.regionOf(range[0], range[1]);
  }

  regionOf(start: number, end: number): Region {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
  }

  /**
   * The region of `needle` inside a scalar's source text (a line of a `run:` script, say).
   * Falls back to the whole scalar when the text cannot be found verbatim (escaped strings).
   */
  regionIn(node: Node | null | undefined, needle: string): Region {
    if (node?.range) {
      const [start, end] = node.range;
      // Searched within the node, and within a budget per node: a script whose findings are
      // not written verbatim (quoted, escaped) would otherwise be read once per finding.
      const read = this.read.get(node) ?? 0;
      if (read <= searchBudget(end - start)) {
        const index = this.text.slice(start, end).indexOf(needle);
        this.read.set(node, read + (index < 0 ? end - start : index + needle.length));
        if (index >= 0) return this.regionOf(start + index, start + index + needle.length);
      }
    }
    return this.region(node);
  }

  /** Text of the given 1-based line, without its newline. */
  line(n: number): string {
    const start = this.lineStarts[n - 1];
    if (start === undefined) return "";
    const end = this.lineStarts[n];
    return this.text.slice(start, end === undefined ? this.text.length : end - 1);
  }
}

/**
 * How many characters the searches for findings' text may read in a scalar of `size`: many
 * times its size, and a megabyte whatever its size, so that only inputs built to be slow run
 * out, and then fall back to pointing at the whole scalar.
 */
export function searchBudget(size: number): number {
  return 32 * size + 1024 * 1024;
}

export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export { isMap, isScalar, isSeq };

import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** A 1-based region of a file: where a finding points. */
export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** One parsed YAML file, with what it takes to turn node offsets into lines and columns. */
export class SourceFile {
  readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, keepSourceTokens: false, uniqueKeys: false });
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
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
      const index = this.text.indexOf(needle, node.range[0]);
      if (index >= 0 && index < node.range[1]) return this.regionOf(index, index + needle.length);
    }
    return this.region(node);
  }

  /** Text of the given 1-based line, without its newline. */
  line(n: number): string {
    return this.text.split("\n")[n - 1] ?? "";
  }
}

export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export { isMap, isScalar, isSeq };

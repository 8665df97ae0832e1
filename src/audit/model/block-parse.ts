import { DEFAULT_SCHEMA, type Type } from "js-yaml";
import {
  BACKSLASH,
  COLON,
  COMMA,
  DASH,
  DQUOTE,
  GT,
  HASH,
  LBRACE,
  LBRACKET,
  LF,
  PIPE,
  RBRACE,
  RBRACKET,
  SPACE,
  SQUOTE,
} from "./chars.js";

/**
 * A reader for the plain block YAML most workflow files are written in: block mappings and
 * sequences indented with spaces, one-line plain and quoted scalars, `|`/`>` block scalars and
 * one-line flow sequences of such scalars. It produces what js-yaml would (the same values,
 * the same typed scalars, the same errors by never deciding one itself) through the same
 * events, several times faster, because it does not have to handle the rest of YAML: on
 * anything else (tabs, anchors, tags, multi-line flow or plain scalars, escapes, duplicate
 * keys, control characters, …) it gives up and the caller parses the file with js-yaml.
 */

/**
 * Builds each node from what js-yaml's listener would see when it closes: where it opened,
 * its kind, its children (keys and values alternating, for a mapping), its value and where it
 * closed.
 */
export interface BlockSink<N> {
  node(
    open: number,
    kind: "mapping" | "sequence" | "scalar",
    children: N[],
    result: unknown,
    close: number,
  ): N;
}

interface Read<N> {
  node: N;
  /** The start of the line from which to look for the next content line. */
  next: number;
}

/** Thrown (and caught by `readBlockYaml`) when the text needs the full parser. */
const GIVE_UP = new Error("needs the full YAML parser");

function giveUp(): never {
  throw GIVE_UP;
}

/** Characters that cannot start a plain scalar (js-yaml's readPlainScalar). */
function cannotStartPlain(c: number): boolean {
  return (
    c === SPACE ||
    c === LF ||
    c === COMMA ||
    c === LBRACKET ||
    c === RBRACKET ||
    c === 123 /* { */ ||
    c === 125 /* } */ ||
    c === HASH ||
    c === 38 /* & */ ||
    c === 42 /* * */ ||
    c === 33 /* ! */ ||
    c === PIPE ||
    c === GT ||
    c === SQUOTE ||
    c === DQUOTE ||
    c === 37 /* % */ ||
    c === 64 /* @ */ ||
    c === 96 /* ` */ ||
    Number.isNaN(c)
  );
}

const MERGE = "tag:yaml.org,2002:merge";
/** js-yaml's implicit types, in the order it tries them on a plain scalar. */
const IMPLICIT = (DEFAULT_SCHEMA as unknown as { compiledImplicit: Array<Type & { tag: string }> })
  .compiledImplicit;

const MAY_BE_TYPED = new Uint8Array(128);
for (const c of "~nNtTfF0123456789+-._<") MAY_BE_TYPED[c.charCodeAt(0)] = 1;

/** What js-yaml makes of a plain scalar: null, a boolean, a number, a date or the string. */
function resolvePlain(text: string): unknown {
  // Only these can start a null, boolean, number, timestamp or merge key; the rest are strings.
  if (!MAY_BE_TYPED[text.charCodeAt(0)]) return text;
  for (const type of IMPLICIT) {
    if (type.resolve(text)) {
      // `<<` (a merge key) is the full parser's business.
      if (type.tag === MERGE) giveUp();
      return type.construct(text);
    }
  }
  return text;
}

/** Reads `text` if it is in the subset; returns its root node, or undefined when it is not. */
export function readBlockYaml<N>(text: string, sink: BlockSink<N>): N | undefined {
  const n = text.length;
  // js-yaml reads a text without a final line break as if it had one, positions included.
  if (text.charCodeAt(n - 1) !== LF || NOT_PLAIN.test(text)) return undefined;
  try {
    return new BlockReader(text, sink).document();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

const NONE: never[] = [];

/** Half js-yaml's own nesting limit (100), so that near it js-yaml decides. */
const MAX_DEPTH = 50;

/**
 * What the reader leaves to js-yaml: tabs, carriage returns and other control characters,
 * what js-yaml rejects as non-printable (the same set as its check, unpaired surrogates
 * included), byte-order marks and the Unicode line separators. Other text (accents, emoji)
 * is content like any other.
 */
const NOT_PLAIN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

class BlockReader<N> {
  private readonly n: number;

  constructor(
    private readonly text: string,
    private readonly sink: BlockSink<N>,
  ) {
    this.n = text.length;
  }

  document(): N {
    let first = this.nextContentLine(0);
    if (first >= this.n || this.lastIndent !== 0) giveUp();
    let open = 0;
    // One document-start marker on a line of its own (a comment may follow it).
    if (this.text.startsWith("---", first) && isBreak(this.text, first + 3)) {
      open = this.endOfLine(first + 3);
      first = this.nextContentLine(open);
      if (first >= this.n || this.lastIndent !== 0) giveUp();
    }
    const c = this.text.charCodeAt(first);
    // Directives, more document markers and a top-level sequence or scalar: not workflows.
    if (c === 37 /* % */ || c === DASH || this.text.startsWith("...", first)) giveUp();
    const root = this.mapping(0, first, open, 0);
    if (root.next < this.n) giveUp();
    return root.node;
  }

  /** Offset of the first character of the line holding `at`. */
  private lineStart(at: number): number {
    return this.text.lastIndexOf("\n", at - 1) + 1;
  }

  /** The indentation of the line `nextContentLine` last found. */
  private lastIndent = 0;

  /**
   * From a line start, skips blank and comment-only lines; returns the offset of the first
   * non-space character of the next content line (its indentation in `lastIndent`), or the
   * text length.
   */
  private nextContentLine(from: number): number {
    const { text, n } = this;
    let i = from;
    while (i < n) {
      let j = i;
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      const c = text.charCodeAt(j);
      if (j < n && c !== LF && c !== HASH) {
        this.lastIndent = j - i;
        return j;
      }
      const nl = text.indexOf("\n", j);
      if (nl < 0) return n;
      i = nl + 1;
    }
    return n;
  }

  /** After a value on a line: only spaces and a comment may follow. Returns the next line's start. */
  private endOfLine(at: number): number {
    const { text, n } = this;
    let i = at;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    if (i >= n) return n;
    const c = text.charCodeAt(i);
    if (c === HASH && i > at) {
      const nl = text.indexOf("\n", i);
      return nl < 0 ? n : nl + 1;
    }
    if (c !== LF) giveUp();
    return i + 1;
  }

  /** The start of the line after the one holding `at`, or the text length. */
  private skipLine(at: number): number {
    const nl = this.text.indexOf("\n", at);
    return nl < 0 ? this.n : nl + 1;
  }

  /** Where the plain key starting at `key` ends with `: ` or a colon at the line end, or -1. */
  private keyColon(key: number): number {
    const { text, n } = this;
    const c = text.charCodeAt(key);
    if (cannotStartPlain(c)) return -1;
    if (c === DASH || c === 63 /* ? */ || c === COLON) {
      if (isBreak(text, key + 1)) return -1;
    }
    for (let i = key; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d === LF) return -1;
      if (d === COLON) {
        if (isBreak(text, i + 1)) return i;
      } else if (d === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** Whether a mapping key (plain, or quoted and followed by a colon) starts at `at`. */
  private startsKey(at: number): boolean {
    const q = this.text.charCodeAt(at);
    if (q !== SQUOTE && q !== DQUOTE) return this.keyColon(at) >= 0;
    const end = this.scalar(at, false).end;
    return this.text.charCodeAt(end) === COLON && isBreak(this.text, end + 1);
  }

  /**
   * A block mapping whose keys sit at column `indent`; `at` is the first key and `open` where
   * js-yaml would open the node; `depth` counts the collections it is nested in.
   */
  private mapping(indent: number, at: number, open: number, depth: number): Read<N> {
    const { text, n } = this;
    // Deeper than workflows go, and recursion's stack must not run out: js-yaml decides.
    if (depth > MAX_DEPTH) giveUp();
    const names = new Set<string>();
    const children: N[] = [];
    let key = at;
    for (;;) {
      let colon: number;
      let keyValue: unknown;
      const q = text.charCodeAt(key);
      if (q === SQUOTE || q === DQUOTE) {
        // A quoted key (`'on':`): the colon must follow the closing quote.
        const quoted = this.scalar(key, false);
        if (text.charCodeAt(quoted.end) !== COLON || !isBreak(text, quoted.end + 1)) giveUp();
        colon = quoted.end;
        keyValue = quoted.value;
      } else {
        colon = this.keyColon(key);
        if (colon < 0 || colon - key > 1000) giveUp();
        keyValue = resolvePlain(text.slice(key, trimEnd(text, key, colon)));
      }
      if (keyValue !== null && typeof keyValue === "object") giveUp();
      const name = String(keyValue);
      if (name === "__proto__" || names.has(name)) giveUp(); // js-yaml decides these
      names.add(name);
      children.push(this.sink.node(key, "scalar", NONE, keyValue, colon));
      const value = this.value(indent, colon + 1, depth + 1);
      children.push(value.node);
      // The next key, or the end of this mapping.
      const line = this.nextContentLine(value.next);
      if (line >= n || this.lastIndent < indent) {
        // Its value (toJSON) is built from the nodes when someone asks for it.
        const node = this.sink.node(open, "mapping", children, undefined, line);
        return { node, next: line >= n ? n : line - this.lastIndent };
      }
      if (this.lastIndent > indent) giveUp();
      key = line;
    }
  }

  /** The value after a mapping key's colon (`at`), for a mapping at column `indent`. */
  private value(indent: number, at: number, depth: number): Read<N> {
    const { text, n } = this;
    let i = at;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    const c = text.charCodeAt(i);
    if (i < n && c !== LF && !(c === HASH && i > at)) return this.inlineValue(indent, at, i, false);
    // The value is on the lines below, or there is none.
    const lineAfter = i >= n ? n : c === LF ? i + 1 : this.skipLine(i);
    const line = this.nextContentLine(lineAfter);
    const lineIndent = line < n ? this.lastIndent : -1;
    if (line < n && lineIndent > indent) {
      if (text.charCodeAt(line) === DASH && isBreak(text, line + 1))
        return this.sequence(lineIndent, line, at, false, depth);
      return this.mapping(lineIndent, line, at, depth);
    }
    // A sequence may sit at its key's own indentation (`steps:` then `- run: …`).
    if (line < n && lineIndent === indent && text.charCodeAt(line) === DASH && isBreak(text, line + 1))
      return this.sequence(lineIndent, line, at, true, depth);
    return { node: this.sink.node(at, "scalar", NONE, null, at), next: lineAfter };
  }

  /**
   * A value that starts on the line at `i`: a scalar, a block scalar or a one-line flow
   * sequence. The line after it must not be indented deeper than `indent` (that would
   * continue a plain scalar over several lines).
   */
  private inlineValue(indent: number, open: number, i: number, inSequence: boolean): Read<N> {
    const { text, n } = this;
    const c = text.charCodeAt(i);
    if (c === PIPE || c === GT) {
      if (inSequence) giveUp();
      return this.blockScalar(indent, open, i);
    }
    let node: N;
    let end: number;
    if (c === LBRACKET) {
      ({ node, end } = this.flowSequence(open, i));
    } else if (c === LBRACE) {
      // Only the empty mapping (`permissions: {}`); others go to js-yaml.
      let j = i + 1;
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      if (text.charCodeAt(j) !== RBRACE) giveUp();
      end = j + 1;
      node = this.sink.node(open, "mapping", NONE, undefined, end);
    } else {
      const scalar = this.scalar(i, false);
      end = scalar.end;
      node = this.sink.node(open, "scalar", NONE, scalar.value, end);
    }
    const next = this.endOfLine(end);
    const line = this.nextContentLine(next);
    if (line < n && this.lastIndent > indent) giveUp();
    return { node, next };
  }

  /** A one-line scalar at `i`: plain or quoted. Returns its value and where it ends. */
  private scalar(i: number, inFlow: boolean): { value: unknown; end: number } {
    const { text, n } = this;
    const c = text.charCodeAt(i);
    if (c === SQUOTE) {
      let out = "";
      let from = i + 1;
      for (let j = i + 1; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === LF) giveUp();
        if (d === SQUOTE) {
          if (text.charCodeAt(j + 1) === SQUOTE) {
            out += text.slice(from, j + 1);
            from = j + 2;
            j++;
            continue;
          }
          return { value: out + text.slice(from, j), end: j + 1 };
        }
      }
      giveUp();
    }
    if (c === DQUOTE) {
      for (let j = i + 1; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === LF || d === BACKSLASH) giveUp();
        if (d === DQUOTE) return { value: text.slice(i + 1, j), end: j + 1 };
      }
      giveUp();
    }
    if (cannotStartPlain(c)) giveUp();
    if (c === DASH || c === 63 /* ? */ || c === COLON) {
      const next = text.charCodeAt(i + 1);
      if (isBreak(text, i + 1) || (inFlow && isFlowIndicator(next))) giveUp();
    }
    let j = i;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d === LF) break;
      if (d === COLON) {
        // `a: b: c` is an error, `[a: b]` a mapping in a sequence: both for js-yaml.
        if (isBreak(text, j + 1) || (inFlow && isFlowIndicator(text.charCodeAt(j + 1)))) giveUp();
      } else if (d === HASH && text.charCodeAt(j - 1) === SPACE) break;
      else if (inFlow && isFlowIndicator(d)) break;
    }
    const end = trimEnd(text, i, j);
    return { value: resolvePlain(text.slice(i, end)), end };
  }

  /** `[a, 'b', c]` on one line, items being one-line scalars. */
  private flowSequence(open: number, at: number): { node: N; end: number } {
    const { text, n } = this;
    const children: N[] = [];
    let i = at + 1;
    for (;;) {
      while (i < n && text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (c === RBRACKET && children.length === 0) break;
      if (i >= n || c === LF || c === HASH || c === LBRACKET || c === LBRACE || c === COMMA || c === RBRACKET)
        giveUp();
      const item = this.scalar(i, true);
      children.push(this.sink.node(i, "scalar", NONE, item.value, item.end));
      i = item.end;
      while (i < n && text.charCodeAt(i) === SPACE) i++;
      const d = text.charCodeAt(i);
      if (d === COMMA) {
        i++;
        continue;
      }
      if (d === RBRACKET) break;
      giveUp();
    }
    return { node: this.sink.node(open, "sequence", children, undefined, i + 1), end: i + 1 };
  }

  /**
   * A block sequence whose dashes sit at column `indent`, the first at `at`. Each item is a
   * one-line scalar or a mapping that starts on the dash's line (`- key: value`). A `compact`
   * sequence is the value of a key at its own column, and ends at the next key.
   */
  private sequence(indent: number, at: number, open: number, compact: boolean, depth: number): Read<N> {
    const { text, n } = this;
    if (depth > MAX_DEPTH) giveUp();
    const children: N[] = [];
    let dash = at;
    for (;;) {
      let i = dash + 1;
      while (i < n && text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (i >= n || c === LF || c === HASH || c === DASH) giveUp(); // nested or empty items
      const item = this.startsKey(i)
        ? this.mapping(indent + (i - dash), i, dash + 1, depth + 1)
        : this.inlineValue(indent, dash + 1, i, true);
      children.push(item.node);
      const line = this.nextContentLine(item.next);
      const lineIndent = line < n ? this.lastIndent : -1;
      const isItem = text.charCodeAt(line) === DASH && isBreak(text, line + 1);
      if (line >= n || lineIndent < indent || (compact && lineIndent === indent && !isItem)) {
        const node = this.sink.node(open, "sequence", children, undefined, line);
        return { node, next: line >= n ? n : line - lineIndent };
      }
      if (lineIndent > indent || !isItem) giveUp();
      dash = line;
    }
  }

  /**
   * `|` or `>` at `at`, the value of a key of a mapping at column `indent`: js-yaml's
   * readBlockScalar, without explicit indentation indicators or leading empty lines.
   */
  private blockScalar(indent: number, open: number, at: number): Read<N> {
    const { text, n } = this;
    const folding = text.charCodeAt(at) === GT;
    let i = at + 1;
    let chomping: "clip" | "keep" | "strip" = "clip";
    const m = text.charCodeAt(i);
    if (m === 43 /* + */ || m === DASH) {
      chomping = m === DASH ? "strip" : "keep";
      i++;
    }
    // The rest of the header line: spaces and a comment only.
    let lineEnd = this.endOfLine(i);
    if (lineEnd >= n) giveUp();
    let result = "";
    let textIndent = indent + 1;
    let detected = false;
    let didRead = false;
    let empty = 0;
    let moreIndented = false;
    let position = lineEnd;
    for (;;) {
      let lineIndent = 0;
      let p = position;
      while ((!detected || lineIndent < textIndent) && text.charCodeAt(p) === SPACE) {
        lineIndent++;
        p++;
      }
      if (!detected && lineIndent > textIndent) textIndent = lineIndent;
      // A less indented line, or the end of the text (after its last line break), ends it.
      if (p >= n || (lineIndent < textIndent && text.charCodeAt(p) !== LF)) {
        if (chomping === "keep") result += "\n".repeat(didRead ? 1 + empty : empty);
        else if (chomping === "clip" && didRead) result += "\n";
        position = p;
        break;
      }
      if (text.charCodeAt(p) === LF) {
        if (!didRead) giveUp(); // leading empty lines: js-yaml's indentation rules, not ours
        empty++;
        position = p + 1;
        continue;
      }
      if (folding) {
        if (text.charCodeAt(p) === SPACE) {
          moreIndented = true;
          result += "\n".repeat(didRead ? 1 + empty : empty);
        } else if (moreIndented) {
          moreIndented = false;
          result += "\n".repeat(empty + 1);
        } else if (empty === 0) {
          if (didRead) result += " ";
        } else result += "\n".repeat(empty);
      } else result += "\n".repeat(didRead ? 1 + empty : empty);
      didRead = true;
      detected = true;
      empty = 0;
      lineEnd = text.indexOf("\n", p);
      // The last line of the text: js-yaml's end-of-input handling, not ours.
      if (lineEnd < 0) giveUp();
      result += text.slice(p, lineEnd);
      position = lineEnd + 1;
    }
    if (!didRead) giveUp();
    return { node: this.sink.node(open, "scalar", NONE, result, position), next: this.lineStart(position) };
  }
}

function isBreak(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c === SPACE || c === LF || at >= text.length;
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && text.charCodeAt(e - 1) === SPACE) e--;
  return e;
}

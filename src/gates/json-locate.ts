import { createReadStream } from "node:fs";
import type { SourceLocation } from "../errors.js";

/**
 * Positions in a JSON report, for error messages about its shape: JSON.parse and the streaming
 * parser give values, not where they were. Runs only once something is wrong, over text that
 * parsed (or streamed without error up to the problem), so it tracks where values start and
 * trusts the syntax.
 */

export type JsonPath = ReadonlyArray<string | number>;

/**
 * The value at a path (or, when the path leaves the document, its deepest part that exists),
 * or the first array or object nested deeper than a limit.
 */
export type JsonTarget = { path: JsonPath } | { deeperThan: number };

export function locateInText(file: string, text: string, target: JsonTarget): SourceLocation {
  const finder = new Finder(target);
  finder.scanner.feed(text);
  return { file, ...finder.found };
}

/** The same for a report that is streamed, so it is never held whole. */
export async function locateInFile(file: string, target: JsonTarget): Promise<SourceLocation> {
  const finder = new Finder(target);
  const input = createReadStream(file, { encoding: "utf8" });
  try {
    for await (const chunk of input) if (finder.scanner.feed(chunk as string)) break;
  } finally {
    input.destroy();
  }
  return { file, ...finder.found };
}

/**
 * Whether arrays and objects nest deeper than `limit` in `text`, which is valid JSON. Fast
 * enough to run on every report (strings are skipped with indexOf); locateInText then finds
 * where.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

interface Position {
  line: number;
  column: number;
}

class Finder {
  found: Position = { line: 1, column: 1 };
  private foundDepth = -1;
  readonly scanner: JsonScanner;

  constructor(target: JsonTarget) {
    this.scanner = new JsonScanner(
      "path" in target
        ? (path, at) => this.onPathValue(target.path, path, at)
        : (path, at, opens) => {
            if (!opens || path.length < target.deeperThan) return false;
            this.found = at;
            return true;
          },
    );
  }

  private onPathValue(wanted: JsonPath, path: JsonPath, at: Position): boolean {
    if (path.length > wanted.length || path.length <= this.foundDepth) return false;
    for (let i = 0; i < path.length; i++) if (path[i] !== wanted[i]) return false;
    this.found = at;
    this.foundDepth = path.length;
    return path.length === wanted.length;
  }
}

const STRUCTURAL = '{[]}:,"';
/** JSON's whitespace, and the byte-order mark a file may start with. */
const SPACE = " \t\r\n\uFEFF";

interface Frame {
  array: boolean;
  /** Array: the index of the current element. Object: the current key. */
  key: string | number;
  /** Object: whether the next string is a key. */
  expectKey: boolean;
}

/**
 * Calls `onValue` with the path and position of every value as it starts (`opens` for an array
 * or object) until it returns true. Text may come in any number of chunks.
 */
class JsonScanner {
  private readonly stack: Frame[] = [];
  private line = 1;
  private column = 0;
  private inString = false;
  private stringIsKey = false;
  private escaped = false;
  private keyText = "";
  private inLiteral = false;
  private stopped = false;

  constructor(private readonly onValue: (path: JsonPath, at: Position, opens: boolean) => boolean) {}

  /** Feeds the next chunk; true once `onValue` has asked to stop. */
  feed(chunk: string): boolean {
    for (let i = 0; i < chunk.length && !this.stopped; i++) this.step(chunk[i]!);
    return this.stopped;
  }

  private step(c: string) {
    if (c === "\n") {
      this.line++;
      this.column = 0;
    } else this.column++;
    if (this.inString) {
      this.stringChar(c);
      return;
    }
    if (!STRUCTURAL.includes(c) && !SPACE.includes(c)) {
      // A number, true, false or null: it starts at its first character.
      if (!this.inLiteral) this.start(false);
      this.inLiteral = true;
      return;
    }
    this.inLiteral = false;
    const top = this.stack[this.stack.length - 1];
    switch (c) {
      case "{":
      case "[":
        this.start(true);
        this.stack.push({ array: c === "[", key: 0, expectKey: c === "{" });
        break;
      case "}":
      case "]":
        this.stack.pop();
        break;
      case ",":
        if (top?.array) top.key = (top.key as number) + 1;
        else if (top) top.expectKey = true;
        break;
      case ":":
        if (top) top.expectKey = false;
        break;
      case '"':
        this.inString = true;
        this.stringIsKey = top !== undefined && !top.array && top.expectKey;
        this.keyText = "";
        if (!this.stringIsKey) this.start(false);
        break;
    }
  }

  private stringChar(c: string) {
    if (this.escaped) this.escaped = false;
    else if (c === "\\") this.escaped = true;
    else if (c === '"') {
      this.inString = false;
      if (this.stringIsKey) {
        const top = this.stack[this.stack.length - 1]!;
        top.key = this.keyText.includes("\\") ? (JSON.parse(`"${this.keyText}"`) as string) : this.keyText;
      }
      return;
    }
    if (this.stringIsKey) this.keyText += c;
  }

  private start(opens: boolean) {
    const path = this.stack.map((f) => f.key);
    if (this.onValue(path, { line: this.line, column: this.column }, opens)) this.stopped = true;
  }
}

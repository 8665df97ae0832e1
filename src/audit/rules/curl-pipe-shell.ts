import type { Node } from "yaml";
import { scriptLines } from "../classify.js";
import { locateInOrder } from "../locate-lines.js";
import { memoByObject, memoByString } from "../memo.js";
import type { Region, SourceFile } from "../model/source.js";
import type { Value } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** One logical line of a script and where it lies in the file: [offset, end), offset -1 when unknown. */
export interface LocatedLine {
  text: string;
  offset: number;
  end: number;
}

/**
 * The logical lines of a script (comments dropped, continuations joined) with their offsets in
 * the file, so findings point at the command itself and not at the whole `run:` block. Lines
 * that repeat are told apart by searching from the end of the previous one.
 */
function locatedLinesUncached(script: Value<string>, source: SourceFile): LocatedLine[] {
  const [start, end] = script.node.range ?? [0, 0];
  const logical = scriptLines(script.value);
  const found = locateInOrder(
    source.text.slice(start, end),
    logical.map(({ raw }) => raw.trim()),
    { atLineStart: false },
  );
  const lines = logical.map(({ text }, i) => {
    const at = found[i];
    return at === undefined ? { text, offset: -1, end } : { text, offset: start + at, end };
  });
  // A logical line ends where the next one starts.
  for (let i = lines.length - 2; i >= 0; i--) {
    const next = lines[i + 1]!;
    lines[i]!.end = next.offset >= 0 ? next.offset : lines[i + 1]!.end;
  }
  return lines;
}

/**
 * The region of `needle`, found at index `at` of `line.text`, in the file. The n-th occurrence
 * in the logical line is the n-th from the line's start in the file. A needle that spans a line
 * continuation is not verbatim in the file: it is then found by its first and last words.
 * Escaped (quoted) scripts fall back to the whole scalar.
 */
export function regionInLine(
  source: SourceFile,
  node: Node,
  line: LocatedLine,
  needle: string,
  at = line.text.indexOf(needle),
): Region {
  if (line.offset >= 0 && needle) {
    // Searched within the line: a needle not written there must not cost a scan of the rest of the file.
    const written = source.text.slice(line.offset, line.end);
    const before = line.text.slice(0, Math.max(0, at));
    const index = nthIndex(written, needle, 0, occurrences(before, needle));
    if (index >= 0) return source.regionOf(line.offset + index, line.offset + index + needle.length);
    const words = needle.trim().split(/\s+/);
    const first = words[0] ?? "";
    const last = words[words.length - 1] ?? "";
    const a = first ? nthIndex(written, first, 0, occurrences(before, first)) : -1;
    const b = a >= 0 ? written.indexOf(last, a + first.length) : -1;
    if (a >= 0 && b >= 0) return source.regionOf(line.offset + a, line.offset + b + last.length);
  }
  return source.regionIn(node, needle);
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) count++;
  return count;
}

/** Index of the (n+1)-th occurrence of `needle` at or after `from`, or -1. */
function nthIndex(text: string, needle: string, from: number, n: number): number {
  let index = text.indexOf(needle, from);
  for (let i = 0; i < n && index >= 0; i++) index = text.indexOf(needle, index + 1);
  return index;
}

const FETCH = String.raw`(?:curl|wget)\b`;
/** `sudo`, `env` and variables set for the interpreter alone (`| DESIRED_VERSION=v3 bash`). */
const SUDO = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:(?:\S*/)?env\s+(?:-\S+\s+)*)?(?:[A-Za-z_]\w*=\S*\s+)*`;
const INTERPRETER = "(?:(?:ba|z|da|k)?sh|python[0-9.]*|node|perl|ruby)";

/** `curl … | sh`, with optional intermediate stages (`| gunzip |`) and `sudo`. */
const PIPED = new RegExp(
  String.raw`(?<![\w-])${FETCH}[^|;&]*(?:\|(?!\|)[^|;&]*)*?\|(?!\|)\s*${SUDO}(?:\S*/)?(${INTERPRETER})\b([^|;&]*)`,
  "g",
);
/** `sh -c "$(curl …)"`, `eval "$(curl …)"`. */
const SUBSTITUTED = new RegExp(
  String.raw`(?<![\w-])(?:(?:\S*/)?${INTERPRETER}\s+(?:-\S+\s+)*-c|eval)\s+["']?\$\(\s*${FETCH}[^)]*\)?`,
  "g",
);
/** `bash <(curl …)`, `source <(curl …)`, `. <(curl …)`. */
const PROCESS_SUBSTITUTION = new RegExp(
  String.raw`(?:(?<![\w-])(?:(?:\S*/)?${INTERPRETER}(?:\s+-\S+)*|source)|(?<![\w.])\.)\s+<\(\s*${FETCH}[^)]*\)?`,
  "g",
);

/**
 * Options after which the interpreter runs code from its arguments and reads stdin as data:
 * `curl … | python3 -c 'import json…'`, `| node -e`, `| perl -ne`, `| python -m json.tool`.
 */
function readsStdinAsData(interpreter: string, args: string): boolean {
  const options = args.split(/\s--(?:\s|$)/)[0] ?? "";
  if (/sh$/.test(interpreter)) return /(^|\s)-[a-z]*c\b/.test(options);
  if (interpreter.startsWith("python")) return /(^|\s)-[a-zA-Z]*[cm]/.test(options);
  if (interpreter === "node") return /(^|\s)(-[ep]\b|--eval\b|--print\b)/.test(options);
  return /(^|\s)-[a-zA-Z]*e/.test(options); // perl, ruby
}

export const curlPipeShell = defineRule({
  meta: {
    id: "curl-pipe-shell",
    name: "Remote script piped into a shell",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      'Reports scripts downloaded with `curl` or `wget` and run straight away (`curl … | sh`, `bash <(curl …)`, `sh -c "$(curl …)"`), with no pinned version or checksum in between.',
    fixable: false,
  },
  step(step, _job, ctx) {
    if (!step.run) return;
    const source = ctx.workflow.source;
    for (const line of locatedLines(source, step.run)) {
      const found: Array<{ text: string; at: number }> = [];
      for (const match of line.text.matchAll(PIPED)) {
        const args = match[2] ?? "";
        if (!readsStdinAsData(match[1]!, args)) {
          found.push({ text: match[0].slice(0, match[0].length - args.length).trim(), at: match.index });
        }
      }
      for (const re of [SUBSTITUTED, PROCESS_SUBSTITUTION]) {
        for (const match of line.text.matchAll(re)) found.push({ text: match[0].trim(), at: match.index });
      }
      for (const { text, at } of found) {
        ctx.report({
          node: step.run.node,
          region: regionInLine(source, step.run.node, line, text, at),
          key: text,
          message:
            "a script downloaded here is run without any check: whoever controls the URL (or a compromised CDN) runs code with this job's secrets. Download a pinned version to a file, verify its checksum or signature, then run it — or use a pinned action or package instead",
        });
      }
    }
  },
});

/** A word of a shell command: its value with quotes removed, and where it starts in the line. */
export interface Token {
  value: string;
  raw: string;
  at: number;
}

export interface Command {
  /** The command word as written (`curl`, `/usr/bin/curl`). */
  name: string;
  at: number;
  args: Token[];
  /** What ended the command: `|`, `||`, `&&`, `;`, `&`, `)` or "" at the end of the line. */
  terminator: string;
  /** The line text before the command (to tell `$(curl …)` from `curl …`). */
  before: string;
}

/**
 * The commands called `name` in one logical script line, each with its words up to the end of
 * the command. Quotes group words; `$( … )` inside an argument stays part of it. Good enough for
 * the flags and URLs rules look at; not a shell parser.
 */
const startPatterns = new Map<string, RegExp>();

/** Where a command named by `source` starts; compiled once per name (matchAll copies it). */
function startPattern(source: string): RegExp {
  let pattern = startPatterns.get(source);
  if (!pattern) {
    pattern = new RegExp(String.raw`(?<![\w.$-])(?:[\w.-]*/)*(?:${source})(?=\s|$)`, "g");
    startPatterns.set(source, pattern);
  }
  return pattern;
}

function commandsInUncached(text: string, name: string): Command[] {
  const out: Command[] = [];
  const start = startPattern(name);
  for (const match of text.matchAll(start)) {
    const { args, terminator } = words(text, match.index + match[0].length);
    out.push({ name: match[0], at: match.index, args, terminator, before: text.slice(0, match.index) });
  }
  return out;
}

function words(text: string, from: number): { args: Token[]; terminator: string } {
  const args: Token[] = [];
  let value = "";
  let raw = "";
  let at = -1;
  let quote = "";
  let depth = 0;
  const flush = () => {
    if (at >= 0) args.push({ value, raw, at });
    value = "";
    raw = "";
    at = -1;
  };
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (!quote && depth === 0) {
      const end = terminatorAt(text, i);
      if (end) {
        flush();
        return { args, terminator: end };
      }
      if (/\s/.test(c)) {
        flush();
        continue;
      }
    }
    if (at < 0) at = i;
    if (text.startsWith("${{", i)) {
      // An expression is one word even with spaces inside: GitHub expands it before the shell runs.
      const close = text.indexOf("}}", i);
      const end = close < 0 ? text.length : close + 2;
      raw += text.slice(i, end);
      value += text.slice(i, end);
      i = end - 1;
      continue;
    }
    raw += c;
    if (quote) {
      if (c === quote) quote = "";
      else value += c;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else {
      if (c === "(" && text[i - 1] === "$") depth++;
      else if (c === ")" && depth > 0) depth--;
      value += c;
    }
  }
  flush();
  return { args, terminator: "" };
}

function terminatorAt(text: string, i: number): string {
  const two = text.slice(i, i + 2);
  if (two === "||" || two === "&&") return two;
  const c = text[i]!;
  if (c === "|" || c === ";" || c === ")" || c === "`") return c;
  // `&` ends a command, but not in `2>&1` or `&>file`.
  if (c === "&" && !/[>\d]/.test(text[i + 1] ?? "") && text[i - 1] !== ">") return c;
  return "";
}

// Several rules read the same scripts; each is split and located once (see ../memo.ts).
const locatedLinesOf = memoByObject(locatedLinesUncached);
export function locatedLines(source: SourceFile, script: Value<string>): LocatedLine[] {
  return locatedLinesOf(script, source);
}

// One cache per name pattern, keyed by its source, not the RegExp object (callers build patterns
// per call); within it, by the line's text, which is usually the very string a previous call
// passed (lines come from the memoized scriptLines), so a lookup neither builds nor hashes a key.
const commandsByName = new Map<string, (text: string) => Command[]>();
export function commandsIn(text: string, name: RegExp): Command[] {
  const source = name.source;
  let byText = commandsByName.get(source);
  if (!byText) {
    byText = memoByString((line) => commandsInUncached(line, source));
    commandsByName.set(source, byText);
  }
  return byText(text);
}

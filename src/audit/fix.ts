import type { Node, YAMLMap } from "yaml";
import type { SourceFile } from "./model/source.js";
import type { Finding, TextEdit } from "./types.js";

/**
 * Fixes are text edits on the original bytes, so comments, quoting and layout outside the
 * edited spans stay exactly as they were. Overlapping edits from two findings: the first wins,
 * the second waits for the next run (fixes are idempotent, so a second --fix finishes them).
 */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: number } {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const accepted: TextEdit[] = [];
  let lastEnd = -1;
  for (const edit of sorted) {
    if (edit.start < lastEnd) continue;
    // The same edit twice (one step reached through an anchor from two jobs is reported for
    // each): apply it once, or an inserted key would be duplicated.
    const previous = accepted[accepted.length - 1];
    if (previous && previous.start === edit.start && previous.end === edit.end && previous.text === edit.text)
      continue;
    accepted.push(edit);
    lastEnd = Math.max(edit.end, edit.start);
  }
  // Inserted lines take the file's own line breaks.
  const crlf = text.includes("\r\n");
  // Pieces joined once, not a new copy of the file per edit: thousands of fixes stay linear.
  const pieces: string[] = [];
  let at = 0;
  for (const edit of accepted) {
    pieces.push(text.slice(at, edit.start), crlf ? edit.text.replace(/\r?\n/g, "\r\n") : edit.text);
    at = Math.max(at, edit.end);
  }
  pieces.push(text.slice(at));
  return { text: pieces.join(""), applied: accepted.length };
}

export function applyFixes(text: string, findings: Finding[], options: { unsafe?: boolean } = {}) {
  const fixes = findings.flatMap((f) => (f.fix && (f.fix.safe || options.unsafe) ? [f.fix] : []));
  return applyEdits(
    text,
    fixes.flatMap((f) => f.edits),
  );
}

/** Replaces a node's value text. */
export function replaceNode(node: Node, text: string): TextEdit {
  const [start, end] = node.range ?? [0, 0];
  return { start, end, text };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Indentation (spaces) of the line holding `offset`. */
export function indentAt(source: SourceFile, offset: number): string {
  const start = lineStart(source.text, offset);
  return /^ */.exec(source.text.slice(start))![0];
}

/**
 * Adds `key: value` lines to a block mapping, after its last entry, at the entries'
 * indentation. `lines` are relative to that indentation.
 */
export function appendToMap(source: SourceFile, map: YAMLMap, lines: string[]): TextEdit | undefined {
  const first = map.items[0]?.key as Node | undefined;
  if (!first?.range || map.flow) return undefined;
  const indent = indentAt(source, first.range[0]);
  const end = map.range?.[1] ?? first.range[1];
  // Insert at the start of the line after the mapping's last value.
  const nl = source.text.lastIndexOf("\n", end - 1);
  const at =
    nl >= 0 && source.text.slice(nl + 1, end).trim() === "" ? nl + 1 : source.text.indexOf("\n", end) + 1;
  const position = at > 0 ? at : source.text.length;
  const prefix = position === source.text.length && !source.text.endsWith("\n") ? "\n" : "";
  return { start: position, end: position, text: prefix + lines.map((l) => `${indent}${l}\n`).join("") };
}

import { type Document, isPair, isScalar, visit, type YAMLError } from "yaml";
import type { Diagnostic } from "../errors.js";
import type { YamlLocator } from "./yaml-locate.js";

/** How to fix the YAML mistakes people actually make; anything else gets the generic hint. */
const HINTS: Partial<Record<YAMLError["code"], string>> = {
  TAB_AS_INDENT: "indent with spaces; YAML does not allow tabs",
  BAD_INDENT: "check the indentation here and that every [ or { before it is closed",
  MISSING_CHAR: "close the quote or bracket that was opened before this point",
  MULTIPLE_DOCS: "keep the whole configuration in one YAML document: remove the second ---",
  BLOCK_AS_IMPLICIT_KEY: "keys of one mapping must start in the same column",
  MULTILINE_IMPLICIT_KEY: "keys of one mapping must start in the same column",
  UNEXPECTED_TOKEN: "quote the whole value, or put a space after the colon of a key",
  BAD_ALIAS: "define the anchor (&name) before using it (*name)",
};

/** Syntax errors and duplicate keys from the yaml parser, one per position. */
export function yamlDiagnostics(options: {
  errors: readonly YAMLError[];
  doc: Document;
  source: string;
  locator: YamlLocator;
}): Diagnostic[] {
  const seen = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  for (const error of options.errors) {
    const [start, end] = error.pos;
    // One mistake often trips several parser rules at the same spot; the first says it best.
    if (seen.has(start)) continue;
    seen.add(start);
    const location = options.locator.offset(start);
    if (error.code === "DUPLICATE_KEY") {
      const key = keyAt(options.doc, start) ?? options.source.slice(start, end).trim();
      diagnostics.push({
        code: "config/yaml",
        message: `duplicate key "${key}": a mapping may set each key once`,
        location,
        hint: `remove one of the "${key}" keys or merge them`,
      });
      continue;
    }
    diagnostics.push({
      code: "config/yaml",
      message: `invalid YAML: ${lowerFirst(error.message)}`,
      location,
      hint: HINTS[error.code] ?? "fix the YAML syntax here: consistent indentation, a space after each colon",
    });
  }
  return diagnostics;
}

/** The key that starts at `offset`; the parser's error range covers only its first character. */
function keyAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

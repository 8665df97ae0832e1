import type { Node, YAMLError } from "yaml";
import type { Diagnostic } from "../errors.js";
import { type KeyProblem, YAML_FILE_LIMITS } from "./yaml-document.js";
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

/** Syntax errors from the yaml parser, one per position. */
export function yamlDiagnostics(options: {
  errors: readonly YAMLError[];
  locator: YamlLocator;
}): Diagnostic[] {
  const seen = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  for (const error of options.errors) {
    const [start] = error.pos;
    // One mistake often trips several parser rules at the same spot; the first says it best.
    if (seen.has(start)) continue;
    seen.add(start);
    diagnostics.push({
      code: "config/yaml",
      message: `invalid YAML: ${lowerFirst(error.message)}`,
      location: options.locator.offset(start),
      hint: HINTS[error.code] ?? "fix the YAML syntax here: consistent indentation, a space after each colon",
    });
  }
  return diagnostics;
}

/** How the problems of one kind of YAML file are coded and worded. */
export interface YamlFileKind {
  /** The code of a key the file may not have (repeated, reserved). */
  keyCode: string;
  /** The area of the limits' codes: `<area>/too-many-entries`, `<area>/alias-expansion`. */
  area: string;
  /** The file, in hints: "a shipgate.yml". */
  name: string;
  /** How to rename a reserved key. */
  renameHint: string;
}

export const CONFIG_FILE: YamlFileKind = {
  keyCode: "config/yaml",
  area: "config",
  name: "a shipgate.yml",
  renameHint:
    "rename it: environment names are lower-case letters, digits and dashes, starting with a letter",
};

/** Duplicate and reserved keys, and collections over the limit (see ./yaml-document.ts). */
export function keyDiagnostics(
  problems: readonly KeyProblem[],
  locator: YamlLocator,
  kind: YamlFileKind,
): Diagnostic[] {
  return problems.map((problem): Diagnostic => {
    const location = locator.offset(problem.node.range?.[0] ?? 0);
    switch (problem.kind) {
      case "duplicate-key":
        return {
          code: kind.keyCode,
          message: `duplicate key "${problem.key}": a mapping may set each key once`,
          location,
          hint: `remove one of the "${problem.key}" keys or merge them`,
        };
      case "reserved-key":
        return {
          code: kind.keyCode,
          message: `"${problem.key}" cannot be a key: no setting or name may be called that`,
          location,
          hint: kind.renameHint,
        };
      default:
        return {
          code: `${kind.area}/too-many-entries`,
          message: `this ${problem.count.toLocaleString("en")}-entry collection is over the limit of ${YAML_FILE_LIMITS.maxEntries.toLocaleString("en")} entries`,
          location,
          hint: `${kind.name} needs far fewer; check that this is the file you meant to use`,
        };
    }
  });
}

/** Aliases that expand past the budget, reported at the first alias. */
export function aliasDiagnostic(
  alias: Node | undefined,
  locator: YamlLocator,
  kind: YamlFileKind,
): Diagnostic {
  return {
    code: `${kind.area}/alias-expansion`,
    message: "its aliases expand to too many values (nested *aliases multiply what they stand for)",
    location: locator.offset(alias?.range?.[0] ?? 0),
    hint: "write the repeated parts out, or alias fewer levels deep",
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

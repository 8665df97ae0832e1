import { verifyFile } from "stream-json/file/verifier.js";
import type { z } from "zod";
import type { ShipgateError, SourceLocation } from "../errors.js";
import { type JsonPath, locateInText, nestsDeeperThan } from "./json-locate.js";
import { MAX_NESTING } from "./limits.js";
import { locationAt, malformedReport, SHAPE_HINT } from "./report-errors.js";

/**
 * JSON.parse with the position of a syntax error as `file:line:column`. V8 names the offset
 * in most messages ("… in JSON at position 812"); for the few it does not, the file is run
 * through stream-json's verifier, which reports the exact line and column.
 */
export async function parseJson(file: string, text: string, label: string): Promise<unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const location = await syntaxErrorLocation(file, text, message);
    throw malformedReport(file, label, `invalid JSON (${plainMessage(message)})`, {
      location,
      hint: jsonHint(message),
    });
  }
  // JSON.parse itself copes, but nothing a tool writes nests this deep, and code that walks
  // the value recursively would overflow the stack on it.
  if (nestsDeeperThan(text, MAX_NESTING)) {
    throw tooDeep(file, label, locateInText(file, text, { deeperThan: MAX_NESTING }));
  }
  return data;
}

export function tooDeep(file: string, label: string, location: SourceLocation): ShipgateError {
  return malformedReport(file, label, `arrays and objects nested more than ${MAX_NESTING} levels deep`, {
    location,
    hint: "no scanner or coverage tool writes such a report; regenerate it with the tool",
  });
}

async function syntaxErrorLocation(file: string, text: string, message: string): Promise<SourceLocation> {
  const position = /at position (\d+)/.exec(message);
  if (position) return locationAt(file, text, Number(position[1]));
  if (/end of JSON input/.test(message)) return locationAt(file, text, text.trimEnd().length);
  return verifierLocation(file, text);
}

/** Where stream-json's verifier stops on a file that is not valid JSON. */
export async function verifierLocation(file: string, text?: string): Promise<SourceLocation> {
  try {
    await verifyFile(file);
  } catch (error) {
    const { line, pos, offset } = error as { line?: number; pos?: number; offset?: number };
    if (typeof line === "number" && typeof pos === "number") return { file, line, column: pos };
    if (text !== undefined && typeof offset === "number") return locationAt(file, text, offset);
  }
  return { file, line: 1, column: 1 };
}

export function jsonHint(message: string): string {
  if (/end of JSON input|Unterminated string/.test(message)) {
    return "the file ends before the JSON is complete, so it was probably cut off; regenerate the report";
  }
  if (/after JSON/.test(message)) {
    return "something was written after the report (stderr redirected into it with 2>&1?); write only the tool's JSON to the file";
  }
  return "the JSON is broken at this position; regenerate the report rather than editing it";
}

/** V8 quotes the whole input in some messages; keep the message, drop the quote. */
function plainMessage(message: string): string {
  return message.replace(/,\s*(\.\.\.)?".*is not valid JSON$/s, "");
}

/**
 * Checks parsed JSON against the fields a parser reads, so that no number is trusted from a
 * value of the wrong type. The message names the first field that is wrong by its path
 * (`runs[2].results[0].level`) and points at it in the file.
 */
export function checkShape<T extends z.ZodType>(
  report: { file: string; text: string; label: string },
  schema: T,
  data: unknown,
  hint?: string,
): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const { path, what } = describeIssue(result.error.issues[0]!);
  throw shapeError(report.file, report.label, path, what, {
    location: locateInText(report.file, report.text, { path }),
    ...(hint && { hint }),
  });
}

/** `Results[0].Vulnerabilities: expected an array, found a string` */
export function shapeError(
  file: string,
  label: string,
  path: JsonPath,
  what: string,
  options: { location?: SourceLocation; hint?: string } = {},
): ShipgateError {
  const where = jsonPath(path);
  return malformedReport(file, label, `${where ? `${where}: ` : ""}${what}`, {
    hint: SHAPE_HINT,
    ...options,
  });
}

/**
 * A zod issue as a path and a phrase. A union (npm's `via`: a package name or an advisory)
 * says only "Invalid input"; the alternative that got furthest into the value says what is
 * wrong with it, and when none got in, the alternatives are what was expected.
 */
export function describeIssue(issue: z.core.$ZodIssue): { path: JsonPath; what: string } {
  const path = issue.path.filter((key) => typeof key !== "symbol");
  const firsts = issue.code === "invalid_union" ? issue.errors.flatMap((list) => list.slice(0, 1)) : [];
  if (firsts.length > 0) {
    const furthest = firsts.map(describeIssue).reduce((a, b) => (b.path.length > a.path.length ? b : a));
    if (furthest.path.length > 0) return { path: [...path, ...furthest.path], what: furthest.what };
    const expected = firsts.flatMap((first) => (first.code === "invalid_type" ? [first.expected] : []));
    const received = /received (\w+)$/.exec(firsts[0]!.message)?.[1];
    if (expected.length === firsts.length && received) {
      return { path, what: `Invalid input: expected ${expected.join(" or ")}, received ${received}` };
    }
  }
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return { path, what: `missing (expected ${issue.expected})` };
  }
  return { path, what: issue.message };
}

export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

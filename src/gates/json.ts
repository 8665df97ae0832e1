import { verifyFile } from "stream-json/file/verifier.js";
import type { z } from "zod";
import type { SourceLocation } from "../errors.js";
import { locationAt, malformedReport } from "./report-errors.js";

/**
 * JSON.parse with the position of a syntax error as `file:line:column`. V8 names the offset
 * in most messages ("… in JSON at position 812"); for the few it does not, the file is run
 * through stream-json's verifier, which reports the exact line and column.
 */
export async function parseJson(file: string, text: string, label: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const location = await syntaxErrorLocation(file, text, message);
    throw malformedReport(file, label, `invalid JSON (${plainMessage(message)})`, {
      location,
      hint: jsonHint(message),
    });
  }
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
 * Checks parsed JSON against the fields a parser reads. The message names the first field
 * that is wrong by its path (`Results[2].Vulnerabilities[0].Severity`), which is what someone
 * opening the file needs.
 */
export function checkShape<T extends z.ZodType>(
  file: string,
  label: string,
  schema: T,
  data: unknown,
  hint?: string,
): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = jsonPath(issue.path);
  throw malformedReport(file, label, `${path ? `${path}: ` : ""}${issue.message}`, hint ? { hint } : {});
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

import { type Diagnostic, inputError, ShipgateError, type SourceLocation } from "../errors.js";

/**
 * Errors about a report file. All of them are bad input (exit 2): a gate cannot pass or fail
 * on a report it cannot read, and saying "FAIL" would send people looking at the wrong thing.
 */

export function unreadableReport(file: string, error: unknown): ShipgateError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "ENOENT"
      ? "does not exist"
      : code === "EISDIR"
        ? "is a directory, not a report file"
        : code === "EACCES"
          ? "cannot be read (permission denied)"
          : `cannot be read (${(error as Error | undefined)?.message ?? String(error)})`;
  return inputError("gate/report-unreadable", `report ${file} ${why}`, {
    hint:
      code === "ENOENT"
        ? "check the path, and that the step that writes the report ran before the gate"
        : "pass the path of the report file itself",
  });
}

export function malformedReport(
  file: string,
  label: string,
  what: string,
  options: { location?: SourceLocation; hint?: string } = {},
): ShipgateError {
  const diagnostic: Diagnostic = {
    code: "gate/report-malformed",
    // With a location the file is already named in front of the message.
    message: `${options.location ? "not" : `${file} is not`} a valid ${label} report: ${what}`,
    hint:
      options.hint ?? `regenerate the report; a truncated file usually means the tool was killed mid-write`,
  };
  if (options.location) diagnostic.location = options.location;
  return new ShipgateError(diagnostic, { exitCode: 2 });
}

/** For a report that parsed but is not shaped as its tool writes it. */
export const SHAPE_HINT =
  "this is not what the tool writes; regenerate the report with the tool, and check that no step rewrote it";

/** Line and column (1-based) of a character offset in `text`. */
export function locationAt(file: string, text: string, offset: number): SourceLocation {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < clamped; i = text.indexOf("\n", i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { file, line, column: clamped - lineStart + 1 };
}

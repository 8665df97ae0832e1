/**
 * Errors are values: a code, a message, where it happened and how to fix it.
 * Library functions throw (or return) `ShipgateError`; only the CLI entry point renders
 * them and turns them into an exit code (see src/cli/exit-codes.ts).
 */

export interface SourceLocation {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface Diagnostic {
  /** Stable, greppable identifier such as `config/unknown-key`. */
  code: string;
  message: string;
  location?: SourceLocation;
  /** One line telling the user what to do about it. */
  hint?: string;
}

/** 1: a check, finding or rollout failed. 2: bad usage or bad input. */
export type FailureExitCode = 1 | 2;

export class ShipgateError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly exitCode: FailureExitCode;

  constructor(diagnostics: Diagnostic | Diagnostic[], options: { exitCode?: FailureExitCode } = {}) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => d.message).join("; "));
    this.name = "ShipgateError";
    this.diagnostics = list;
    this.exitCode = options.exitCode ?? 2;
  }

  get code(): string {
    return this.diagnostics[0]?.code ?? "unknown";
  }
}

/** Bad input from the user: exit code 2. */
export function inputError(code: string, message: string, extra: Omit<Diagnostic, "code" | "message"> = {}) {
  return new ShipgateError({ code, message, ...extra }, { exitCode: 2 });
}

export function isShipgateError(value: unknown): value is ShipgateError {
  return value instanceof ShipgateError;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

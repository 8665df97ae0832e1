import { expect } from "vitest";
import { type Diagnostic, isShipgateError } from "../../src/errors.js";

/** The diagnostics of an error that must be bad input: a ShipgateError with exit code 2. */
export function badInput(error: unknown): Diagnostic[] {
  if (!isShipgateError(error)) throw error;
  expect(error.exitCode).toBe(2);
  return error.diagnostics;
}

/** The first diagnostic `run` throws or rejects with, as bad input; fails when it succeeds. */
export async function refusal(run: () => unknown): Promise<Diagnostic> {
  try {
    await run();
  } catch (error) {
    return badInput(error)[0]!;
  }
  throw new Error("expected the input to be refused");
}

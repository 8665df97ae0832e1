import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { isShipgateError, type ShipgateError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/tmp.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/reports/", import.meta.url));

export function fixture(format: string, name: string): string {
  return `${FIXTURES}${format}/${name}`;
}

/** A report written to a fresh temporary directory under `name` (formats are sniffed, not named). */
export async function reportFile(name: string, text: string): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

/** The ShipgateError a promise rejects with, so tests can look at its diagnostics. */
export async function rejection(promise: Promise<unknown>): Promise<ShipgateError> {
  try {
    await promise;
  } catch (error) {
    if (isShipgateError(error)) return error;
    throw error;
  }
  expect.fail("expected a ShipgateError");
}

import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { isShipgateError, type ShipgateError } from "../../../src/errors.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/reports/", import.meta.url));

export function fixture(format: string, name: string): string {
  return `${FIXTURES}${format}/${name}`;
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

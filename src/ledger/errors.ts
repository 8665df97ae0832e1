import { inputError, ShipgateError } from "../errors.js";

/** Errors any ledger implementation reports, so callers can match on one set of codes. */

export function unknownDeployment(id: string): ShipgateError {
  return inputError("ledger/unknown-deployment", `the ledger has no deployment ${id}`, {
    hint: "check the deployment id against the deployments the ledger lists",
  });
}

export function unknownApproval(id: string): ShipgateError {
  return new ShipgateError(
    {
      code: "ledger/unknown-approval",
      message: `no approval "${id}" in the ledger`,
      hint: 'list pending ones with "shipgate approvals"',
    },
    { exitCode: 2 },
  );
}

export function duplicateDeployment(id: string): ShipgateError {
  return inputError("ledger/duplicate-deployment", `the ledger already has a deployment ${id}`, {
    hint: "deployment ids are unique: generate a new one for each deployment",
  });
}

export function artifactConflict(id: string, stored: string, given: string): ShipgateError {
  return inputError(
    "ledger/artifact-conflict",
    `artifact ${id} is recorded with digest ${stored}, not ${given}: an artifact id names one tarball`,
    { hint: "rebuild with a new artifact id instead of reusing this one" },
  );
}

export function invalidTtl(ttlMs: number): ShipgateError {
  return inputError(
    "ledger/invalid-ttl",
    `a lock's ttlMs must be a positive number of milliseconds, not ${ttlMs}`,
  );
}

/** A stored JSON column that no longer parses: someone edited the database. */
export function corruptColumn(what: string, location: string): ShipgateError {
  return new ShipgateError(
    {
      code: "ledger/corrupt",
      message: `${what} in the ledger at ${location} is not valid JSON`,
      hint: "verify the ledger's hash chain to see what was changed, and restore the ledger from a backup",
    },
    { exitCode: 2 },
  );
}

export function parseJsonColumn<T>(text: string, what: string, location: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corruptColumn(what, location);
  }
}

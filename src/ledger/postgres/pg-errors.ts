import { ShipgateError } from "../../errors.js";
import { type DatabaseTarget, scrub } from "./database-url.js";

/**
 * Turns what the server or the network reports into a ShipgateError with a hint, so that an
 * unreachable or misconfigured shared ledger is a message, not a stack trace. Every message
 * is scrubbed of the URL's password. Anything else (a bug, a constraint the caller broke)
 * passes through unchanged, as in the SQLite ledger.
 */
export function toLedgerError(error: unknown, target: DatabaseTarget): unknown {
  if (error instanceof ShipgateError) return error;
  if (!(error instanceof Error)) return error;
  const code = codeOf(error);
  const detail = scrub(errorText(error), target);
  const at = target.location;

  if (code === "28P01" || code === "28000") {
    return ledgerError("ledger/auth-failed", `PostgreSQL refused the login to ${at}: ${detail}`, {
      hint: "check the user and password in SHIPGATE_DATABASE_URL (percent-encode special characters in the password)",
    });
  }
  if (code === "3D000") {
    return ledgerError("ledger/unavailable", `the database of ${at} does not exist: ${detail}`, {
      hint: "create it (createdb) or correct the database name in SHIPGATE_DATABASE_URL",
    });
  }
  if (code === "42501") {
    return ledgerError("ledger/permission-denied", `the ledger at ${at} may not be written: ${detail}`, {
      hint: "the role needs CREATE on the ledger's schema (PostgreSQL 15 no longer grants it on public) and write access to its tables",
    });
  }
  if (code === "55P03" || code === "40001" || code === "40P01" || code === "57014") {
    return ledgerError(
      "ledger/busy",
      `the ledger at ${at} is locked by another connection: ${detail}`,
      { hint: "retry; if it persists, look for a hung shipgate run or a long transaction on the server" },
      1,
    );
  }
  if (isConnectionFailure(error, code)) {
    return ledgerError("ledger/unavailable", `cannot reach the PostgreSQL ledger at ${at}: ${detail}`, {
      hint: "check that the server is running and that SHIPGATE_DATABASE_URL names the right host, port and database",
    });
  }
  return error;
}

/** A URL the driver cannot use at all. */
export function invalidDatabaseUrl(error: unknown, target: DatabaseTarget): ShipgateError {
  const detail = error instanceof Error ? scrub(error.message, target) : "not a URL";
  return ledgerError("ledger/invalid-database-url", `SHIPGATE_DATABASE_URL is not a usable URL: ${detail}`, {
    hint: "use the form postgres://user:password@host:5432/database",
  });
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

function isConnectionFailure(error: Error, code: unknown): boolean {
  if (typeof code === "string") {
    // Class 08: connection exception; 57P01-57P03: the server is shutting down or starting;
    // 53300: too many connections.
    if (code.startsWith("08") || /^57P0[123]$/.test(code) || code === "53300") return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  if (error instanceof AggregateError) {
    return error.errors.some((e) => e instanceof Error && isConnectionFailure(e, codeOf(e)));
  }
  // The driver's own wording for a dropped connection or a connect timeout.
  return /Connection terminated|timeout expired|connection timeout/i.test(error.message);
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message. */
function errorText(error: Error): string {
  if (error.message) return error.message;
  if (error instanceof AggregateError) {
    return error.errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ");
  }
  return String(codeOf(error) ?? error.name);
}

/** The SQLSTATE of a server error, or the errno code of a network one. */
function codeOf(error: Error): unknown {
  return (error as { code?: unknown }).code;
}

function ledgerError(
  code: string,
  message: string,
  extra: { hint: string },
  exitCode: 1 | 2 = 2,
): ShipgateError {
  return new ShipgateError({ code, message, ...extra }, { exitCode });
}

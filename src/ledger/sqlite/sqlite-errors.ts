import Database from "better-sqlite3";
import { ShipgateError } from "../../errors.js";

/**
 * Turns what SQLite or the file system reports about the database file into a ShipgateError
 * with a hint, so that a damaged or inaccessible ledger is a message, not a stack trace.
 * Anything else (a bug) passes through unchanged.
 */
export function toLedgerError(error: unknown, path: string): unknown {
  if (error instanceof ShipgateError) return error;
  if (error instanceof Database.SqliteError) return fromSqliteError(error, path);
  if (isFileSystemError(error)) return unavailable(path, error.message);
  return error;
}

function fromSqliteError(error: InstanceType<typeof Database.SqliteError>, path: string): unknown {
  const code = error.code;
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new ShipgateError(
      {
        code: "ledger/corrupt",
        message: `${path} is not a readable shipgate ledger: ${error.message}`,
        hint: "restore it from a backup, or move it aside to start an empty ledger (its history stays in the moved file); releases that serve keep serving, and the next deploy takes the live one as its stable release",
      },
      { exitCode: 2 },
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new ShipgateError(
      {
        code: "ledger/busy",
        message: `the ledger at ${path} is locked by another process: ${error.message}`,
        hint: "retry; if it persists, look for a hung shipgate process holding the ledger open",
      },
      { exitCode: 1 },
    );
  }
  const fileCodes = [
    "SQLITE_CANTOPEN",
    "SQLITE_PERM",
    "SQLITE_READONLY",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_AUTH",
  ];
  if (fileCodes.some((c) => code.startsWith(c))) return unavailable(path, error.message);
  return error;
}

function unavailable(path: string, detail: string): ShipgateError {
  return new ShipgateError(
    {
      code: "ledger/unavailable",
      message: `cannot open or write the ledger at ${path}: ${detail}`,
      hint: "check that the state directory exists, is writable by this user and has free space",
    },
    { exitCode: 2 },
  );
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & Error {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

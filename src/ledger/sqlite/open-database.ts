import { chmod, mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./migrate.js";
import { toLedgerError } from "./sqlite-errors.js";

export interface OpenDatabaseOptions {
  /** How long a statement waits for another process's write lock before failing. */
  busyTimeoutMs: number;
}

/**
 * Opens (creating if needed) the ledger database at `path`, readable by its owner only, in WAL
 * mode, and migrated to the latest schema.
 *
 * WAL lets readers (a `status` command, a test) run while a deploy writes, and the busy
 * timeout makes writers queue for each other instead of failing with "database is locked".
 * Every read-then-write transaction uses BEGIN IMMEDIATE: in WAL mode a read transaction that
 * later tries to write fails at once with SQLITE_BUSY, without waiting for the timeout.
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions): Promise<Database.Database> {
  try {
    await prepareFiles(path);
  } catch (error) {
    throw toLedgerError(error, path);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs });
    // SQLite gives the -wal and -shm files the database file's mode, so they stay 0600 too.
    db.pragma("journal_mode = WAL");
    // synchronous stays at SQLite's default (FULL): an appended event survives a power cut.
    db.pragma("foreign_keys = ON");
    migrate(db, path);
    return db;
  } catch (error) {
    db?.close();
    throw toLedgerError(error, path);
  }
}

/**
 * Creates the state directory (0700) and an empty database file (0600) before SQLite opens
 * it: SQLite would create the file world-readable under the usual umask. Existing ones with
 * wider permissions are narrowed where this user may; a ledger owned by someone else is left
 * as it is, and opening it then fails or succeeds on its own terms.
 */
async function prepareFiles(path: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await narrowMode(dir, 0o700);
  const file = await open(path, "a", 0o600);
  await file.close();
  await narrowMode(path, 0o600);
}

async function narrowMode(path: string, mode: number): Promise<void> {
  const current = (await stat(path)).mode & 0o777;
  if ((current & ~mode) === 0) return;
  await chmod(path, mode).catch(() => undefined);
}

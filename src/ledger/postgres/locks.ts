import type { Pool } from "pg";
import { ShipgateError } from "../../errors.js";
import type { LedgerOptions } from "../ledger-options.js";
import { lockExpiry } from "../locks.js";
import { LOCK_COLUMNS, type LockRow, toLock } from "../rows.js";
import type { LockRecord, LockResult } from "../types.js";
import { inTransaction, type Queryable } from "./connection.js";

/** The locks table of a PostgreSQL ledger; PostgresLedger delegates to these. */

/** Rounds of "taken by someone, then released before we read who": practically never more than one. */
const MAX_ATTEMPTS = 5;

/**
 * Compare-and-set in one upsert: the row is written only when nobody holds the lock, it has
 * expired, the caller holds it, or the caller names its holder as `replaceOwner`: the rules
 * of mayTakeLock in ../locks.ts, written as the upsert's WHERE so that the server decides
 * them while it holds the row. Expiry compares ISO-8601 text of one fixed width, whose byte
 * order is time order; COLLATE "C" makes the comparison bytewise whatever the database's
 * collation.
 */
export async function acquireLock(pool: Pool, options: LedgerOptions<"acquireLock">): Promise<LockResult> {
  const now = Date.now();
  const expiresAt = lockExpiry(now, options.ttlMs);
  const acquiredAt = new Date(now).toISOString();
  return inTransaction(pool, async (client) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const taken = await client.query<LockRow>(
        `INSERT INTO locks (env, owner, deployment_id, acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (env) DO UPDATE SET owner = excluded.owner, deployment_id = excluded.deployment_id,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
         WHERE locks.expires_at COLLATE "C" <= $4 OR locks.owner = $2 OR locks.owner = $6
         RETURNING ${LOCK_COLUMNS}`,
        [
          options.env,
          options.owner,
          options.deploymentId ?? null,
          acquiredAt,
          expiresAt,
          options.replaceOwner ?? null,
        ],
      );
      const row = taken.rows[0];
      if (row) return { acquired: true, lock: toLock(row) };
      // Refused: report the holder. It may have released in between; then try again.
      const holder = await getLock(client, options.env);
      if (holder) return { acquired: false, holder };
    }
    throw new ShipgateError(
      {
        code: "ledger/busy",
        message: `the lock on ${options.env} changed hands ${MAX_ATTEMPTS} times while it was being acquired`,
        hint: "retry",
      },
      { exitCode: 1 },
    );
  });
}

/** One conditional UPDATE: it extends the lock only while `owner` is the row's owner. */
export async function renewLock(db: Queryable, options: LedgerOptions<"renewLock">): Promise<boolean> {
  const expiresAt = lockExpiry(Date.now(), options.ttlMs);
  const updated = await db.query(
    `UPDATE locks SET expires_at = $1, deployment_id = COALESCE($2, deployment_id)
     WHERE env = $3 AND owner = $4`,
    [expiresAt, options.deploymentId ?? null, options.env, options.owner],
  );
  return (updated.rowCount ?? 0) > 0;
}

/** Releases only the caller's own lock; releasing one held by someone else does nothing. */
export async function releaseLock(db: Queryable, options: LedgerOptions<"releaseLock">): Promise<void> {
  await db.query("DELETE FROM locks WHERE env = $1 AND owner = $2", [options.env, options.owner]);
}

/** The stored lock, expired or not: `expiresAt` tells which. */
export async function getLock(db: Queryable, env: string): Promise<LockRecord | undefined> {
  const result = await db.query<LockRow>(`SELECT ${LOCK_COLUMNS} FROM locks WHERE env = $1`, [env]);
  const row = result.rows[0];
  return row && toLock(row);
}

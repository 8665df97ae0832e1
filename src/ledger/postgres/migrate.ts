import type { Pool } from "pg";
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "../migrations.js";
import { ADVISORY_LOCK, takeAdvisoryLock } from "./advisory-locks.js";
import { inTransaction, type Queryable } from "./connection.js";

/**
 * Brings the schema the connection's search_path names to the latest version; returns the
 * versions applied (none when current). PostgreSQL runs DDL inside transactions, so a
 * migration and its schema_migrations row commit together or not at all. Runners starting at
 * once queue on an advisory lock and read the versions again once they hold it, so only the
 * first applies them; CREATE TABLE IF NOT EXISTS alone is not safe against a concurrent one.
 * A current ledger is recognised by a plain read, without taking the lock.
 */
export async function migrate(pool: Pool, location: string): Promise<number[]> {
  if (pendingMigrations(await appliedVersions(pool), location).length === 0) return [];
  return inTransaction(pool, async (client) => {
    await takeAdvisoryLock(client, ADVISORY_LOCK.migrations);
    await client.query(SCHEMA_MIGRATIONS_TABLE);
    const pending = pendingMigrations(await appliedVersions(client), location);
    for (const migration of pending) {
      for (const statement of migration.statements) await client.query(statement);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
    return pending.map((m) => m.version);
  });
}

async function appliedVersions(db: Queryable): Promise<number[]> {
  // to_regclass resolves the name through search_path, as the migrations' statements do.
  const table = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present) return [];
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.rows.map((row) => row.version);
}

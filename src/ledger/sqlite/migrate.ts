import type Database from "better-sqlite3";
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "../migrations.js";

/**
 * Brings the database to the latest schema; returns the versions it applied (none when the
 * ledger is current). Several processes may open a new ledger at once: the versions are read
 * again inside the write transaction (BEGIN IMMEDIATE), so only the first one applies them.
 * A current ledger is recognised by a plain read, without taking the write lock.
 */
export function migrate(db: Database.Database, location: string): number[] {
  if (pendingMigrations(appliedVersions(db), location).length === 0) return [];
  const apply = db.transaction(() => {
    db.exec(SCHEMA_MIGRATIONS_TABLE);
    const pending = pendingMigrations(appliedVersions(db), location);
    const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const migration of pending) {
      for (const statement of migration.statements) db.exec(statement);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  return apply.immediate();
}

function appliedVersions(db: Database.Database): number[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return [];
  return db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as number[];
}

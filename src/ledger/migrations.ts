import { ShipgateError } from "../errors.js";

/**
 * The ledger's schema, as numbered migrations. Every implementation applies the same versions
 * in order and records each in `schema_migrations`, so a ledger's version means the same
 * tables everywhere. The SQL sticks to what SQLite and PostgreSQL both accept: TEXT and
 * INTEGER columns, timestamps as ISO-8601 TEXT (which sorts chronologically), JSON as TEXT,
 * `ON CONFLICT` upserts. Both run these exact statements (test/ledger/postgres.test.ts applies
 * them to a real server); what differs lives in the implementations' queries, not the schema
 * (PostgreSQL numbers created_order under a table lock, compares lock expiries COLLATE "C").
 * Should a later version need dialect-specific SQL, give that migration per-dialect statements
 * rather than a second numbering.
 *
 * Never edit a migration that has shipped: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

const INITIAL: Migration = {
  version: 1,
  name: "artifacts, deployments, events, approvals, locks",
  statements: [
    // created_order: insertion order, the tie-break between equal timestamps (a SQLite rowid
    // is not stable across VACUUM for tables keyed by TEXT).
    `CREATE TABLE artifacts (
      id TEXT PRIMARY KEY,
      created_order INTEGER NOT NULL UNIQUE,
      digest TEXT NOT NULL,
      commit_sha TEXT NOT NULL,
      location TEXT NOT NULL,
      created_at TEXT NOT NULL,
      manifest TEXT NOT NULL
    )`,
    `CREATE TABLE deployments (
      id TEXT PRIMARY KEY,
      created_order INTEGER NOT NULL UNIQUE,
      env TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback')),
      artifact_id TEXT NOT NULL,
      strategy TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'rolled_back', 'failed')),
      requested_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      finished_at TEXT,
      previous_id TEXT,
      plan TEXT NOT NULL,
      step_index INTEGER NOT NULL,
      reason TEXT,
      last_event_seq INTEGER,
      last_event_hash TEXT
    )`,
    "CREATE INDEX deployments_by_env ON deployments (env, created_at)",
    `CREATE TABLE events (
      seq INTEGER PRIMARY KEY,
      env TEXT NOT NULL,
      deployment_id TEXT REFERENCES deployments (id),
      type TEXT NOT NULL,
      data TEXT NOT NULL,
      at TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    "CREATE INDEX events_by_deployment ON events (deployment_id, seq)",
    "CREATE INDEX events_by_env ON events (env, seq)",
    `CREATE TABLE approvals (
      id TEXT PRIMARY KEY,
      deployment_id TEXT NOT NULL REFERENCES deployments (id),
      env TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
      requested_by TEXT NOT NULL,
      decided_by TEXT,
      reason TEXT,
      created_at TEXT NOT NULL,
      decided_at TEXT,
      expires_at TEXT
    )`,
    "CREATE INDEX approvals_by_deployment ON approvals (deployment_id)",
    `CREATE TABLE locks (
      env TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      deployment_id TEXT,
      acquired_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    )`,
  ],
};

export const MIGRATIONS: readonly Migration[] = Object.freeze([INITIAL]);

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * The migrations still to apply, in order, given the versions a ledger has recorded. A version
 * this code does not know means a newer shipgate wrote the ledger: refusing is safer than
 * writing rows an older schema understanding might corrupt.
 */
export function pendingMigrations(applied: readonly number[], location: string): Migration[] {
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = applied.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new ShipgateError(
      {
        code: "ledger/newer-schema",
        message: `the ledger at ${location} has schema version ${Math.max(...unknown)}; this shipgate knows versions up to ${LATEST_SCHEMA_VERSION}`,
        hint: "upgrade shipgate to the version that last wrote this ledger",
      },
      { exitCode: 2 },
    );
  }
  const done = new Set(applied);
  return MIGRATIONS.filter((m) => !done.has(m.version));
}

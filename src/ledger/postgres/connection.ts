import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";

/** A pool or one of its clients: what a single statement needs. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface PoolSettings {
  databaseUrl: string;
  /** A CLI run issues one statement at a time; a few connections cover overlapping awaits. */
  maxConnections: number;
  /** How long a statement waits for a lock (the chain, a row, a table) before failing. */
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * A connection pool for the database at `settings.databaseUrl`. `pg` is imported here, on
 * first use, so that a CLI run on the SQLite ledger never loads it.
 */
export async function createPool(settings: PoolSettings): Promise<Pool> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: settings.databaseUrl,
    max: settings.maxConnections,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // A CLI that forgot close() still exits once its connections are idle.
    allowExitOnIdle: true,
    application_name: "shipgate",
    lock_timeout: settings.lockTimeoutMs,
    // A runner that dies inside a transaction would otherwise hold the chain lock until the
    // server notices the dead connection.
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle connection that the server drops is removed from the pool; the next statement
  // reconnects or reports the failure itself. Without a listener the process would crash.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Runs `work` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws. A connection whose ROLLBACK failed is discarded rather than reused.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

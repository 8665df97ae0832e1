import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * A database of its own for one test file on the server SHIPGATE_TEST_DATABASE_URL names
 * (a role with CREATEDB), and a fresh schema in it for each ledger, so that runs and tests
 * never see each other's rows. `drop()` removes the database and everything in it.
 */
export interface TestDatabase {
  /** The database, as the test role: it owns the database and the schemas it creates. */
  url: string;
  /** A URL whose search_path is a new, empty schema: a fresh ledger. */
  freshSchema(): Promise<string>;
  /** Runs one statement on `url` through a connection of its own. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    url: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `shipgate_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await query(adminUrl, `CREATE DATABASE ${name}`);
  const url = withPath(adminUrl, name);
  let schemas = 0;
  return {
    url,
    async freshSchema() {
      const schema = `ledger_${++schemas}`;
      await query(url, `CREATE SCHEMA ${schema}`);
      return withSearchPath(url, schema);
    },
    query,
    drop: async () => {
      await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export function withPath(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return parsed.toString();
}

async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, [...params])).rows;
  } finally {
    await client.end();
  }
}

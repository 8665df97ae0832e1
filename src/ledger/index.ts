import type { Ledger } from "./types.js";

export type * from "./types.js";

export interface OpenLedgerOptions {
  /** The project's state directory (`.shipgate/`): the SQLite ledger is `<stateDir>/ledger.db`. */
  stateDir: string;
  /**
   * A PostgreSQL URL: the ledger then lives in that database, shared by every runner that
   * names it. Defaults to SHIPGATE_DATABASE_URL; an empty string means SQLite.
   */
  databaseUrl?: string;
}

/**
 * Opens the project's ledger: PostgreSQL when a database URL is configured, otherwise SQLite
 * in the state directory. Implementations are imported lazily so that one backend never loads
 * the other's driver.
 */
export async function openLedger(options: OpenLedgerOptions): Promise<Ledger> {
  const databaseUrl = options.databaseUrl ?? process.env.SHIPGATE_DATABASE_URL;
  if (databaseUrl) {
    const { PostgresLedger } = await import("./postgres/index.js");
    return PostgresLedger.open({ databaseUrl });
  }
  const { SqliteLedger } = await import("./sqlite/index.js");
  return SqliteLedger.open({ stateDir: options.stateDir });
}

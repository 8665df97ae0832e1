import { ShipgateError } from "../errors.js";
import type { Ledger } from "./types.js";

export type * from "./types.js";

export interface OpenLedgerOptions {
  /** The project's state directory (`.shipgate/`): the SQLite ledger is `<stateDir>/ledger.db`. */
  stateDir: string;
  /** Defaults to SHIPGATE_DATABASE_URL. */
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
    // The PostgreSQL ledger is chosen here once it exists: it must pass
    // test/ledger/conformance.ts and apply the versions in ./migrations.ts.
    throw new ShipgateError(
      {
        code: "ledger/postgres-unsupported",
        message: "SHIPGATE_DATABASE_URL is set, but this shipgate has no PostgreSQL ledger yet",
        hint: `unset SHIPGATE_DATABASE_URL to use the SQLite ledger in ${options.stateDir}`,
      },
      { exitCode: 2 },
    );
  }
  const { SqliteLedger } = await import("./sqlite/index.js");
  return SqliteLedger.open({ stateDir: options.stateDir });
}

import type Database from "better-sqlite3";

/**
 * The part of a better-sqlite3 connection the ledger's queries use, with `prepare` cached by
 * SQL text: better-sqlite3 compiles the statement on every `prepare`, so without the cache each
 * append would compile the same three statements again. A statement's mode (`pluck`) stays
 * with the cached statement, so give each SQL text one use.
 */
export interface Connection {
  prepare(sql: string): Database.Statement<unknown[]>;
  transaction: Database.Database["transaction"];
}

export function cachedConnection(db: Database.Database): Connection {
  const statements = new Map<string, Database.Statement<unknown[]>>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction: (fn) => db.transaction(fn),
  };
}

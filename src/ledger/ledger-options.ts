import type { Ledger } from "./types.js";

/**
 * The options object a Ledger method takes, so that implementations and their helpers name
 * the interface's option types instead of restating them.
 */
export type LedgerOptions<M extends keyof Ledger> = Ledger[M] extends (options: infer O) => unknown
  ? NonNullable<O>
  : never;

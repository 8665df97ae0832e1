import type { Queryable } from "./connection.js";

/**
 * Transaction-scoped advisory locks: the server releases them at COMMIT or ROLLBACK, and
 * when a connection dies, so a crashed runner cannot leave one behind. The keys are
 * (SHIPGATE, purpose); advisory locks are per database, so two ledgers in different schemas
 * of one database share them, which only makes them wait for each other.
 */
const SHIPGATE = 0x73686970; // "ship"

export const ADVISORY_LOCK = {
  /** Held while migrating, so that two runners starting at once do not both migrate. */
  migrations: 1,
  /** Held while appending an event: the head is read and extended by one writer at a time. */
  eventChain: 2,
} as const;

export type AdvisoryLock = (typeof ADVISORY_LOCK)[keyof typeof ADVISORY_LOCK];

/** Waits (up to the connection's lock_timeout) for the lock; call inside a transaction. */
export async function takeAdvisoryLock(client: Queryable, lock: AdvisoryLock): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1, $2)", [SHIPGATE, lock]);
}

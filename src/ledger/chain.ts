import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { ChainProblem, ChainReport, LedgerEvent, NewEvent } from "./types.js";

/**
 * The hash chain over the ledger's events, shared by every implementation.
 *
 * Each event's hash is sha256(prevHash + canonical JSON of {seq, env, deploymentId, type, data,
 * at}), prevHash being the previous event's hash (64 zeros for the first). Editing, deleting,
 * inserting or reordering an event therefore breaks the chain at that event.
 *
 * What a chain alone cannot show: removing the newest events leaves a shorter chain that is
 * still valid, and anyone able to write the database can recompute every hash after a change.
 * Two defences, neither complete:
 * - each deployment row keeps the seq and hash of the newest event appended for it (written in
 *   the same transaction as the event), so truncating a deployment's events is reported, unless
 *   the row is rewritten too; events without a deployment have no such witness;
 * - `ChainReport.head` is the newest hash: publishing it outside the ledger (a CI log, a release
 *   note) lets a later verification prove that nothing up to it was changed or removed.
 */

export const GENESIS_HASH = "0".repeat(64);

/** The fields an event's hash covers. An absent deploymentId is left out of the JSON. */
export type HashedEventFields = Omit<LedgerEvent, "prevHash" | "hash">;

export function eventHash(prevHash: string, fields: HashedEventFields): string {
  const { seq, env, deploymentId, type, data, at } = fields;
  const body = canonicalJson({ seq, env, deploymentId, type, data, at });
  return createHash("sha256")
    .update(prevHash + body)
    .digest("hex");
}

/**
 * The event that extends the chain after `head` (undefined for an empty ledger). The caller
 * reads the head and stores the result in one write transaction. `data` goes through a JSON
 * round trip first, so the returned event is exactly what a reader of the stored JSON gets and
 * its hash verifies later.
 */
export function nextEvent(
  head: { seq: number; hash: string } | undefined,
  event: NewEvent,
  at: string,
): LedgerEvent {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const data = JSON.parse(JSON.stringify(event.data ?? {})) as Record<string, unknown>;
  const fields: HashedEventFields = { seq, env: event.env, type: event.type, data, at };
  if (event.deploymentId !== undefined) fields.deploymentId = event.deploymentId;
  return { ...fields, prevHash, hash: eventHash(prevHash, fields) };
}

/** An event as stored: `data` is the JSON text, parsed only while verifying. */
export type StoredEvent = Omit<LedgerEvent, "data"> & { data: string };

/** What a deployment row records about the newest event appended for it. */
export interface DeploymentHead {
  deploymentId: string;
  lastEventSeq?: number;
  lastEventHash?: string;
}

/**
 * Recomputes the chain over `events` (in seq order) and checks each deployment's recorded
 * newest event against it. Each problem names the seq it concerns; after a problem the check
 * goes on from the stored hash, so one damaged event does not make every later one a problem.
 */
export function verifyEvents(events: Iterable<StoredEvent>, heads?: Iterable<DeploymentHead>): ChainReport {
  const problems: ChainProblem[] = [];
  const headsById = new Map<string, DeploymentHead>();
  const expectedAt = new Map<number, DeploymentHead>();
  for (const head of heads ?? []) {
    headsById.set(head.deploymentId, head);
    if (head.lastEventSeq !== undefined) expectedAt.set(head.lastEventSeq, head);
  }

  let previous: { seq: number; hash: string } | undefined;
  let count = 0;
  for (const event of events) {
    count++;
    checkLink(event, previous, problems);
    checkHash(event, problems);
    // Without heads (a prefix of the chain, checked on its own), only links and hashes count.
    if (heads) checkDeploymentHead(event, headsById, expectedAt, problems);
    previous = { seq: event.seq, hash: event.hash };
  }

  for (const head of expectedAt.values()) {
    problems.push({
      seq: head.lastEventSeq!,
      problem: `deployment ${head.deploymentId} records event ${head.lastEventSeq} (${head.lastEventHash?.slice(0, 12)}…) as its newest, but the chain does not have it: events were deleted or rewritten`,
    });
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { ok: problems.length === 0, events: count, head: previous?.hash ?? GENESIS_HASH, problems };
}

function checkLink(
  event: StoredEvent,
  previous: { seq: number; hash: string } | undefined,
  problems: ChainProblem[],
): void {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (event.seq > expectedSeq) {
    const missing =
      expectedSeq === event.seq - 1
        ? `event ${expectedSeq} is`
        : `events ${expectedSeq}-${event.seq - 1} are`;
    problems.push({ seq: expectedSeq, problem: `${missing} missing: deleted from the chain` });
    return;
  }
  if (event.seq < expectedSeq) {
    problems.push({ seq: event.seq, problem: `out of order: seq ${event.seq} follows seq ${previous?.seq}` });
    return;
  }
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  if (event.prevHash !== expectedPrev) {
    problems.push({
      seq: event.seq,
      problem: `prevHash does not match the hash of event ${event.seq - 1}: an event before it was replaced, inserted or reordered`,
    });
  }
}

function checkHash(event: StoredEvent, problems: ChainProblem[]): void {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(event.data) as Record<string, unknown>;
  } catch {
    problems.push({ seq: event.seq, problem: "data is not valid JSON: the event was edited" });
    return;
  }
  if (eventHash(event.prevHash, { ...event, data }) !== event.hash) {
    problems.push({ seq: event.seq, problem: "hash mismatch: the event was edited after it was written" });
  }
}

function checkDeploymentHead(
  event: StoredEvent,
  headsById: Map<string, DeploymentHead>,
  expectedAt: Map<number, DeploymentHead>,
  problems: ChainProblem[],
): void {
  const expected = expectedAt.get(event.seq);
  if (expected && expected.deploymentId === event.deploymentId && expected.lastEventHash === event.hash) {
    expectedAt.delete(event.seq);
  }
  if (event.deploymentId === undefined) return;
  const head = headsById.get(event.deploymentId);
  if (!head) {
    problems.push({
      seq: event.seq,
      problem: `belongs to deployment ${event.deploymentId}, which the ledger does not have`,
    });
  } else if (head.lastEventSeq === undefined || event.seq > head.lastEventSeq) {
    problems.push({
      seq: event.seq,
      problem: `is newer than deployment ${event.deploymentId}'s recorded newest event: it was added outside the ledger`,
    });
  }
}

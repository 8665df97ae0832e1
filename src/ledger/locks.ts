import { invalidTtl } from "./errors.js";
import type { LockRecord } from "./types.js";

/**
 * The lock rules every implementation applies inside its compare-and-set transaction. A lock
 * can be taken when nobody holds it, when it has expired, when the caller names the holder as
 * `replaceOwner` (it has proved that process dead), or when the caller already holds it (so a
 * retried acquisition is harmless).
 */
export function mayTakeLock(
  holder: LockRecord | undefined,
  request: { owner: string; replaceOwner?: string },
  now: number,
): boolean {
  if (!holder) return true;
  if (Date.parse(holder.expiresAt) <= now) return true;
  if (holder.owner === request.owner) return true;
  return request.replaceOwner !== undefined && holder.owner === request.replaceOwner;
}

/** The expiry of a lock taken or renewed at `now`, as an ISO timestamp. */
export function lockExpiry(now: number, ttlMs: number): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw invalidTtl(ttlMs);
  return new Date(now + ttlMs).toISOString();
}

import { setTimeout as sleepFor } from "node:timers/promises";

/**
 * Exponential back-off with "equal jitter": the wait doubles each attempt up to `maxDelayMs`,
 * and a random half of it is dropped so that many pipelines polling one host spread out
 * while none of them retries in a tight loop.
 */
export function backoffDelay(options: {
  /** 1 for the wait after the first failed attempt. */
  attempt: number;
  initialDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}): number {
  const random = options.random ?? Math.random;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (options.attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleepFor(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    // Same rejection as an aborted request: the caller's own reason.
    throw signal?.aborted ? signal.reason : error;
  }
}

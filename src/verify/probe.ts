import { backoffDelay, sleep } from "./backoff.js";
import { formatDuration } from "./duration.js";
import { httpRequest } from "./http.js";
import type { CheckResult, VerifyProgress } from "./types.js";

export interface ProbeOptions {
  kind: "health" | "ready";
  url: string;
  headers: Record<string, string>;
  /** Epoch milliseconds after which no new attempt starts. */
  deadline: number;
  /** The configured deadline, for the failure message. */
  deadlineMs: number;
  attemptTimeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onProgress: (event: VerifyProgress) => void;
  signal?: AbortSignal;
}

/**
 * Polls a health or readiness endpoint until it answers 2xx or the deadline passes. A new
 * release often needs a while (image pull, migrations, warm-up), so failures are expected
 * and retried; only the deadline makes the check fail.
 */
export async function probe(options: ProbeOptions): Promise<CheckResult> {
  const { kind } = options;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const outcome = await httpRequest({
      url: options.url,
      method: "GET",
      headers: options.headers,
      timeoutMs: options.attemptTimeoutMs,
      ...(options.signal && { signal: options.signal }),
    });
    const latencyMs = Math.round(outcome.ok ? outcome.answer.latencyMs : outcome.latencyMs);
    const status = outcome.ok ? outcome.answer.status : undefined;
    if (status !== undefined && status >= 200 && status < 300) {
      return { name: kind, kind, ok: true, status, attempts, latencyMs, failures: [] };
    }

    const remaining = options.deadline - Date.now();
    if (remaining <= 0) {
      const last = outcome.ok ? `expected status 2xx, got ${status}` : outcome.error;
      return {
        name: kind,
        kind,
        ok: false,
        ...(status !== undefined && { status }),
        attempts,
        ...(outcome.ok && { latencyMs }),
        failures: [
          last,
          `gave up after ${attempts} ${attempts === 1 ? "attempt" : "attempts"}: deadline of ${formatDuration(options.deadlineMs)} passed`,
        ],
      };
    }
    // Never sleep past the deadline: the last attempt happens right at it.
    const retryInMs = Math.min(
      remaining,
      backoffDelay({
        attempt: attempts,
        initialDelayMs: options.initialDelayMs,
        maxDelayMs: options.maxDelayMs,
      }),
    );
    options.onProgress({
      type: "retry",
      check: kind,
      kind,
      attempt: attempts,
      outcome: outcome.ok ? String(status) : outcome.error,
      retryInMs,
    });
    await sleep(retryInMs, options.signal);
  }
}

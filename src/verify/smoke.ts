import { backoffDelay, sleep } from "./backoff.js";
import { expectationFailures } from "./expectations.js";
import { httpRequest } from "./http.js";
import type { CheckResult, SmokeCheck, VerifyProgress } from "./types.js";

export interface SmokeRunOptions {
  check: SmokeCheck;
  url: string;
  /** Sent with every request; the check's own headers win. */
  headers: Record<string, string>;
  attemptTimeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onProgress: (event: VerifyProgress) => void;
  signal?: AbortSignal;
}

/** Runs one smoke check, with its own `retries` for endpoints that are known to be flaky. */
export async function runSmokeCheck(options: SmokeRunOptions): Promise<CheckResult> {
  const { check } = options;
  // Lower-cased so a check's `authorization` replaces a global `Authorization` instead of joining it.
  const merged = Object.fromEntries(
    [...Object.entries(options.headers), ...Object.entries(check.headers)].map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const { body, headers } = requestBody(check, merged);
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const outcome = await httpRequest({
      url: options.url,
      method: check.method,
      headers,
      ...(body !== undefined && { body }),
      timeoutMs: options.attemptTimeoutMs,
      ...(options.signal && { signal: options.signal }),
    });
    const result: CheckResult = outcome.ok
      ? {
          name: check.name,
          kind: "smoke",
          ok: false,
          status: outcome.answer.status,
          attempts,
          latencyMs: Math.round(outcome.answer.latencyMs),
          failures: expectationFailures(check, outcome.answer),
        }
      : { name: check.name, kind: "smoke", ok: false, attempts, failures: [outcome.error] };
    result.ok = result.failures.length === 0;
    if (result.ok || attempts > check.retries) return result;

    const retryInMs = backoffDelay({
      attempt: attempts,
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: options.maxDelayMs,
    });
    options.onProgress({
      type: "retry",
      check: check.name,
      kind: "smoke",
      attempt: attempts,
      outcome: result.failures.join("; "),
      retryInMs,
    });
    await sleep(retryInMs, options.signal);
  }
}

/** A mapping or list body is sent as JSON, with a content type unless the check set one. */
function requestBody(
  check: SmokeCheck,
  headers: Record<string, string>,
): { body?: string; headers: Record<string, string> } {
  if (check.body === undefined || typeof check.body === "string") {
    return { ...(check.body !== undefined && { body: check.body }), headers };
  }
  return { body: JSON.stringify(check.body), headers: { "content-type": "application/json", ...headers } };
}

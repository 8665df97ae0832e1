import { formatDuration } from "./duration.js";
import type { HttpMethod } from "./types.js";

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** Until the whole body arrived. */
  latencyMs: number;
}

export type HttpOutcome = { ok: true; answer: HttpAnswer } | { ok: false; error: string; latencyMs: number };

/**
 * One request with a time limit. Network failures and time-outs are outcomes, not
 * exceptions, because the caller retries them; only the caller's own abort signal throws.
 */
export async function httpRequest(options: {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<HttpOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const started = performance.now();
  try {
    const response = await fetch(options.url, {
      method: options.method,
      headers: options.headers,
      ...(options.body !== undefined && { body: options.body }),
      // A check asserts what this URL answers; following a redirect would hide a 301 to a login page.
      redirect: "manual",
      signal,
    });
    const body = await response.text();
    return {
      ok: true,
      answer: {
        status: response.status,
        headers: response.headers,
        body,
        latencyMs: performance.now() - started,
      },
    };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    return {
      ok: false,
      error: describeFetchError(error, options.timeoutMs),
      latencyMs: performance.now() - started,
    };
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/** A few words for progress lines and reports; undici's own message is just "fetch failed". */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${formatDuration(timeoutMs)}`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code;
  if (code && NETWORK_CODES[code]) return NETWORK_CODES[code];
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `TLS error: ${cause?.message ?? code}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

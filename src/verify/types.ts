export type CheckKind = "health" | "ready" | "smoke";

export interface CheckResult {
  name: string;
  kind: CheckKind;
  ok: boolean;
  /** Set when the check never ran because the release did not become healthy or ready. */
  skipped?: boolean;
  /** Status of the last attempt, when it got an answer. */
  status?: number;
  attempts: number;
  /** Latency of the last attempt, when it got an answer. */
  latencyMs?: number;
  /** Why the check failed, one reason per entry; empty when it passed. */
  failures: string[];
}

export interface VerifyReport {
  ok: boolean;
  baseUrl: string;
  checks: CheckResult[];
  durationMs: number;
}

/** What `onProgress` receives while the verification runs. */
export type VerifyProgress =
  | {
      type: "retry";
      check: string;
      kind: CheckKind;
      attempt: number;
      /** The failed attempt in a few words: `503`, `connection refused`, `expected status 200, got 500`. */
      outcome: string;
      retryInMs: number;
    }
  | { type: "check"; result: CheckResult };

export interface VerifyOptions {
  /** The release under test, such as `https://canary.example.com`; paths are appended to it. */
  baseUrl: string;
  /** Default `/health`. */
  healthPath?: string;
  /** Default `/ready`; `null` skips the readiness probe. */
  readyPath?: string | null;
  /** YAML file of smoke checks, run once the release is healthy and ready. */
  smokeFile?: string;
  /** Directory `smokeFile` is relative to; default the process's working directory. */
  cwd?: string;
  /** How long health and readiness may take in total. Default 300000 (5 minutes). */
  deadlineMs?: number;
  /** Time limit of one request. Default 5000. */
  attemptTimeoutMs?: number;
  /** First wait between attempts; it doubles (with jitter) up to `maxDelayMs`. Default 1000. */
  initialDelayMs?: number;
  /** Default 15000. */
  maxDelayMs?: number;
  /** Sent with every request, such as an Authorization header for a protected staging host. */
  headers?: Record<string, string>;
  onProgress?: (event: VerifyProgress) => void;
  signal?: AbortSignal;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

/** A smoke check as loaded from the smoke file, defaults applied. */
export interface SmokeCheck {
  name: string;
  path: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string | Record<string, unknown> | unknown[];
  expect: SmokeExpectations;
  maxLatencyMs?: number;
  retries: number;
}

export interface SmokeExpectations {
  /** Accepted status codes; when absent any 2xx passes. */
  status?: number[];
  bodyContains: string[];
  /** JSONPath expression → expected value, compared deeply. */
  json: Record<string, unknown>;
  /** Header name → exact expected value. */
  header: Record<string, string>;
}

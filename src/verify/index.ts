import { inputError } from "../errors.js";
import { probe } from "./probe.js";
import { runSmokeCheck } from "./smoke.js";
import { loadSmokeFile } from "./smoke-file.js";
import type { CheckResult, SmokeCheck, VerifyOptions, VerifyReport } from "./types.js";

export { formatDuration, parseDuration } from "./duration.js";
export { evaluateJsonPath, parseJsonPath, queryJson } from "./jsonpath.js";
export { renderProgress, renderReport } from "./render.js";
export { loadSmokeFile, parseSmokeFile } from "./smoke-file.js";
export type * from "./types.js";

const DEFAULTS = {
  healthPath: "/health",
  readyPath: "/ready",
  deadlineMs: 300_000,
  attemptTimeoutMs: 5000,
  initialDelayMs: 1000,
  maxDelayMs: 15_000,
};

/**
 * Checks a freshly deployed release: waits for health, then readiness (retrying with
 * back-off until the deadline), then runs each smoke check once. Bad input (URL, smoke file,
 * options) throws `ShipgateError` with exit code 2; a failing release is a report with `ok: false`.
 */
export async function verifyRelease(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const { base, headers } = parseBaseUrl(options.baseUrl);
  const healthPath = checkPath(options.healthPath ?? DEFAULTS.healthPath, "health path");
  const readyPath =
    options.readyPath === null ? null : checkPath(options.readyPath ?? DEFAULTS.readyPath, "ready path");
  const timing = {
    deadlineMs: positive(options.deadlineMs ?? DEFAULTS.deadlineMs, "deadlineMs"),
    attemptTimeoutMs: positive(options.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs, "attemptTimeoutMs"),
    initialDelayMs: positive(options.initialDelayMs ?? DEFAULTS.initialDelayMs, "initialDelayMs"),
    maxDelayMs: positive(options.maxDelayMs ?? DEFAULTS.maxDelayMs, "maxDelayMs"),
  };
  // Read the smoke file first: a typo in it should fail in a second, not after the deadline.
  const smoke: SmokeCheck[] = options.smokeFile
    ? await loadSmokeFile({ path: options.smokeFile, ...(options.cwd && { cwd: options.cwd }) })
    : [];

  const allHeaders = { ...headers, ...options.headers };
  const onProgress = options.onProgress ?? (() => {});
  const signal = options.signal ? { signal: options.signal } : {};
  const checks: CheckResult[] = [];
  const record = (result: CheckResult) => {
    checks.push(result);
    onProgress({ type: "check", result });
    return result;
  };

  const deadline = Date.now() + timing.deadlineMs;
  const probeOptions = { headers: allHeaders, deadline, ...timing, onProgress, ...signal };
  const health = record(await probe({ kind: "health", url: join(base, healthPath), ...probeOptions }));
  let gate = health.ok ? undefined : "health";
  if (readyPath !== null) {
    if (gate) record(skipped({ name: "ready", kind: "ready", because: gate }));
    else {
      const ready = record(await probe({ kind: "ready", url: join(base, readyPath), ...probeOptions }));
      if (!ready.ok) gate = "ready";
    }
  }
  for (const check of smoke) {
    if (gate) {
      record(skipped({ name: check.name, kind: "smoke", because: gate }));
      continue;
    }
    record(
      await runSmokeCheck({
        check,
        url: join(base, check.path),
        headers: allHeaders,
        attemptTimeoutMs: timing.attemptTimeoutMs,
        initialDelayMs: timing.initialDelayMs,
        maxDelayMs: timing.maxDelayMs,
        onProgress,
        ...signal,
      }),
    );
  }

  return {
    ok: checks.every((check) => check.ok),
    baseUrl: base,
    checks,
    durationMs: Math.round(performance.now() - started),
  };
}

function skipped(options: { name: string; kind: CheckResult["kind"]; because: string }): CheckResult {
  return {
    name: options.name,
    kind: options.kind,
    ok: false,
    skipped: true,
    attempts: 0,
    failures: [`not run: ${options.because} check did not pass`],
  };
}

/**
 * fetch refuses URLs with credentials, so `https://user:pass@host` becomes a Basic
 * Authorization header and the report shows the URL without them.
 */
function parseBaseUrl(text: string): { base: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl(text, "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidUrl(text, `unsupported scheme ${url.protocol}`);
  }
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  if (url.search || url.hash) throw invalidUrl(text, "a base URL has no query or fragment");
  // Paths are appended, so https://example.com/app + /health is https://example.com/app/health.
  return { base: url.href.replace(/\/+$/, ""), headers };
}

function invalidUrl(text: string, reason: string) {
  return inputError("verify/base-url", `invalid base URL "${text}": ${reason}`, {
    hint: "pass the release's address with its scheme, such as https://canary.example.com",
  });
}

function join(base: string, path: string): string {
  return `${base}${path}`;
}

function checkPath(path: string, what: string): string {
  if (!path.startsWith("/")) {
    throw inputError("verify/path", `the ${what} must start with "/", got "${path}"`, {
      hint: "such as /health or /ready",
    });
  }
  return path;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw inputError("verify/options", `${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

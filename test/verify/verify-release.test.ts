import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyRelease } from "../../src/verify/index.js";
import type { VerifyProgress } from "../../src/verify/types.js";
import { freePort, SAMPLE_APP_DIR, startSampleApp } from "../examples/sample-app.js";
import { tempDir } from "../helpers/tmp.js";
import { failingFirst, healthy, json, startServer } from "./server.js";

/** Small delays so retries take milliseconds, not seconds. */
const FAST = { initialDelayMs: 20, maxDelayMs: 100, deadlineMs: 2000, attemptTimeoutMs: 1000 };

async function smokeFile(text: string): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, "smoke.yml");
  await writeFile(file, text);
  return file;
}

describe("verifyRelease", () => {
  it("passes against the sample app with its smoke file", async () => {
    const app = await startSampleApp({ env: { APP_VERSION: "1.4.0" } });
    const events: VerifyProgress[] = [];
    const report = await verifyRelease({
      baseUrl: app.baseUrl,
      smokeFile: "smoke.yml",
      cwd: SAMPLE_APP_DIR,
      ...FAST,
      onProgress: (event) => events.push(event),
    });
    expect(report.ok).toBe(true);
    expect(report.baseUrl).toBe(app.baseUrl);
    expect(report.checks.map((c) => [c.name, c.kind, c.ok, c.status, c.attempts])).toEqual([
      ["health", "health", true, 200, 1],
      ["ready", "ready", true, 200, 1],
      ["service root", "smoke", true, 200, 1],
      ["list orders", "smoke", true, 200, 1],
      ["create order", "smoke", true, 201, 1],
      ["metrics are exposed", "smoke", true, 200, 1],
      ["unknown routes answer 404", "smoke", true, 404, 1],
    ]);
    for (const check of report.checks) {
      expect(check.failures).toEqual([]);
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(events.filter((e) => e.type === "check")).toHaveLength(7);
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("waits for a sample app that is not ready yet", async () => {
    const app = await startSampleApp({ env: { STARTUP_DELAY_MS: "300" } });
    const report = await verifyRelease({ baseUrl: app.baseUrl, ...FAST });
    expect(report.ok).toBe(true);
    expect(report.checks[1]?.attempts).toBeGreaterThan(1);
  });

  it("retries a health check that fails, then recovers", async () => {
    const server = await startServer(failingFirst(3, 503, healthy));
    const events: VerifyProgress[] = [];
    const report = await verifyRelease({
      baseUrl: server.baseUrl,
      ...FAST,
      onProgress: (event) => events.push(event),
    });
    expect(report.ok).toBe(true);
    expect(report.checks[0]).toMatchObject({
      name: "health",
      ok: true,
      status: 200,
      attempts: 4,
      failures: [],
    });
    expect(report.checks[1]).toMatchObject({ name: "ready", ok: true, attempts: 4 });
    const retries = events.filter((e) => e.type === "retry" && e.kind === "health");
    expect(retries.map((e) => e.type === "retry" && [e.attempt, e.outcome])).toEqual([
      [1, "503"],
      [2, "503"],
      [3, "503"],
    ]);
    // Back-off: each wait is at least half of initialDelayMs doubled per attempt, capped at maxDelayMs.
    for (const e of retries) {
      if (e.type !== "retry") continue;
      expect(e.retryInMs).toBeGreaterThanOrEqual(Math.min(100, 20 * 2 ** (e.attempt - 1)) / 2);
      expect(e.retryInMs).toBeLessThanOrEqual(100);
    }
    expect(server.requests.filter((r) => r.url === "/health")).toHaveLength(4);
  });

  it("fails when the deadline passes, counting attempts and skipping the rest", async () => {
    const server = await startServer((_req, res) => json(res, 503, { status: "down" }));
    const file = await smokeFile("- path: /api/orders\n");
    const started = performance.now();
    const report = await verifyRelease({
      baseUrl: server.baseUrl,
      smokeFile: file,
      ...FAST,
      deadlineMs: 300,
    });
    const elapsed = performance.now() - started;
    expect(report.ok).toBe(false);
    const [health, ready, smoke] = report.checks;
    expect(health?.ok).toBe(false);
    expect(health?.status).toBe(503);
    expect(health?.attempts).toBeGreaterThanOrEqual(3);
    expect(health?.attempts).toBe(server.requests.length);
    expect(health?.failures).toEqual([
      "expected status 2xx, got 503",
      `gave up after ${health?.attempts} attempts: deadline of 300ms passed`,
    ]);
    expect(ready).toMatchObject({
      ok: false,
      skipped: true,
      attempts: 0,
      failures: ["not run: health check did not pass"],
    });
    expect(smoke).toMatchObject({ name: "GET /api/orders", skipped: true, attempts: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(1500);
  });

  it("reports a refused connection and an unanswered request in words", async () => {
    const closed = await verifyRelease({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      ...FAST,
      deadlineMs: 100,
    });
    expect(closed.checks[0]?.failures[0]).toBe("connection refused");
    expect(closed.checks[0]?.status).toBeUndefined();

    const hanging = await startServer(() => {
      // Never answers.
    });
    const slow = await verifyRelease({
      baseUrl: hanging.baseUrl,
      ...FAST,
      deadlineMs: 150,
      attemptTimeoutMs: 100,
    });
    expect(slow.checks[0]?.failures[0]).toBe("no answer within 100ms");
  });

  it("fails a readiness probe on its own and skips smoke checks", async () => {
    const server = await startServer((req, res) =>
      req.url === "/ready" ? json(res, 503, { status: "starting" }) : json(res, 200, { status: "ok" }),
    );
    const file = await smokeFile("- path: /\n");
    const report = await verifyRelease({
      baseUrl: server.baseUrl,
      smokeFile: file,
      ...FAST,
      deadlineMs: 200,
    });
    expect(report.checks.map((c) => [c.name, c.ok, c.skipped ?? false])).toEqual([
      ["health", true, false],
      ["ready", false, false],
      ["GET /", false, true],
    ]);
    expect(report.checks[2]?.failures).toEqual(["not run: ready check did not pass"]);
  });

  it("skips the readiness probe when readyPath is null and uses custom paths", async () => {
    const server = await startServer((req, res) =>
      req.url === "/_/healthz" ? json(res, 200, { ok: true }) : json(res, 404, {}),
    );
    const report = await verifyRelease({
      baseUrl: server.baseUrl,
      healthPath: "/_/healthz",
      readyPath: null,
      ...FAST,
    });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(["health"]);
  });

  it("lists every way a smoke check fails", async () => {
    const server = await startServer(async (req, res) => {
      if (req.url !== "/api/status") return json(res, 200, { status: "ok" });
      await new Promise((resolve) => setTimeout(resolve, 120));
      json(res, 503, { status: "degraded", items: [1, 2] }, { "x-app-version": "0.9.0" });
    });
    const file = await smokeFile(
      [
        "checks:",
        "  - name: status",
        "    path: /api/status",
        "    maxLatencyMs: 50",
        "    expect:",
        "      status: 200",
        "      bodyContains: healthy",
        "      json:",
        "        $.status: ok",
        "        $.items.length: 3",
        "        $.items[5]: 1",
        "      header:",
        "        x-app-version: 1.0.0",
        "        x-missing: yes",
      ].join("\n"),
    );
    const report = await verifyRelease({ baseUrl: server.baseUrl, smokeFile: file, ...FAST });
    expect(report.ok).toBe(false);
    const smoke = report.checks[2];
    expect(smoke).toMatchObject({ name: "status", kind: "smoke", ok: false, status: 503, attempts: 1 });
    expect(smoke?.failures.slice(0, -1)).toEqual([
      "expected status 200, got 503",
      'body does not contain "healthy"',
      '$.status: expected "ok", got "degraded"',
      "$.items.length: expected 3, got 2",
      "$.items[5]: expected 1, got nothing (no such path)",
      'header x-app-version: expected "1.0.0", got "0.9.0"',
      'header x-missing: expected "yes", got none',
    ]);
    expect(smoke?.failures.at(-1)).toMatch(/^latency \d+ ms over budget 50 ms$/);
    expect(smoke?.latencyMs).toBeGreaterThanOrEqual(100);
  });

  it("fails JSON expectations on a body that is not JSON, and expects 2xx by default", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/text") {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal Server Error");
        return;
      }
      json(res, 200, { status: "ok" });
    });
    const file = await smokeFile("- path: /text\n  expect:\n    json:\n      $.status: ok\n");
    const report = await verifyRelease({ baseUrl: server.baseUrl, smokeFile: file, ...FAST });
    expect(report.checks[2]?.failures).toEqual([
      "expected status 2xx, got 500",
      'body is not JSON (starts with "Internal Server Error")',
    ]);
  });

  it("retries a smoke check up to its retries", async () => {
    let calls = 0;
    const server = await startServer((req, res) => {
      if (req.url !== "/flaky") return json(res, 200, { status: "ok" });
      calls += 1;
      json(res, calls < 3 ? 500 : 200, { calls });
    });
    const events: VerifyProgress[] = [];
    const pass = await verifyRelease({
      baseUrl: server.baseUrl,
      smokeFile: await smokeFile("- path: /flaky\n  retries: 2\n"),
      ...FAST,
      onProgress: (event) => events.push(event),
    });
    expect(pass.checks[2]).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.outcome)).toEqual([
      "expected status 2xx, got 500",
      "expected status 2xx, got 500",
    ]);

    calls = 0;
    const fail = await verifyRelease({
      baseUrl: server.baseUrl,
      smokeFile: await smokeFile("- path: /flaky\n  retries: 1\n"),
      ...FAST,
    });
    expect(fail.checks[2]).toMatchObject({
      ok: false,
      attempts: 2,
      failures: ["expected status 2xx, got 500"],
    });
  });

  it("sends methods, bodies and headers, and does not follow redirects", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/old") {
        res.writeHead(302, { location: "/new" });
        res.end();
        return;
      }
      json(res, req.method === "POST" ? 201 : 200, { status: "ok" });
    });
    const file = await smokeFile(
      [
        "- path: /api/orders",
        "  method: post",
        "  headers: { x-request-id: smoke-1, authorization: Token check-level }",
        "  body: { item: tea, quantity: 2 }",
        "  expect: { status: 201 }",
        "- path: /raw",
        "  method: PUT",
        "  headers: { content-type: text/plain }",
        "  body: hello",
        "- path: /old",
        "  expect: { status: 302, header: { location: /new } }",
      ].join("\n"),
    );
    const report = await verifyRelease({
      baseUrl: server.baseUrl,
      smokeFile: file,
      headers: { Authorization: "Token global", "x-env": "staging" },
      ...FAST,
    });
    expect(report.ok).toBe(true);
    const [health, , post, put, redirect] = server.requests;
    expect(health?.headers.authorization).toBe("Token global");
    expect(health?.headers["x-env"]).toBe("staging");
    expect(post).toMatchObject({ method: "POST", url: "/api/orders", body: '{"item":"tea","quantity":2}' });
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.headers["x-request-id"]).toBe("smoke-1");
    // The check's own header replaces the global one rather than being joined to it.
    expect(post?.headers.authorization).toBe("Token check-level");
    expect(put).toMatchObject({ method: "PUT", body: "hello" });
    expect(put?.headers["content-type"]).toBe("text/plain");
    expect(redirect?.url).toBe("/old");
    expect(server.requests).toHaveLength(5);
  });

  it("appends paths to a base URL with a path, and turns URL credentials into Basic auth", async () => {
    const server = await startServer(healthy);
    const url = new URL(server.baseUrl);
    const report = await verifyRelease({
      baseUrl: `http://deploy:s3cret@${url.host}/app/`,
      ...FAST,
    });
    expect(report.ok).toBe(true);
    expect(report.baseUrl).toBe(`http://${url.host}/app`);
    expect(server.requests.map((r) => r.url)).toEqual(["/app/health", "/app/ready"]);
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("deploy:s3cret").toString("base64")}`,
    );
  });

  it.each([
    [{ baseUrl: "not a url" }, "verify/base-url", 'invalid base URL "not a url": not a URL'],
    [
      { baseUrl: "ftp://example.com" },
      "verify/base-url",
      'invalid base URL "ftp://example.com": unsupported scheme ftp:',
    ],
    [{ baseUrl: "http://x/?a=1" }, "verify/base-url", "a base URL has no query or fragment"],
    [{ baseUrl: "http://x", healthPath: "health" }, "verify/path", 'the health path must start with "/"'],
    [{ baseUrl: "http://x", deadlineMs: 0 }, "verify/options", "deadlineMs must be a positive number"],
    [
      { baseUrl: "http://x", smokeFile: "/does/not/exist.yml" },
      "verify/smoke-file",
      "cannot read smoke file",
    ],
  ])("rejects bad input %j", async (options, code, message) => {
    await expect(verifyRelease(options)).rejects.toMatchObject({
      code,
      exitCode: 2,
      message: expect.stringContaining(message),
    });
  });

  it("checks the smoke file before waiting for the release", async () => {
    const file = await smokeFile("- path: nope\n");
    const started = performance.now();
    await expect(
      verifyRelease({ baseUrl: `http://127.0.0.1:${await freePort()}`, smokeFile: file, deadlineMs: 60_000 }),
    ).rejects.toMatchObject({ code: "verify/smoke-file" });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("stops when the signal aborts", async () => {
    const server = await startServer((_req, res) => json(res, 503, {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by test")), 100);
    await expect(
      verifyRelease({ baseUrl: server.baseUrl, ...FAST, deadlineMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow("cancelled by test");
  });
});

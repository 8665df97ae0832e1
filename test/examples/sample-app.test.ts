import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_APP_DIR, startSampleApp } from "./sample-app.js";

async function get(url: string, init?: RequestInit) {
  const started = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { res, text, ms: performance.now() - started };
}

describe("sample app", () => {
  it("answers every route with the version in a header and in JSON bodies", async () => {
    const app = await startSampleApp({ env: { APP_VERSION: "2.3.4" } });

    const health = await get(`${app.baseUrl}/health`);
    expect(health.res.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: "ok", version: "2.3.4" });

    const ready = await get(`${app.baseUrl}/ready`);
    expect(ready.res.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: "ready", version: "2.3.4" });

    const root = await get(`${app.baseUrl}/`);
    expect(root.res.status).toBe(200);
    expect(JSON.parse(root.text)).toMatchObject({ service: "sample-app", version: "2.3.4" });

    const orders = await get(`${app.baseUrl}/api/orders?page=1`);
    expect(orders.res.status).toBe(200);
    const body = JSON.parse(orders.text);
    expect(body.version).toBe("2.3.4");
    expect(body.orders).toHaveLength(3);
    expect(body.orders[0]).toEqual({ id: 1, item: "espresso", quantity: 2 });

    const missing = await get(`${app.baseUrl}/nope`);
    expect(missing.res.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: "not found", path: "/nope", version: "2.3.4" });

    const metrics = await get(`${app.baseUrl}/metrics`);
    expect(metrics.res.status).toBe(200);
    expect(metrics.res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);

    for (const { res } of [health, ready, root, orders, missing, metrics]) {
      expect(res.headers.get("x-app-version")).toBe("2.3.4");
    }
  });

  it("takes the version from package.json when APP_VERSION is not set", async () => {
    const app = await startSampleApp();
    const pkg = JSON.parse(await readFile(join(SAMPLE_APP_DIR, "package.json"), "utf8"));
    const { res, text } = await get(`${app.baseUrl}/health`);
    expect(res.headers.get("x-app-version")).toBe(pkg.version);
    expect(JSON.parse(text).version).toBe("1.0.0");
  });

  it("creates orders on POST and rejects bad bodies and methods", async () => {
    const app = await startSampleApp();
    const created = await get(`${app.baseUrl}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "tea", quantity: 2 }),
    });
    expect(created.res.status).toBe(201);
    expect(JSON.parse(created.text)).toEqual({
      order: { id: 4, item: "tea", quantity: 2 },
      version: "1.0.0",
    });

    const notJson = await get(`${app.baseUrl}/api/orders`, { method: "POST", body: "{" });
    expect(notJson.res.status).toBe(400);
    const wrongMethod = await get(`${app.baseUrl}/health`, { method: "DELETE" });
    expect(wrongMethod.res.status).toBe(405);
    expect(wrongMethod.res.headers.get("allow")).toBe("GET, HEAD");
    const head = await get(`${app.baseUrl}/api/orders`, { method: "HEAD" });
    expect(head.res.status).toBe(200);
    expect(head.text).toBe("");
  });

  it("is not ready during STARTUP_DELAY_MS", async () => {
    const app = await startSampleApp({ env: { STARTUP_DELAY_MS: "400" } });
    const early = await get(`${app.baseUrl}/ready`);
    expect(early.res.status).toBe(503);
    expect(JSON.parse(early.text).status).toBe("starting");
    expect((await get(`${app.baseUrl}/health`)).res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await get(`${app.baseUrl}/ready`)).res.status).toBe(200);
  });

  it("fails every app request with FAULT_ERROR_RATE=1 but keeps health, ready and metrics up", async () => {
    const app = await startSampleApp({ env: { FAULT_ERROR_RATE: "1" } });
    for (let i = 0; i < 10; i++) {
      const { res, text } = await get(`${app.baseUrl}/api/orders`);
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: "injected fault", version: "1.0.0" });
    }
    expect((await get(`${app.baseUrl}/`)).res.status).toBe(500);
    expect((await get(`${app.baseUrl}/health`)).res.status).toBe(200);
    expect((await get(`${app.baseUrl}/ready`)).res.status).toBe(200);
    const metrics = await get(`${app.baseUrl}/metrics`);
    expect(metrics.res.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total{route="/api/orders",status="500"} 10');
  });

  it("adds FAULT_LATENCY_MS to app routes only", async () => {
    const app = await startSampleApp({ env: { FAULT_LATENCY_MS: "300" } });
    const slow = await get(`${app.baseUrl}/api/orders`);
    expect(slow.res.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    const fast = await get(`${app.baseUrl}/health`);
    expect(fast.ms).toBeLessThan(250);
  });

  it("fails health with FAULT_HEALTH=fail", async () => {
    const app = await startSampleApp({ env: { FAULT_HEALTH: "fail" } });
    const { res, text } = await get(`${app.baseUrl}/health`);
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: "failing", version: "1.0.0" });
  });

  it("exposes metrics in the Prometheus text format", async () => {
    const app = await startSampleApp({ env: { APP_VERSION: "3.0.0" } });
    await get(`${app.baseUrl}/api/orders`);
    await get(`${app.baseUrl}/api/orders`);
    await get(`${app.baseUrl}/missing/1`);
    await get(`${app.baseUrl}/missing/2`);
    const { text } = await get(`${app.baseUrl}/metrics`);

    const comment = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/;
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? -?[0-9.e+-]+$/;
    const lines = text.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(line.startsWith("#") ? comment : sample);
    expect(text.endsWith("\n")).toBe(true);

    expect(lines).toContain("# TYPE http_requests_total counter");
    expect(lines).toContain("# TYPE http_request_duration_seconds histogram");
    expect(lines).toContain("# TYPE app_info gauge");
    expect(lines).toContain('app_info{version="3.0.0"} 1');
    expect(lines).toContain('http_requests_total{route="/api/orders",status="200"} 2');
    // Unknown paths share one label value.
    expect(lines).toContain('http_requests_total{route="other",status="404"} 2');

    const buckets = lines
      .filter((l) => l.startsWith('http_request_duration_seconds_bucket{route="/api/orders"'))
      .map((l) => Number(l.split(" ")[1]));
    expect(buckets.length).toBeGreaterThan(5);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(buckets.at(-1)).toBe(2);
    expect(
      lines.some((l) =>
        l.startsWith('http_request_duration_seconds_bucket{route="/api/orders",le="+Inf"} 2'),
      ),
    ).toBe(true);
    expect(lines).toContain('http_request_duration_seconds_count{route="/api/orders"} 2');
  });

  it("drains on SIGTERM: the request in flight completes, new connections are refused, exit 0", async () => {
    const app = await startSampleApp({ env: { FAULT_LATENCY_MS: "600" } });
    const inFlight = get(`${app.baseUrl}/api/orders`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited = app.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${app.baseUrl}/health`)).rejects.toThrow();

    const { res, text } = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get("connection")).toBe("close");
    expect(JSON.parse(text).orders).toHaveLength(3);
    expect(await exited).toBe(0);
    expect(app.output()).toContain('"msg":"drained"');
  });

  it("exits 1 when in-flight requests outlast DRAIN_TIMEOUT_MS", async () => {
    const app = await startSampleApp({ env: { FAULT_LATENCY_MS: "5000", DRAIN_TIMEOUT_MS: "200" } });
    const inFlight = fetch(`${app.baseUrl}/api/orders`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    expect(await app.stop("SIGTERM")).toBe(1);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await inFlight).toBeInstanceOf(Error);
  });

  it("refuses to start with an invalid setting", async () => {
    await expect(startSampleApp({ env: { FAULT_ERROR_RATE: "2" } })).rejects.toThrow(
      /FAULT_ERROR_RATE must be a number from 0 to 1/,
    );
  });
});

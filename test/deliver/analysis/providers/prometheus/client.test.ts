import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  PrometheusClient,
  PrometheusQueryError,
} from "../../../../../src/deliver/analysis/providers/prometheus/client.js";
import { freePort } from "../../../../../src/net/free-port.js";
import { NOT_A_SELECTOR_ANSWER, REQUESTS_ANSWER } from "./recorded.js";

interface Received {
  path: string;
  method: string;
  headers: IncomingMessage["headers"];
  form: URLSearchParams;
}

/** A server that answers each request with what `answer` says and records what it got. */
function recordingServer() {
  const received: Received[] = [];
  let answer: (r: Received) => { status: number; body: string; delayMs?: number } = () => ({
    status: 200,
    body: JSON.stringify(REQUESTS_ANSWER),
  });
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const r = {
        path: req.url ?? "",
        method: req.method ?? "",
        headers: req.headers,
        form: new URLSearchParams(body),
      };
      received.push(r);
      const { status, body: text, delayMs } = answer(r);
      setTimeout(() => res.writeHead(status, { "content-type": "application/json" }).end(text), delayMs ?? 0);
    });
  });
  return {
    server,
    received,
    answerWith(fn: typeof answer) {
      answer = fn;
    },
  };
}

describe("PrometheusClient against recorded answers", () => {
  const fake = recordingServer();
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        fake.server.close(() => resolve());
        fake.server.closeAllConnections();
      }),
  );

  const client = (extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}) =>
    new PrometheusClient({ url: base, timeoutMs: 2000, ...extra });

  test("asks for every raw sample of the selector's series in the range, at the given time", async () => {
    fake.answerWith(() => ({ status: 200, body: JSON.stringify(REQUESTS_ANSWER) }));
    const series = await client().samples('http_requests_total{shipgate_release="canary-1"}', {
      at: 1796607145.2114,
      rangeSeconds: 12.2,
    });
    const sent = fake.received.at(-1)!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/api/v1/query");
    expect(sent.form.get("query")).toBe('http_requests_total{shipgate_release="canary-1"}[13s]');
    expect(sent.form.get("time")).toBe("1796607145.211");
    expect(sent.form.get("timeout")).toBe("2s");
    expect(series).toHaveLength(2);
    expect(series[1]).toEqual({
      labels: expect.objectContaining({ status: "500", instance: "127.0.0.1:42575" }),
      samples: [
        { at: 1796607142.9, value: 12 },
        { at: 1796607143.9, value: 12 },
        { at: 1796607144.905, value: 12 },
      ],
    });
  });

  test("keeps the URL's path prefix (a Prometheus behind a proxy path)", async () => {
    await client({ url: `${base}/prometheus` }).samples("up", { at: 1, rangeSeconds: 1 });
    expect(fake.received.at(-1)!.path).toBe("/prometheus/api/v1/query");
  });

  test("sends a bearer token or basic credentials read from the environment", async () => {
    const environment = { PROM_TOKEN: "t0ken-value-1234", PROM_USER: "reader", PROM_PASSWORD: "pa55" };
    await client({ auth: { bearerTokenEnv: "PROM_TOKEN" }, environment }).samples("up", {
      at: 1,
      rangeSeconds: 1,
    });
    expect(fake.received.at(-1)!.headers.authorization).toBe("Bearer t0ken-value-1234");
    await client({ auth: { usernameEnv: "PROM_USER", passwordEnv: "PROM_PASSWORD" }, environment }).samples(
      "up",
      {
        at: 1,
        rangeSeconds: 1,
      },
    );
    expect(fake.received.at(-1)!.headers.authorization).toBe(
      `Basic ${Buffer.from("reader:pa55").toString("base64")}`,
    );
    await client({ headers: { "X-Scope-OrgID": "team-a" } }).samples("up", { at: 1, rangeSeconds: 1 });
    expect(fake.received.at(-1)!.headers["x-scope-orgid"]).toBe("team-a");
  });

  test("a missing credential variable is a failed query that names the variable, not a request without it", async () => {
    const before = fake.received.length;
    await expect(
      client({ auth: { bearerTokenEnv: "PROM_TOKEN" }, environment: {} }).samples("up", {
        at: 1,
        rangeSeconds: 1,
      }),
    ).rejects.toThrow("environment variable PROM_TOKEN (analysis.provider.auth) is not set");
    expect(fake.received.length).toBe(before);
  });

  test("Prometheus's own refusal is passed on", async () => {
    fake.answerWith(() => ({ status: 400, body: JSON.stringify(NOT_A_SELECTOR_ANSWER) }));
    await expect(client().samples("sum(http_requests_total)", { at: 1, rangeSeconds: 3 })).rejects.toThrow(
      'Prometheus refused the query (bad_data), HTTP 400: invalid parameter "query": 1:25: parse error: ranges only allowed for vector selectors',
    );
  });

  test("an answer that is not the API (a proxy's page, a login wall) is a failed query", async () => {
    fake.answerWith(() => ({ status: 502, body: "<html>Bad Gateway</html>" }));
    await expect(client().samples("up", { at: 1, rangeSeconds: 1 })).rejects.toThrow(
      /answered HTTP 502 that is not the Prometheus API \(not JSON\)/,
    );
    fake.answerWith(() => ({ status: 200, body: JSON.stringify({ data: [] }) }));
    await expect(client().samples("up", { at: 1, rangeSeconds: 1 })).rejects.toThrow(
      /answered HTTP 200 that is not the Prometheus API$/,
    );
    fake.answerWith(() => ({
      status: 200,
      body: JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }),
    }));
    await expect(client().samples("up", { at: 1, rangeSeconds: 1 })).rejects.toThrow(
      /answered a vector, not series/,
    );
  });

  test("no answer within the timeout is a failed query", async () => {
    fake.answerWith(() => ({ status: 200, body: JSON.stringify(REQUESTS_ANSWER), delayMs: 1500 }));
    const started = Date.now();
    await expect(
      new PrometheusClient({ url: base, timeoutMs: 300 }).samples("up", { at: 1, rangeSeconds: 1 }),
    ).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  test("a server that is not there is a failed query that says so", async () => {
    const port = await freePort();
    const error = await new PrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 })
      .samples("up", { at: 1, rangeSeconds: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(String((error as Error).message)).toMatch(/ECONNREFUSED/);
  });

  test("a secret never reaches a message, even when a server echoes it back", async () => {
    const token = "s3cr3t-token-abcdefgh";
    fake.answerWith((r) => ({
      status: 401,
      body: JSON.stringify({
        status: "error",
        errorType: "unauthorized",
        error: `rejected ${r.headers.authorization}`,
      }),
    }));
    const error = await client({ auth: { bearerTokenEnv: "T" }, environment: { T: token } })
      .samples("up", { at: 1, rangeSeconds: 1 })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("Bearer ***");
    expect(String((error as Error).message)).not.toContain(token);
  });
});

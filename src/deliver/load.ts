import { Agent, request } from "node:http";

export interface LoadSummary {
  sent: number;
  /** Answered at all (any status). */
  answered: number;
  /** Answered with a status below 500. */
  ok: number;
  statuses: Record<string, number>;
  /** Requests that got no answer: connection refused or reset, time-outs. */
  failed: number;
  failures: string[];
  /**
   * Answers per version of the app, from its `x-app-version` header (the sample service sets
   * it): which release answered, told the way a client can tell it.
   */
  versions: Record<string, number>;
  durationMs: number;
}

/**
 * Steady open-loop traffic at `rps` over keep-alive connections until `signal` aborts or
 * `maxDurationMs` passes (it always stops by itself). Used by the demo, the zero-downtime
 * tests and the benchmarks; it counts every request it sends.
 */
export async function generateLoad(options: {
  url: string;
  rps: number;
  maxDurationMs: number;
  signal?: AbortSignal;
  path?: string;
  timeoutMs?: number;
}): Promise<LoadSummary> {
  const target = new URL(options.path ?? "/api/orders", options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const summary: LoadSummary = {
    sent: 0,
    answered: 0,
    ok: 0,
    statuses: {},
    failed: 0,
    failures: [],
    versions: {},
    durationMs: 0,
  };
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / options.rps;
  let next = started;
  while (!options.signal?.aborted && performance.now() - started < options.maxDurationMs) {
    const p = send(target, agent, summary, options.timeoutMs ?? 10_000).finally(() => inFlight.delete(p));
    inFlight.add(p);
    next += interval;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
  agent.destroy();
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

function send(url: URL, agent: Agent, summary: LoadSummary, timeoutMs: number): Promise<void> {
  summary.sent++;
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => {
        summary.answered++;
        const status = res.statusCode ?? 0;
        summary.statuses[status] = (summary.statuses[status] ?? 0) + 1;
        if (status < 500) summary.ok++;
        const version = res.headers["x-app-version"];
        if (typeof version === "string") summary.versions[version] = (summary.versions[version] ?? 0) + 1;
        resolve();
      });
      res.on("error", (error) => fail(error.message));
    });
    const fail = (message: string) => {
      summary.failed++;
      if (summary.failures.length < 20) summary.failures.push(message);
      resolve();
    };
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error) => fail(error.message));
    req.end();
  });
}

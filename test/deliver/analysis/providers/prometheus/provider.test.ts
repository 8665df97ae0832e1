import { describe, expect, test } from "vitest";
import { type PrometheusProviderConfig, PrometheusProviderSchema } from "../../../../../src/config/schema.js";
import { createCanaryAnalysis } from "../../../../../src/deliver/analysis/canary-analysis.js";
import { BUCKET_COUNT, LatencyHistogram } from "../../../../../src/deliver/analysis/histogram.js";
import {
  createPrometheusProvider,
  requestCounts,
  statusClass,
} from "../../../../../src/deliver/analysis/providers/prometheus/provider.js";
import type { Measurement } from "../../../../../src/deliver/analysis/types.js";
import { EMPTY_ANSWER, NOT_A_SELECTOR_ANSWER } from "./recorded.js";

/**
 * A stand-in for Prometheus's query endpoint: series kept per selector (the expanded template),
 * answered the way Prometheus answers `selector[Ns]` at `time` (every sample in the range), in
 * the JSON shape recorded from Prometheus 2.42 (./recorded.ts).
 */
class FakePrometheus {
  readonly queries: string[] = [];
  private readonly store = new Map<
    string,
    Map<string, { labels: Record<string, string>; samples: [number, number][] }>
  >();
  failWith: { status: number; body: unknown } | undefined;
  /** Set, every query hangs until the client gives up on it: a server that stopped answering. */
  hang = false;

  /** Appends a sample to the series `labels` under `selector`. */
  sample(selector: string, labels: Record<string, string>, at: number, value: number): void {
    let series = this.store.get(selector);
    if (!series) {
      series = new Map();
      this.store.set(selector, series);
    }
    const key = JSON.stringify(labels);
    if (!series.has(key)) series.set(key, { labels, samples: [] });
    series.get(key)!.samples.push([at, value]);
  }

  readonly fetch: typeof fetch = async (_url, init) => {
    const form = new URLSearchParams(String(init?.body));
    const query = form.get("query")!;
    this.queries.push(query);
    if (this.hang) {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      });
    }
    if (this.failWith)
      return new Response(JSON.stringify(this.failWith.body), { status: this.failWith.status });
    const match = /^(.*)\[(\d+)s\]$/.exec(query)!;
    const [selector, range] = [match[1]!, Number(match[2])];
    const at = Number(form.get("time"));
    const result = [...(this.store.get(selector)?.values() ?? [])]
      .map(({ labels, samples }) => ({
        metric: labels,
        values: samples.filter(([t]) => t > at - range && t <= at).map(([t, v]) => [t, String(v)]),
      }))
      .filter((s) => s.values.length > 0);
    return new Response(JSON.stringify({ status: "success", data: { resultType: "matrix", result } }));
  };
}

const REQUESTS = (release: string) => `http_requests_total{ shipgate_release="${release}" }`;
const BUCKETS = (release: string) => `http_request_duration_seconds_bucket{ shipgate_release="${release}" }`;
const SUM = (release: string) => `http_request_duration_seconds_sum{ shipgate_release="${release}" }`;

function setup(options: { config?: Partial<Record<string, unknown>>; start?: number } = {}) {
  const prometheus = new FakePrometheus();
  let clock = (options.start ?? 1_000_000) * 1000;
  const config: PrometheusProviderConfig = PrometheusProviderSchema.parse({
    type: "prometheus",
    url: "http://prometheus.test:9090",
    interval: "1ms",
    ...options.config,
  });
  const provider = createPrometheusProvider({
    config,
    variables: { env: "production", app: "shop" },
    fetch: prometheus.fetch,
    now: () => clock,
  });
  return {
    prometheus,
    provider,
    /** Moves the provider's clock to `seconds`. */
    at(seconds: number) {
      clock = seconds * 1000;
    },
  };
}

/** Scrapes of one instance of a release: requests by status and a two-bucket histogram. */
function scrape(
  prometheus: FakePrometheus,
  release: string,
  at: number,
  counts: { ok: number; failed: number; instance?: string; label?: string },
) {
  const instance = counts.instance ?? "127.0.0.1:1";
  const label = counts.label ?? "status";
  prometheus.sample(REQUESTS(release), { instance, [label]: "200" }, at, counts.ok);
  if (counts.failed > 0)
    prometheus.sample(REQUESTS(release), { instance, [label]: "500" }, at, counts.failed);
  const total = counts.ok + counts.failed;
  prometheus.sample(BUCKETS(release), { instance, le: "0.05" }, at, counts.ok);
  prometheus.sample(BUCKETS(release), { instance, le: "0.5" }, at, total);
  prometheus.sample(BUCKETS(release), { instance, le: "+Inf" }, at, total);
  prometheus.sample(SUM(release), { instance }, at, total * 0.02);
}

const counters = (m: Measurement, release: string) => {
  if (!m.ok) throw new Error(`measurement failed: ${m.error}`);
  return m.releases[release]!;
};

describe("the prometheus provider, on Prometheus's answers", () => {
  test("reports each release's counts since its baseline: requests, 5xx, classes, latency at the source's resolution", async () => {
    const { prometheus, provider, at } = setup();
    for (let t = 100; t <= 105; t++) {
      scrape(prometheus, "canary", t, { ok: 10 * t, failed: t - 100 });
      scrape(prometheus, "stable", t, { ok: 50 * t, failed: 0 });
    }
    at(105.5);
    const baseline = await provider.measure(["canary", "stable"]);
    expect(counters(baseline, "canary")).toMatchObject({ requests: 0, errors: 0 });
    scrape(prometheus, "canary", 106, { ok: 1060 + 5, failed: 9 });
    scrape(prometheus, "stable", 106, { ok: 5300 + 40, failed: 0 });
    at(106.5);
    const later = await provider.measure(["canary", "stable"]);
    expect(counters(later, "canary")).toMatchObject({
      requests: 15 + 4,
      errors: 4,
      statuses: { "2xx": 15, "5xx": 4 },
    });
    expect(counters(later, "stable")).toMatchObject({ requests: 90, errors: 0, statuses: { "2xx": 90 } });
    const latency = counters(later, "canary").latency;
    expect(latency.count).toBe(19);
    expect(latency.buckets).toEqual([
      [LatencyHistogram.bucketOf(50), 15],
      [LatencyHistogram.bucketOf(500), 4],
    ]);
    expect(latency.boundsMs).toEqual([50, 500]);
    expect(latency.sumMs).toBeCloseTo(19 * 20, 6);
  });

  test("a first error creates its series after the baseline: that error counts", async () => {
    const { prometheus, provider, at } = setup();
    for (const release of ["canary", "stable"]) scrape(prometheus, release, 100, { ok: 100, failed: 0 });
    at(100.5);
    await provider.measure(["canary", "stable"]);
    scrape(prometheus, "canary", 101, { ok: 110, failed: 1 });
    scrape(prometheus, "stable", 101, { ok: 150, failed: 0 });
    at(101.5);
    expect(counters(await provider.measure(["canary", "stable"]), "canary")).toMatchObject({
      requests: 11,
      errors: 1,
    });
  });

  test("reads the code label when there is no status label, or the one configured", async () => {
    const { prometheus, provider, at } = setup();
    scrape(prometheus, "a", 100, { ok: 1, failed: 1, label: "code" });
    at(100.5);
    await provider.measure(["a"]);
    scrape(prometheus, "a", 101, { ok: 5, failed: 3, label: "code" });
    at(101.5);
    expect(counters(await provider.measure(["a"]), "a")).toMatchObject({ requests: 6, errors: 2 });
    expect(
      requestCounts([{ labels: { response_code: "503" }, total: 2 }], {
        statusLabel: "response_code",
        errors: undefined,
        query: "q",
      }),
    ).toEqual({ requests: 2, errors: 2, statuses: { "5xx": 2 } });
  });

  test("with queries.errors, errors are that selector's series", async () => {
    const errors = (release: string) => `errors_total{ shipgate_release="${release}" }`;
    const { prometheus, provider, at } = setup({
      config: { queries: { errors: "errors_total{ {{ selector }} }", latency: false } },
    });
    prometheus.sample(REQUESTS("a"), { outcome: "any" }, 100, 10);
    prometheus.sample(errors("a"), { kind: "timeout" }, 100, 1);
    at(100.5);
    await provider.measure(["a"]);
    prometheus.sample(REQUESTS("a"), { outcome: "any" }, 101, 30);
    prometheus.sample(errors("a"), { kind: "timeout" }, 101, 4);
    at(101.5);
    expect(counters(await provider.measure(["a"]), "a")).toMatchObject({
      requests: 20,
      errors: 3,
      latency: { count: 0, buckets: [] },
    });
  });

  test("request series without a status label cannot tell errors apart: a failed measurement that says what to set", async () => {
    const { prometheus, provider, at } = setup({ config: { queries: { latency: false } } });
    prometheus.sample(REQUESTS("a"), { instance: "x" }, 100, 10);
    at(100.5);
    const m = await provider.measure(["a"]);
    expect(m.ok).toBe(false);
    expect(!m.ok && m.error).toMatch(/without a status or code label.*set statusLabel or queries.errors/);
  });

  test("a release with no series is no data: a failed measurement naming the query, never zero counts", async () => {
    const { prometheus, provider, at } = setup();
    scrape(prometheus, "stable", 100, { ok: 10, failed: 0 });
    at(100.5);
    const m = await provider.measure(["canary", "stable"]);
    expect(m).toEqual({
      ok: false,
      at: 100_500,
      error:
        'prometheus: release canary: http_requests_total{ shipgate_release="canary" } selects no series: is Prometheus scraping the release, and does the selector match its labels?',
    });
  });

  test("an empty answer is no baseline: series found later are not counted whole", async () => {
    const { prometheus, provider, at } = setup();
    at(100.5);
    expect((await provider.measure(["stable"])).ok).toBe(false);
    // The stable release had run for days before Prometheus found it.
    scrape(prometheus, "stable", 101, { ok: 1_000_000, failed: 500 });
    at(101.5);
    expect(counters(await provider.measure(["stable"]), "stable")).toMatchObject({ requests: 0, errors: 0 });
    scrape(prometheus, "stable", 102, { ok: 1_000_100, failed: 500 });
    at(102.5);
    expect(counters(await provider.measure(["stable"]), "stable")).toMatchObject({
      requests: 100,
      errors: 0,
    });
  });

  test("a release Prometheus stopped scraping is no data once its newest sample is stale", async () => {
    const { prometheus, provider, at } = setup();
    for (let t = 100; t <= 110; t++) scrape(prometheus, "a", t, { ok: t, failed: 0 });
    at(110.5);
    expect((await provider.measure(["a"])).ok).toBe(true);
    at(124);
    expect((await provider.measure(["a"])).ok).toBe(true);
    at(126);
    const m = await provider.measure(["a"]);
    expect(!m.ok && m.error).toBe(
      "prometheus: release a: its newest sample is 16 s old (limit 15 s): Prometheus is not scraping it",
    );
  });

  test("later queries ask only for what is new, with an overlap of three scrape intervals (at least 10 s)", async () => {
    const { prometheus, provider, at } = setup();
    for (let t = 100; t <= 110; t++) scrape(prometheus, "a", t, { ok: t, failed: 0 });
    at(110.5);
    await provider.measure(["a"]);
    at(112.5);
    await provider.measure(["a"]);
    expect(prometheus.queries.filter((q) => q.startsWith("http_requests_total"))).toEqual([
      `${REQUESTS("a")}[300s]`,
      `${REQUESTS("a")}[12s]`,
    ]);
  });

  test("a backend error or an unreadable answer is a failed measurement, never a throw", async () => {
    const { prometheus, provider, at } = setup();
    scrape(prometheus, "a", 100, { ok: 1, failed: 0 });
    at(100.5);
    prometheus.failWith = { status: 400, body: NOT_A_SELECTOR_ANSWER };
    const refused = await provider.measure(["a"]);
    expect(!refused.ok && refused.error).toMatch(
      /^prometheus: release a, queries\.(requests|latency|latencySum) \(.*\): Prometheus refused the query \(bad_data\)/,
    );
    prometheus.failWith = { status: 503, body: "Service Unavailable" };
    at(101);
    const unavailable = await provider.measure(["a"]);
    expect(!unavailable.ok && unavailable.error).toMatch(/answered HTTP 503 that is not the Prometheus API/);
  });

  test("a Prometheus that does not answer within `timeout` is a failed measurement; the analysis holds, never passes", async () => {
    const { prometheus, provider, at } = setup({ config: { timeout: "50ms" } });
    scrape(prometheus, "a", 100, { ok: 100, failed: 0 });
    scrape(prometheus, "b", 100, { ok: 100, failed: 0 });
    const analysis = createCanaryAnalysis({ maxErrorRate: 0.01, maxLatencyRatio: 1.5, minRequests: 1 });
    at(100.5);
    analysis.beginStep();
    expect(analysis.observe(await provider.measure(["a", "b"]), "a", "b").decision).toBe("continue");
    prometheus.hang = true;
    at(101);
    const failed = await provider.measure(["a", "b"]);
    expect(!failed.ok && failed.error).toMatch(
      /^prometheus: release a, queries\.\w+ \(.*\): .*no answer within 50 ms$/,
    );
    const verdicts = [failed, failed, failed].map((m, i) =>
      analysis.observe({ ...m, at: (101 + i) * 1000 }, "a", "b"),
    );
    expect(verdicts.map((v) => v.decision)).toEqual(["continue", "continue", "inconclusive"]);
    expect(analysis.conclude().decision).toBe("inconclusive");
  });

  test("within `interval` the last answer is the answer: Prometheus is asked once", async () => {
    const { prometheus, provider, at } = setup({ config: { interval: "1s" } });
    scrape(prometheus, "a", 100, { ok: 1, failed: 0 });
    at(100.5);
    const first = await provider.measure(["a"]);
    at(101.2);
    expect(await provider.measure(["a"])).toBe(first);
    expect(prometheus.queries).toHaveLength(3);
    at(101.6);
    await provider.measure(["a"]);
    expect(prometheus.queries).toHaveLength(6);
  });

  test("a latency selector that selects nothing is no data (queries.latency: false analyses counts only)", async () => {
    const { prometheus, provider, at } = setup();
    prometheus.sample(REQUESTS("a"), { status: "200" }, 100, 3);
    at(100.5);
    const m = await provider.measure(["a"]);
    expect(!m.ok && m.error).toMatch(
      /http_request_duration_seconds_bucket.* selects no series \(set queries.latency to false/,
    );
  });

  test("errors counted beyond requests mean the selectors disagree: no data", async () => {
    const { prometheus, provider, at } = setup({
      config: { queries: { errors: "other_total{ {{ selector }} }", latency: false } },
    });
    prometheus.sample(REQUESTS("a"), { status: "200" }, 100, 1);
    prometheus.sample('other_total{ shipgate_release="a" }', { x: "1" }, 100, 1);
    at(100.5);
    await provider.measure(["a"]);
    prometheus.sample(REQUESTS("a"), { status: "200" }, 101, 2);
    prometheus.sample('other_total{ shipgate_release="a" }', { x: "1" }, 101, 9);
    at(101.5);
    const m = await provider.measure(["a"]);
    expect(!m.ok && m.error).toMatch(/8 errors but 1 requests/);
  });

  test("the Prometheus answer with no series at all is read as such", async () => {
    const provider = createPrometheusProvider({
      config: PrometheusProviderSchema.parse({ type: "prometheus", url: "http://p.test" }),
      variables: { env: "e", app: "a" },
      fetch: async () => new Response(JSON.stringify(EMPTY_ANSWER)),
    });
    const m = await provider.measure(["x"]);
    expect(!m.ok && m.error).toMatch(/selects no series/);
  });

  test("status classes", () => {
    expect(["200", "204", "302", "404", "500", "503", "5xx", "5XX", "OK", ""].map(statusClass)).toEqual([
      "2xx",
      "2xx",
      "3xx",
      "4xx",
      "5xx",
      "5xx",
      "5xx",
      "5xx",
      "other",
      "other",
    ]);
    expect(BUCKET_COUNT).toBeGreaterThan(0);
  });
});

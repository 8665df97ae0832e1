import { afterAll, beforeAll, expect, test } from "vitest";
import { PrometheusProviderSchema } from "../../../../../src/config/schema.js";
import { LatencyHistogram } from "../../../../../src/deliver/analysis/histogram.js";
import {
  createPrometheusProvider,
  type PrometheusProvider,
} from "../../../../../src/deliver/analysis/providers/prometheus/index.js";
import type { Measurement, ReleaseCounters } from "../../../../../src/deliver/analysis/types.js";
import { generateLoad, type LoadSummary } from "../../../../../src/deliver/load.js";
import {
  afterScrapes,
  describeWithPrometheus,
  type PrometheusServer,
  type SampleProcess,
  sleep,
  startPrometheus,
  startSampleProcess,
} from "../../../support/prometheus.js";

/**
 * The metrics path, end to end on real parts: a real Prometheus (Debian's package) scraping
 * real processes of the sample service every second, and the provider's PromQL against it.
 * Each process is one release, labelled by the scrape configuration as a release's instances are.
 */
describeWithPrometheus(
  "the prometheus provider against a real Prometheus scraping the sample service",
  (binary) => {
    let stable: SampleProcess;
    let canary: SampleProcess;
    let slow: SampleProcess;
    let prometheus: PrometheusServer;

    beforeAll(async () => {
      [stable, canary, slow] = await Promise.all([
        startSampleProcess({ version: "1.0.0", errorRate: 0.001 }),
        startSampleProcess({ version: "1.1.0", errorRate: 0.05 }),
        startSampleProcess({ version: "1.2.0", latencyMs: 30 }),
      ]);
      prometheus = await startPrometheus({
        binary,
        jobs: {
          static: [
            { target: `127.0.0.1:${stable.port}`, labels: { shipgate_release: "stable" } },
            { target: `127.0.0.1:${canary.port}`, labels: { shipgate_release: "canary" } },
            { target: `127.0.0.1:${slow.port}`, labels: { shipgate_release: "slow" } },
          ],
        },
      });
      // The orders route's series exist once it has answered: one request each, then two scrapes.
      await Promise.all(
        [stable, canary, slow].map((p) => fetch(`${p.url}/api/orders`).then((r) => r.text())),
      );
      await afterScrapes();
    }, 60_000);

    afterAll(async () => {
      await prometheus?.cleanup();
      await Promise.all([stable, canary, slow].map((p) => p?.stop()));
    }, 30_000);

    const provider = (): PrometheusProvider =>
      createPrometheusProvider({
        config: PrometheusProviderSchema.parse({
          type: "prometheus",
          url: prometheus.url,
          // The requests clients send, not the probes and scrapes every instance also answers.
          selector: 'shipgate_release="{{ release }}", route="/api/orders"',
          interval: "1ms",
        }),
        variables: { env: "test", app: "sample-app" },
      });

    const counters = (m: Measurement, release: string): ReleaseCounters => {
      if (!m.ok) throw new Error(`measurement failed: ${m.error}`);
      return m.releases[release]!;
    };
    const load = (process: SampleProcess, ms: number): Promise<LoadSummary> =>
      generateLoad({ url: process.url, rps: 40, maxDurationMs: ms });
    const served = (summary: LoadSummary) => ({
      requests: summary.answered,
      errors: summary.statuses[500] ?? 0,
    });

    test("counts exactly what the clients were answered, per release: requests, 5xx and status classes", async () => {
      const measure = provider();
      const baseline = await measure.measure(["canary", "stable"]);
      expect(counters(baseline, "canary")).toMatchObject({ requests: 0, errors: 0 });
      const [toCanary, toStable] = await Promise.all([load(canary, 3000), load(stable, 3000)]);
      await afterScrapes();
      const after = await measure.measure(["canary", "stable"]);
      expect(counters(after, "canary")).toMatchObject(served(toCanary));
      expect(counters(after, "stable")).toMatchObject(served(toStable));
      expect(counters(after, "canary").statuses).toEqual({
        "2xx": toCanary.statuses[200],
        ...(toCanary.statuses[500] && { "5xx": toCanary.statuses[500] }),
      });
      expect(toCanary.answered).toBeGreaterThan(100);
    }, 30_000);

    test("a restarted process (its counter back at zero) loses nothing Prometheus scraped, where the raw sum drops", async () => {
      const measure = provider();
      counters(await measure.measure(["canary"]), "canary");
      const before = await load(canary, 2000);
      await afterScrapes();
      const rawBefore = await rawSum(prometheus.url, "canary");
      await canary.restart();
      // One request so the new process has the route's series; the canary fails 5 % of them.
      const first = await fetch(`${canary.url}/api/orders`);
      await first.text();
      await afterScrapes();
      // Prometheus really saw the counter go back: summing raw counters would lose its history.
      expect(await rawSum(prometheus.url, "canary")).toBeLessThan(rawBefore);
      const after = await load(canary, 2000);
      await afterScrapes();
      const measured = counters(await measure.measure(["canary"]), "canary");
      expect(measured.requests).toBe(before.answered + 1 + after.answered);
      expect(measured.errors).toBe(
        served(before).errors + (first.status === 500 ? 1 : 0) + served(after).errors,
      );
    }, 30_000);

    test("traffic served while Prometheus was down is counted once it scrapes again; while down, no data", async () => {
      const measure = provider();
      counters(await measure.measure(["stable"]), "stable");
      await prometheus.stop();
      const started = Date.now();
      const down = await measure.measure(["stable"]);
      expect(down.ok).toBe(false);
      expect(!down.ok && down.error).toMatch(
        /^prometheus: release stable, queries\.\w+ \(.*\): .*ECONNREFUSED/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      const during = await load(stable, 2000);
      await prometheus.restart();
      await afterScrapes();
      expect(counters(await measure.measure(["stable"]), "stable")).toMatchObject(served(during));
    }, 60_000);

    test("a Prometheus that accepts the connection and never answers is no data after `timeout`, then measures again", async () => {
      const measure = createPrometheusProvider({
        config: PrometheusProviderSchema.parse({
          type: "prometheus",
          url: prometheus.url,
          selector: 'shipgate_release="{{ release }}", route="/api/orders"',
          interval: "1ms",
          timeout: "500ms",
        }),
        variables: {},
      });
      counters(await measure.measure(["stable"]), "stable");
      prometheus.pause();
      try {
        const started = Date.now();
        const stuck = await measure.measure(["stable"]);
        expect(!stuck.ok && stuck.error).toMatch(
          /^prometheus: release stable, queries\.\w+ \(.*\): .*no answer within 500 ms$/,
        );
        // The query's deadline, not the connection's or the operating system's.
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        prometheus.resume();
      }
      const during = await load(stable, 2000);
      await afterScrapes();
      expect(counters(await measure.measure(["stable"]), "stable")).toMatchObject(served(during));
    }, 30_000);

    test("latency comes at Prometheus's bucket resolution: 30 ms requests are known to lie in (25 ms, 50 ms]", async () => {
      const measure = provider();
      counters(await measure.measure(["slow"]), "slow");
      const sent = await load(slow, 2000);
      await afterScrapes();
      const { latency } = counters(await measure.measure(["slow"]), "slow");
      expect(latency.count).toBe(sent.answered);
      expect(latency.boundsMs).toEqual([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]);
      // Each request sits at its bucket's upper bound: 50 ms, or above when the machine was slow.
      const at50 = LatencyHistogram.bucketOf(50);
      expect(latency.buckets.every(([bucket]) => bucket >= at50)).toBe(true);
      expect(latency.buckets[0]).toEqual([at50, expect.any(Number)]);
      expect(latency.buckets[0]![1]).toBeGreaterThan(sent.answered / 2);
      expect(latency.sumMs / latency.count).toBeGreaterThanOrEqual(30);
      const histogram = LatencyHistogram.fromSnapshot(latency);
      expect(histogram.knownAbove(histogram.bucketsAt([0.5])[0]!)).toBe(25);
    }, 30_000);

    test("a release Prometheus selects nothing for, or no longer scrapes, is no data, never zero traffic", async () => {
      const measure = provider();
      const nothing = await measure.measure(["nobody"]);
      expect(!nothing.ok && nothing.error).toMatch(/selects no series/);
      counters(await measure.measure(["slow"]), "slow");
      await slow.stop();
      // Scrapes every second: five missed scrapes, at least 15 s, mean it is not being scraped.
      await sleep(16_500);
      const gone = await measure.measure(["slow"]);
      expect(!gone.ok && gone.error).toMatch(
        /^prometheus: release slow: its newest sample is \d+ s old .*not scraping it$/,
      );
    }, 40_000);
  },
);

/** What a naive query would read: the sum of the raw counters. */
async function rawSum(url: string, release: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/query`, {
    method: "POST",
    body: new URLSearchParams({
      query: `sum(http_requests_total{shipgate_release="${release}", route="/api/orders"})`,
    }),
  });
  const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

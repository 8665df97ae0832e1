import { LatencyHistogram } from "../../../../src/deliver/analysis/histogram.js";
import type { MetricProvider, ReleaseCounters } from "../../../../src/deliver/analysis/types.js";

/**
 * Test metric providers, standing in for a real one (the prometheus provider is tested
 * against a real Prometheus elsewhere): every call, each release served 100 more requests at
 * 20 ms, with the given error rate.
 */
export function fakeTraffic(
  errorRates: (release: string, releaseIds: readonly string[]) => number,
): MetricProvider {
  const totals = new Map<string, { requests: number; errors: number; latency: LatencyHistogram }>();
  return {
    id: "test-traffic",
    async measure(releaseIds) {
      const releases: Record<string, ReleaseCounters> = {};
      for (const id of releaseIds) {
        const total = totals.get(id) ?? { requests: 0, errors: 0, latency: new LatencyHistogram() };
        totals.set(id, total);
        total.requests += 100;
        total.errors += Math.round(100 * errorRates(id, releaseIds));
        total.latency.record(20, 100);
        releases[id] = {
          requests: total.requests,
          errors: total.errors,
          statuses: { "2xx": total.requests - total.errors, "5xx": total.errors },
          latency: total.latency.snapshot(),
        };
      }
      return { ok: true, at: Date.now(), releases };
    },
  };
}

/** A canary as good as the stable release: no errors on either. */
export const healthyCanary = () => fakeTraffic(() => 0);
/** A failing canary: 30% of its requests fail, none of the stable release's (releaseIds[0] is the canary). */
export const failingCanary = () => fakeTraffic((id, ids) => (id === ids[0] ? 0.3 : 0));

import type { MetricProvider } from "../../analysis/types.js";

/**
 * What a kubernetes environment measures with when no metric provider is configured: nothing.
 * Kubernetes has no router shipgate counts requests at, so the analysis needs a
 * provider that reads the canary's and the stable release's traffic (pods are labelled
 * `shipgate.dev/release=<id>`). Without one every analysis step is inconclusive: it holds
 * and then fails, and the canary is rolled back — never promoted on no evidence.
 */
export function noMetricProvider(env: string): MetricProvider {
  return {
    id: "none",
    async measure() {
      return {
        ok: false,
        at: Date.now(),
        error: `no metric provider is configured for environment ${env}: canary analysis has no measurements`,
      };
    },
  };
}

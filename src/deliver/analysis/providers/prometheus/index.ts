import { PrometheusProviderSchema } from "../../../../config/schema.js";

export { histogramFromBuckets, type LatencyUnit, MS_PER_UNIT } from "./buckets.js";
export { PrometheusClient, PrometheusQueryError, type Sample, type Series } from "./client.js";
export { CounterTotals, type SeriesTotal, seriesKey } from "./counter-totals.js";
export {
  createPrometheusProvider,
  LOOKBACK_SECONDS,
  type PrometheusProvider,
  type PrometheusProviderOptions,
  requestCounts,
  statusClass,
} from "./provider.js";
export { expandTemplate, placeholders, promqlString } from "./templates.js";

/** The `prometheus` provider's id, summary and configuration schema, as the registry lists them. */
export const PROMETHEUS = {
  id: "prometheus",
  summary: "per-release request, error and latency counters read from a Prometheus server's HTTP API",
  schema: PrometheusProviderSchema,
} as const;

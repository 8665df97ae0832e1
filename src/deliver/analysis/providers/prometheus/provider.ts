/**
 * The `prometheus` metric provider: per-release request, error and latency counters read from a
 * Prometheus server that scrapes the releases' instances.
 *
 * Each measurement reports, per release, counts since the provider first measured it, rebuilt
 * series by series from raw samples across counter resets (counter-totals.ts): cumulative, only
 * growing, integers when the counters are, so the analysis can subtract two measurements as it
 * does the local router's. A failed or timed-out query, a release with no series, or a release
 * whose newest sample is stale (Prometheus no longer scrapes it) is `{ ok: false }`: the
 * analysis holds, and never takes missing data for a pass.
 */
import type { PrometheusProviderConfig } from "../../../../config/schema.js";
import { redact } from "../../../../redact.js";
import { parseConfigDuration } from "../../../../verify/duration.js";
import type { HistogramSnapshot } from "../../histogram.js";
import type { Measurement, MetricProvider, ReleaseCounters } from "../../types.js";
import { histogramFromBuckets } from "./buckets.js";
import { PrometheusClient } from "./client.js";
import { CounterTotals, type SeriesTotal } from "./counter-totals.js";
import { checkPlaceholders, expandTemplate } from "./templates.js";

/** Prometheus's default staleness window: a series with no sample for this long has ended. */
export const LOOKBACK_SECONDS = 300;
/**
 * Later queries reach back past the previous one by three scrape intervals (at least 10 s):
 * a sample is stamped when its scrape starts and written when it ends, so it can appear
 * behind a query that already covered its time.
 */
const MIN_OVERLAP_SECONDS = 10;
/** A release whose newest sample is older than five scrape intervals (at least 15 s) is not being scraped. */
const MIN_STALE_SECONDS = 15;
const STALE_INTERVALS = 5;

export interface PrometheusProviderOptions {
  config: PrometheusProviderConfig;
  /**
   * Values of the templates' placeholders besides `{{ release }}`: `env`, `app` and
   * `target.<field>` as environment.ts passes them.
   */
  variables: Readonly<Record<string, string>>;
  /** Where the configuration sits, for messages: `environments.production.analysis.provider`. */
  where?: string;
  /** Where auth variables are read; default process.env. */
  environment?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/** The series one release is read from, each followed on its own. */
interface ReleaseSeries {
  queries: ReleaseQueries;
  /**
   * Set by the first answer in which the release has request series: every query of the release
   * counts from that one measurement. An empty answer is no baseline: series found later might
   * have been running all along, and counting their whole values would dump their history into
   * one interval.
   */
  baselined: boolean;
  requests: CounterTotals;
  errors: CounterTotals | undefined;
  latency: CounterTotals | undefined;
  latencySum: CounterTotals | undefined;
}

interface ReleaseQueries {
  requests: string;
  errors: string | undefined;
  latency: string | undefined;
  latencySum: string | undefined;
}

export interface PrometheusProvider extends MetricProvider {
  /** The series selectors a release is read with, placeholders filled in. */
  queriesFor(releaseId: string): ReleaseQueries;
}

export function createPrometheusProvider(options: PrometheusProviderOptions): PrometheusProvider {
  const { config } = options;
  const where = options.where ?? "analysis.provider";
  const templates: Record<string, string> = { selector: config.selector, requests: config.queries.requests };
  if (config.queries.errors) templates.errors = config.queries.errors;
  if (config.queries.latency !== false) {
    templates.latency = config.queries.latency;
    templates.latencySum = config.queries.latencySum;
  }
  checkPlaceholders({ templates, known: Object.keys(options.variables), where });

  const timeoutMs = parseConfigDuration(config.timeout) ?? 5000;
  const intervalMs = parseConfigDuration(config.interval) ?? 1000;
  const client = new PrometheusClient({
    url: config.url,
    timeoutMs,
    ...(config.auth && { auth: config.auth }),
    ...(config.headers && { headers: config.headers }),
    ...(options.environment && { environment: options.environment }),
    ...(options.fetch && { fetch: options.fetch }),
  });
  const now = options.now ?? Date.now;
  const followed = new Map<string, ReleaseSeries>();
  let last: { key: string; startedAt: number; result: Promise<Measurement> } | undefined;

  const queriesFor = (releaseId: string): ReleaseQueries => {
    const variables = { ...options.variables, release: releaseId };
    const expand = (template: string) => expandTemplate(template, { selector: config.selector, variables });
    return {
      requests: expand(config.queries.requests),
      errors: config.queries.errors ? expand(config.queries.errors) : undefined,
      latency: config.queries.latency === false ? undefined : expand(config.queries.latency),
      latencySum: config.queries.latency === false ? undefined : expand(config.queries.latencySum),
    };
  };

  const seriesOf = (releaseId: string): ReleaseSeries => {
    let found = followed.get(releaseId);
    if (!found) {
      const queries = queriesFor(releaseId);
      found = {
        queries,
        baselined: false,
        requests: new CounterTotals(),
        errors: queries.errors ? new CounterTotals() : undefined,
        latency: queries.latency ? new CounterTotals() : undefined,
        latencySum: queries.latencySum ? new CounterTotals() : undefined,
      };
      followed.set(releaseId, found);
    }
    return found;
  };

  /** Reads what is new for one query: since the previous answer (with an overlap), or the baseline. */
  const follow = async (
    releaseId: string,
    name: string,
    query: string,
    totals: CounterTotals,
    options: { at: number; baseline: boolean },
  ) => {
    const { at, baseline } = options;
    const rangeSeconds =
      baseline || totals.queriedAt === undefined
        ? LOOKBACK_SECONDS
        : at -
          totals.queriedAt +
          Math.min(LOOKBACK_SECONDS, Math.max(MIN_OVERLAP_SECONDS, 3 * (totals.spacingSeconds ?? 60)));
    try {
      totals.absorb(await client.samples(query, { at, rangeSeconds }), { at, baseline });
    } catch (error) {
      throw new Error(`release ${releaseId}, queries.${name} (${query}): ${messageOf(error)}`);
    }
  };

  const measureRelease = async (releaseId: string, at: number): Promise<ReleaseCounters> => {
    const series = seriesOf(releaseId);
    const { queries } = series;
    const read = { at, baseline: !series.baselined };
    // Settled, not raced: no query of this measurement may land after the next one has begun.
    const settled = await Promise.allSettled([
      follow(releaseId, "requests", queries.requests, series.requests, read),
      series.errors && follow(releaseId, "errors", queries.errors!, series.errors, read),
      series.latency && follow(releaseId, "latency", queries.latency!, series.latency, read),
      series.latencySum && follow(releaseId, "latencySum", queries.latencySum!, series.latencySum, read),
    ]);
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    if (series.requests.seriesCount > 0) series.baselined = true;
    if (series.requests.seriesCount === 0) {
      throw new Error(
        `release ${releaseId}: ${queries.requests} selects no series: is Prometheus scraping the release, and does the selector match its labels?`,
      );
    }
    const newest = series.requests.newestSampleAt()!;
    const staleAfter = Math.max(
      MIN_STALE_SECONDS,
      STALE_INTERVALS * (series.requests.spacingSeconds ?? LOOKBACK_SECONDS / STALE_INTERVALS),
    );
    if (at - newest > staleAfter) {
      throw new Error(
        `release ${releaseId}: its newest sample is ${Math.round(at - newest)} s old (limit ${Math.round(staleAfter)} s): Prometheus is not scraping it`,
      );
    }
    const counts = requestCounts(series.requests.totals(), {
      statusLabel: config.statusLabel,
      errors: series.errors?.totals(),
      query: queries.requests,
    });
    if (counts.errors > counts.requests) {
      throw new Error(
        `release ${releaseId}: ${counts.errors} errors but ${counts.requests} requests: queries.errors must select a subset of what queries.requests counts`,
      );
    }
    let latency: HistogramSnapshot = { count: 0, sumMs: 0, buckets: [] };
    if (series.latency) {
      if (series.latency.seriesCount === 0) {
        throw new Error(
          `release ${releaseId}: ${queries.latency} selects no series (set queries.latency to false to analyse counts without latency)`,
        );
      }
      const sum = (series.latencySum?.totals() ?? []).reduce((total, s) => total + s.total, 0);
      latency = histogramFromBuckets(series.latency.totals(), { unit: config.latencyUnit, sum });
    }
    return { ...counts, latency };
  };

  const measureNow = async (releaseIds: readonly string[], startedAt: number): Promise<Measurement> => {
    const at = startedAt / 1000;
    try {
      const settled = await Promise.allSettled(releaseIds.map((id) => measureRelease(id, at)));
      const measured: Record<string, ReleaseCounters> = {};
      for (const [index, outcome] of settled.entries()) {
        if (outcome.status === "rejected") throw outcome.reason;
        measured[releaseIds[index]!] = outcome.value;
      }
      return { ok: true, at: startedAt, releases: measured };
    } catch (error) {
      return { ok: false, at: startedAt, error: redact(`prometheus: ${messageOf(error)}`) };
    }
  };

  return {
    id: "prometheus",
    queriesFor,
    measure(releaseIds) {
      const key = releaseIds.join("\u0000");
      const startedAt = now();
      // The analysis reads several times a second; Prometheus learns something new once per
      // scrape. Within `interval` the last answer (or the query still under way) is the answer.
      if (last && last.key === key && startedAt - last.startedAt < intervalMs) return last.result;
      const result = measureNow(releaseIds, startedAt);
      last = { key, startedAt, result };
      return result;
    },
  };
}

/** Requests, errors and answers by status class from the request series (and the error series, if separate). */
export function requestCounts(
  requests: readonly SeriesTotal[],
  options: { statusLabel: string | undefined; errors: readonly SeriesTotal[] | undefined; query: string },
): Omit<ReleaseCounters, "latency"> {
  let total = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  for (const { labels, total: count } of requests) {
    total += count;
    const status = options.statusLabel ? labels[options.statusLabel] : (labels.status ?? labels.code);
    if (status === undefined) {
      if (options.errors) continue;
      throw new Error(
        `${options.query} has a series without a ${options.statusLabel ?? "status or code"} label, so its errors cannot be told apart: set statusLabel or queries.errors`,
      );
    }
    const kind = statusClass(status);
    statuses[kind] = (statuses[kind] ?? 0) + count;
    if (!options.errors && kind === "5xx") errors += count;
  }
  if (options.errors) errors = options.errors.reduce((sum, s) => sum + s.total, 0);
  return { requests: total, errors, statuses };
}

/** `200` → `2xx`, `5xx` stays; anything that is not an HTTP status (`OK`, `Unavailable`) is `other`. */
export function statusClass(status: string): string {
  const match = /^([1-5])(\d\d|xx)$/i.exec(status.trim());
  return match ? `${match[1]}xx` : "other";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

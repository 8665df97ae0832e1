/**
 * The part of Prometheus's HTTP API the provider uses: an instant query of a range-vector
 * selector, which answers every raw sample of every matching series in the range. Plain fetch,
 * answers validated with zod; credentials come from environment variables at query time and
 * never appear in a message.
 */
import { z } from "zod";
import { redact } from "../../../../redact.js";

/** One raw sample: Prometheus's timestamp (seconds, ms resolution) and value. */
export interface Sample {
  at: number;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** Ascending by time; NaN and infinite values (stale markers never come back) left out. */
  samples: Sample[];
}

/** A failed query, with a message fit to print (no secrets, no response bodies beyond the API's own error). */
export class PrometheusQueryError extends Error {
  override readonly name = "PrometheusQueryError";
}

export type PrometheusAuth = { bearerTokenEnv: string } | { usernameEnv: string; passwordEnv: string };

export interface PrometheusClientOptions {
  /** Base URL; `api/v1/query` is resolved under it, keeping a path prefix. */
  url: string;
  timeoutMs: number;
  auth?: PrometheusAuth;
  headers?: Record<string, string>;
  /** Where the auth variables are read; default process.env. */
  environment?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

const SampleValue = z.tuple([z.number(), z.string()]);
const MatrixSeries = z.object({
  metric: z.record(z.string(), z.string()),
  values: z.array(SampleValue).default([]),
});
const QueryAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.object({ resultType: z.string(), result: z.array(z.unknown()) }),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() }),
]);

export class PrometheusClient {
  private readonly endpoint: URL;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PrometheusClientOptions) {
    const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
    this.endpoint = new URL("api/v1/query", base);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Where queries go, as it may be printed. */
  get where(): string {
    return redact(this.endpoint.origin + this.endpoint.pathname);
  }

  /**
   * Every raw sample in `(at − rangeSeconds, at]` of the series `selector` picks, evaluated at
   * `at` (seconds since the epoch). Throws PrometheusQueryError for anything but an answer.
   */
  async samples(selector: string, options: { at: number; rangeSeconds: number }): Promise<Series[]> {
    const range = Math.max(1, Math.ceil(options.rangeSeconds));
    const body = new URLSearchParams({
      query: `${selector}[${range}s]`,
      time: options.at.toFixed(3),
      // Prometheus stops evaluating at its own deadline too, rather than working on for nobody.
      timeout: `${Math.max(1, Math.floor(this.options.timeoutMs / 1000))}s`,
    });
    const answer = await this.post(body);
    if (answer.data.resultType !== "matrix") {
      throw new PrometheusQueryError(
        `Prometheus answered a ${answer.data.resultType}, not series: the query must be a series selector (a metric name with label matchers)`,
      );
    }
    return answer.data.result.map((raw) => {
      const parsed = MatrixSeries.safeParse(raw);
      if (!parsed.success) throw new PrometheusQueryError(`unexpected series in Prometheus's answer`);
      const samples: Sample[] = [];
      for (const [at, text] of parsed.data.values) {
        const value = Number(text);
        if (Number.isFinite(value)) samples.push({ at, value });
      }
      return { labels: parsed.data.metric, samples };
    });
  }

  private async post(body: URLSearchParams) {
    const headers: Record<string, string> = {
      ...this.options.headers,
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
    };
    const authorization = this.authorization();
    if (authorization) headers.authorization = authorization;
    let response: Response;
    try {
      response = await this.fetch(this.endpoint, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      throw new PrometheusQueryError(`${this.where}: ${describeFetchError(error, this.options.timeoutMs)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new PrometheusQueryError(`${this.where}: ${describeFetchError(error, this.options.timeoutMs)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PrometheusQueryError(
        `${this.where} answered HTTP ${response.status} that is not the Prometheus API (not JSON)`,
      );
    }
    const answer = QueryAnswer.safeParse(json);
    if (!answer.success) {
      throw new PrometheusQueryError(
        `${this.where} answered HTTP ${response.status} that is not the Prometheus API`,
      );
    }
    if (answer.data.status === "error") {
      const kind = answer.data.errorType ? ` (${answer.data.errorType})` : "";
      throw new PrometheusQueryError(
        redact(`Prometheus refused the query${kind}, HTTP ${response.status}: ${answer.data.error}`),
      );
    }
    if (!response.ok) {
      throw new PrometheusQueryError(`${this.where} answered HTTP ${response.status}`);
    }
    return answer.data;
  }

  /** The Authorization header, from the environment; a missing variable is a failed query. */
  private authorization(): string | undefined {
    const auth = this.options.auth;
    if (!auth) return undefined;
    const environment = this.options.environment ?? process.env;
    const read = (name: string): string => {
      const value = environment[name];
      if (!value)
        throw new PrometheusQueryError(`environment variable ${name} (analysis.provider.auth) is not set`);
      return value;
    };
    if ("bearerTokenEnv" in auth) return `Bearer ${read(auth.bearerTokenEnv)}`;
    const credentials = `${read(auth.usernameEnv)}:${read(auth.passwordEnv)}`;
    return `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`;
  }
}

/** fetch's errors say "fetch failed" and keep the reason in `cause`. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return redact(code && !message.includes(code) ? `${code}: ${message}` : message);
}

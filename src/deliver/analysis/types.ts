import type { HistogramSnapshot } from "./histogram.js";

/**
 * Cumulative traffic counters of one release, as a metric provider reports them (for the
 * local target: the router's own counts). The analysis subtracts two of them to get a window.
 */
export interface ReleaseCounters {
  /** Requests answered (any status) or failed at the connection. */
  requests: number;
  /** Requests answered 5xx or failed at the connection: what the error rate counts. */
  errors: number;
  /** Answers by status class, e.g. `{ "2xx": 120, "5xx": 3 }`; connection failures as `"error"`. */
  statuses: Record<string, number>;
  latency: HistogramSnapshot;
  /** Answers the client gave up on before they were complete: counted apart, never as errors. */
  clientAborts?: number;
}

/**
 * A metric provider's answer. A backend that errors or has no data is `inconclusive`, never a
 * pass and never a failure of the release: the analysis holds and says so.
 */
export type Measurement =
  | { ok: true; at: number; releases: Record<string, ReleaseCounters> }
  | { ok: false; at: number; error: string };

/** Measures releases; knows nothing of thresholds or verdicts. */
export interface MetricProvider {
  readonly id: string;
  measure(releaseIds: readonly string[]): Promise<Measurement>;
}

/** The limits of `environments.<env>.analysis` plus the statistical settings. */
export interface AnalysisLimits {
  /** Absolute limit on the canary's error rate, e.g. 0.01. */
  maxErrorRate: number;
  /** Limit on canary p95 over stable p95, e.g. 1.5. */
  maxLatencyRatio: number;
  /** Milliseconds the canary's p95 may exceed stable's whatever the ratio. Default 2. */
  latencyToleranceMs?: number;
  /** How much worse (relative) the canary's error rate may be than the stable one's: 0.2 = 20%. Default 0.2. */
  errorTolerance?: number;
  /** Total false-rollback probability, spent across all tests. Default 0.01. */
  alpha?: number;
  /** Canary requests a step needs before it can pass, whatever the evidence. Default 50. */
  minRequests?: number;
  /** Probability of advancing a canary beyond a limit (per limit, across all looks). Default 0.05. */
  beta?: number;
}

/** Counts and rates of one release over the analysed window. */
export interface WindowFigures {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
}

/** One test's state, recorded with every decision. */
export interface TestFigures {
  name: "error-rate-relative" | "error-rate-absolute" | "latency-p95";
  /** The e-value (mixture likelihood ratio) or, for latency, the bounds' ratio. */
  statistic: number;
  /** The value the statistic must reach to fail the release. */
  threshold: number;
  failed: boolean;
  /** One sentence a person reads: what was compared and how it came out. */
  detail: string;
  /** The share of the total false-rollback probability this test spends. */
  alpha?: number;
  /** Point estimate of what the test is about: the canary/stable error-rate ratio, the canary's error rate, or the canary/stable p95 ratio. */
  estimate?: number;
  /** Anytime-valid lower bound of the same quantity at the test's α share, where one is kept. */
  lowerBound?: number;
}

export type Decision = "continue" | "fail" | "pass" | "inconclusive";

/** One check of the evidence a step needs to advance: an anytime-valid bound against a limit. */
export interface EvidenceCheck {
  name: "error-rate-absolute" | "error-rate-relative" | "latency-p95";
  /** The canary's upper bound: an error rate, or a p95 in ms (∞ while unknown). */
  bound: number;
  /** What the bound must not exceed: a rate, or ms. */
  limit: number;
  met: boolean;
  detail: string;
}

/** Whether the canary has been shown not worse than the limits, at level β per limit. */
export interface SafetyEvidence {
  safe: boolean;
  beta: number;
  checks: EvidenceCheck[];
}

/**
 * What the canary cost its users: the requests it served and the errors it returned beyond
 * what the stable release's error rate over the same intervals would have produced.
 */
export interface HarmFigures {
  canaryRequests: number;
  canaryErrors: number;
  /** Canary errors − canary requests × stable's error rate, interval by interval; negative when the canary did better. */
  excessErrors: number;
}

export interface Verdict {
  decision: Decision;
  /** Why, in one line, with the numbers that decided. */
  reason: string;
  canary: WindowFigures;
  stable: WindowFigures;
  tests: TestFigures[];
  /** Milliseconds of analysed traffic so far. */
  elapsedMs: number;
  /** The evidence to advance, read when a step is concluded (and on a failure, for the record). */
  evidence?: SafetyEvidence;
  /** Harm of the current step and of the whole rollout so far. */
  harm: { step: HarmFigures; total: HarmFigures };
}

/** Requests and errors of one release in one observation interval (two measurements diffed). */
export interface IntervalCounts {
  requests: number;
  errors: number;
}

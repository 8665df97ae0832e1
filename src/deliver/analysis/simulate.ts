/**
 * A seeded simulation of a canary rollout: cumulative counters of a canary and a stable
 * release, as a metric provider would report them every observation interval, and the
 * analysis run over them. Used by the tests (validity and power at fixed seeds) and by the
 * benchmark (false-rollback rates over many A/A runs, time to detection).
 */
import { createCanaryAnalysis } from "./canary-analysis.js";
import { LatencyHistogram } from "./histogram.js";
import { SeededRandom } from "./random.js";
import type { AnalysisLimits, Decision, Measurement, ReleaseCounters, Verdict } from "./types.js";

/** Log-normal latency: median and log-scale spread (p95 = median·e^(1.645·sigma)). */
export interface LatencyModel {
  medianMs: number;
  sigma: number;
}

export interface ReleaseModel {
  /** Probability that a request fails (5xx or connection error). */
  errorRate: number;
  latency: LatencyModel;
}

export interface CanaryScenario {
  /** Requests per second over both releases. */
  totalRps: number;
  /** The canary's traffic share in each step, 0..1, e.g. [0.1, 0.5, 1]. */
  canaryWeights: readonly number[];
  stepSeconds: number;
  canary: ReleaseModel;
  stable: ReleaseModel;
  limits: AnalysisLimits;
  /** How often the provider is asked, in ms. Default 250. */
  observeMs?: number;
  /** The router's share changes inside a step (e.g. a lagging or manual shift), ms from the start. */
  weightChanges?: ReadonlyArray<{ atMs: number; canaryWeight: number }>;
  /** Periods in which both releases fail at this rate (a shared dependency's incident). */
  sharedErrorSpikes?: ReadonlyArray<{ fromMs: number; toMs: number; errorRate: number }>;
  /** Periods in which the metric provider answers with an error. */
  providerOutages?: ReadonlyArray<{ fromMs: number; toMs: number }>;
}

export const CANARY_ID = "canary";
export const STABLE_ID = "stable";
const DEFAULT_OBSERVE_MS = 250;

export type SimulationEvent =
  | { kind: "step-start"; atMs: number; step: number }
  | { kind: "measurement"; atMs: number; measurement: Measurement }
  | { kind: "step-end"; atMs: number; step: number };

/** Cumulative counters as a router reports them: errors are 5xx, the rest 2xx. */
export function releaseCounters(
  requests: number,
  errors: number,
  latency: LatencyHistogram,
): ReleaseCounters {
  return {
    requests,
    errors,
    statuses: { "2xx": requests - errors, "5xx": errors },
    latency: latency.snapshot(),
  };
}

class SimulatedRelease {
  requests = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();

  constructor(private readonly model: ReleaseModel) {}

  serve(random: SeededRandom, expectedRequests: number, errorRate: number): void {
    const requests = random.poisson(expectedRequests);
    if (requests === 0) return;
    this.requests += requests;
    this.errors += random.binomial(requests, errorRate);
    const { medianMs, sigma } = this.model.latency;
    for (let i = 0; i < requests; i++) this.latency.record(random.logNormal(medianMs, sigma));
  }

  counters(): ReleaseCounters {
    return releaseCounters(this.requests, this.errors, this.latency);
  }
}

function weightAt(scenario: CanaryScenario, ms: number): number {
  const step = Math.min(scenario.canaryWeights.length - 1, Math.floor(ms / (scenario.stepSeconds * 1000)));
  let weight = scenario.canaryWeights[step] ?? 0;
  const stepStartMs = step * scenario.stepSeconds * 1000;
  for (const change of scenario.weightChanges ?? [])
    if (change.atMs <= ms && change.atMs >= stepStartMs) weight = change.canaryWeight;
  return weight;
}

function errorRateAt(scenario: CanaryScenario, model: ReleaseModel, ms: number): number {
  for (const spike of scenario.sharedErrorSpikes ?? [])
    if (ms >= spike.fromMs && ms < spike.toMs) return Math.max(model.errorRate, spike.errorRate);
  return model.errorRate;
}

/** Times where the weight or an error rate changes inside a step: traffic is split there. */
function changePoints(scenario: CanaryScenario): number[] {
  const points = [
    ...(scenario.weightChanges ?? []).map((change) => change.atMs),
    ...(scenario.sharedErrorSpikes ?? []).flatMap((spike) => [spike.fromMs, spike.toMs]),
  ];
  return points.sort((a, b) => a - b);
}

function inOutage(scenario: CanaryScenario, ms: number): boolean {
  return (scenario.providerOutages ?? []).some((outage) => ms >= outage.fromMs && ms < outage.toMs);
}

/**
 * The rollout as events: each step starts, the provider is asked every `observeMs` (a first
 * measurement at 0 is the baseline), each step ends. Deterministic for a seed.
 */
export function* simulateCanary(scenario: CanaryScenario, seed: number): Generator<SimulationEvent> {
  const random = new SeededRandom(seed);
  const canary = new SimulatedRelease(scenario.canary);
  const stable = new SimulatedRelease(scenario.stable);
  const observeMs = scenario.observeMs ?? DEFAULT_OBSERVE_MS;
  const stepMs = scenario.stepSeconds * 1000;
  const perMs = scenario.totalRps / 1000;
  const changes = changePoints(scenario);
  const measure = (atMs: number): SimulationEvent => ({
    kind: "measurement",
    atMs,
    measurement: inOutage(scenario, atMs)
      ? { ok: false, at: atMs, error: "metrics backend timed out" }
      : { ok: true, at: atMs, releases: { [CANARY_ID]: canary.counters(), [STABLE_ID]: stable.counters() } },
  });

  let now = 0;
  for (let step = 0; step < scenario.canaryWeights.length; step++) {
    yield { kind: "step-start", atMs: now, step };
    if (step === 0) yield measure(now);
    const stepEnd = (step + 1) * stepMs;
    while (now < stepEnd) {
      const next = Math.min(stepEnd, now + observeMs);
      const bounds = [now];
      for (const ms of changes) if (ms > now && ms < next) bounds.push(ms);
      bounds.push(next);
      for (let i = 0; i + 1 < bounds.length; i++) {
        const from = bounds[i]!;
        const expected = perMs * (bounds[i + 1]! - from);
        const weight = weightAt(scenario, from);
        canary.serve(random, expected * weight, errorRateAt(scenario, scenario.canary, from));
        stable.serve(random, expected * (1 - weight), errorRateAt(scenario, scenario.stable, from));
      }
      now = next;
      yield measure(now);
    }
    yield { kind: "step-end", atMs: now, step };
  }
}

export interface AnalysisRun {
  decision: Decision;
  /** Simulated ms from the canary's first traffic to the decision. */
  atMs: number;
  verdict: Verdict;
}

/**
 * Runs the analysis over a simulated rollout: stops at the first `fail` or `inconclusive`;
 * `pass` when every step concluded with a pass.
 */
export function runAnalysis(scenario: CanaryScenario, seed: number): AnalysisRun {
  const analysis = createCanaryAnalysis(scenario.limits);
  let last: AnalysisRun | undefined;
  for (const event of simulateCanary(scenario, seed)) {
    if (event.kind === "step-start") {
      analysis.beginStep();
      continue;
    }
    const verdict =
      event.kind === "measurement"
        ? analysis.observe(event.measurement, CANARY_ID, STABLE_ID)
        : analysis.conclude();
    last = { decision: verdict.decision, atMs: event.atMs, verdict };
    if (verdict.decision === "fail" || verdict.decision === "inconclusive") return last;
  }
  if (!last) throw new Error("the scenario has no steps");
  return last;
}

/**
 * A seeded simulation of a canary rollout: cumulative counters of a canary and a stable
 * release, as a metric provider would report them every observation interval, and a policy
 * that decides from them when a step advances, holds or rolls back. The product's policy is the
 * step runner's (fail on evidence of harm, advance on evidence of safety, roll back as
 * inconclusive after the longest hold); the benchmark adds others to compare on the same
 * traffic. Used by the tests (validity and power at fixed seeds), by the benchmark and by
 * `plan`'s estimate of the time a healthy canary takes.
 */
import { createCanaryAnalysis, MAX_STEP_FACTOR } from "./canary-analysis.js";
import { LatencyHistogram } from "./histogram.js";
import { SeededRandom } from "./random.js";
import type { AnalysisLimits, Measurement, ReleaseCounters, Verdict } from "./types.js";

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
  /** The canary's traffic share in each analysed step, 0..1, e.g. [0.1, 0.5]; after the last it is promoted. */
  canaryWeights: readonly number[];
  /** The least time a step runs before it may advance. */
  stepSeconds: number;
  /** The longest a step holds for evidence before it rolls back as inconclusive. Default 3 × stepSeconds. */
  maxStepSeconds?: number;
  canary: ReleaseModel;
  stable: ReleaseModel;
  limits: AnalysisLimits;
  /** How often the provider is asked, in ms. Default 250. */
  observeMs?: number;
  /** The router's share changes inside a step (e.g. a lagging or manual shift), ms from the start; it lasts until the step ends. */
  weightChanges?: ReadonlyArray<{ atMs: number; canaryWeight: number }>;
  /** Periods in which both releases fail at this rate (a shared dependency's incident). */
  sharedErrorSpikes?: ReadonlyArray<{ fromMs: number; toMs: number; errorRate: number }>;
  /** Periods in which the metric provider answers with an error. */
  providerOutages?: ReadonlyArray<{ fromMs: number; toMs: number }>;
}

export const CANARY_ID = "canary";
export const STABLE_ID = "stable";
const DEFAULT_OBSERVE_MS = 250;
const EVIDENCE_READ_MS = 1000;

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

  /** Serves a Poisson number of requests; returns how many and how many failed. */
  serve(random: SeededRandom, expectedRequests: number, errorRate: number): [number, number] {
    const requests = random.poisson(expectedRequests);
    if (requests === 0) return [0, 0];
    const errors = random.binomial(requests, errorRate);
    this.requests += requests;
    this.errors += errors;
    const { medianMs, sigma } = this.model.latency;
    for (let i = 0; i < requests; i++) this.latency.record(random.logNormal(medianMs, sigma));
    return [requests, errors];
  }

  counters(): ReleaseCounters {
    return releaseCounters(this.requests, this.errors, this.latency);
  }
}

function errorRateAt(scenario: CanaryScenario, model: ReleaseModel, ms: number): number {
  for (const spike of scenario.sharedErrorSpikes ?? [])
    if (ms >= spike.fromMs && ms < spike.toMs) return Math.max(model.errorRate, spike.errorRate);
  return model.errorRate;
}

/** Times where the weight or an error rate changes: traffic is split there. */
function changePoints(scenario: CanaryScenario): number[] {
  const points = [
    ...(scenario.weightChanges ?? []).map((change) => change.atMs),
    ...(scenario.sharedErrorSpikes ?? []).flatMap((spike) => [spike.fromMs, spike.toMs]),
  ];
  return points.sort((a, b) => a - b);
}

/**
 * What the canary actually did to its users, from the simulation's own knowledge of both
 * releases' true error rates: the errors it returned beyond the stable release's rate.
 */
export interface TrueHarm {
  canaryRequests: number;
  canaryErrors: number;
  /** Canary errors − canary requests × the stable model's error rate at the time. */
  excessErrors: number;
}

/** Traffic over both releases, served from `nowMs` forward at the share the driver sets. */
export class TrafficSimulation {
  nowMs = 0;
  readonly harm: TrueHarm = { canaryRequests: 0, canaryErrors: 0, excessErrors: 0 };
  private readonly random: SeededRandom;
  private readonly canary: SimulatedRelease;
  private readonly stable: SimulatedRelease;
  private readonly changes: number[];
  private weight = 0;
  private stepStartMs = 0;

  constructor(
    private readonly scenario: CanaryScenario,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.canary = new SimulatedRelease(scenario.canary);
    this.stable = new SimulatedRelease(scenario.stable);
    this.changes = changePoints(scenario);
  }

  /** A new step: the canary's share from now on (until a scheduled change inside the step). */
  setWeight(weight: number): void {
    this.weight = weight;
    this.stepStartMs = this.nowMs;
  }

  /** The share in force at `ms`: the step's, or the last scheduled change since the step began. */
  weightAt(ms: number): number {
    let weight = this.weight;
    for (const change of this.scenario.weightChanges ?? [])
      if (change.atMs <= ms && change.atMs >= this.stepStartMs) weight = change.canaryWeight;
    return weight;
  }

  /** Serves traffic up to `untilMs`, split where a weight or error rate changes. */
  advanceTo(untilMs: number): void {
    const perMs = this.scenario.totalRps / 1000;
    const bounds = [this.nowMs];
    for (const ms of this.changes) if (ms > this.nowMs && ms < untilMs) bounds.push(ms);
    bounds.push(untilMs);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const from = bounds[i]!;
      const expected = perMs * (bounds[i + 1]! - from);
      const weight = this.weightAt(from);
      const canaryRate = errorRateAt(this.scenario, this.scenario.canary, from);
      const stableRate = errorRateAt(this.scenario, this.scenario.stable, from);
      const [requests, errors] = this.canary.serve(this.random, expected * weight, canaryRate);
      this.stable.serve(this.random, expected * (1 - weight), stableRate);
      this.harm.canaryRequests += requests;
      this.harm.canaryErrors += errors;
      this.harm.excessErrors += errors - requests * stableRate;
    }
    this.nowMs = untilMs;
  }

  measure(): Measurement {
    const atMs = this.nowMs;
    const outage = (this.scenario.providerOutages ?? []).some((o) => atMs >= o.fromMs && atMs < o.toMs);
    return outage
      ? { ok: false, at: atMs, error: "metrics backend timed out" }
      : {
          ok: true,
          at: atMs,
          releases: { [CANARY_ID]: this.canary.counters(), [STABLE_ID]: this.stable.counters() },
        };
  }
}

/** What a policy says after a measurement. */
export type PolicyDecision = "continue" | "advance" | "fail" | "inconclusive";

/** Decides a rollout's steps from measurements; one instance per rollout. */
export interface RolloutPolicy {
  readonly name: string;
  /** A new step begins (the first measurement of the rollout comes before the first step's). */
  beginStep(step: number): void;
  /** One measurement, `stepMs` into the current step. */
  observe(measurement: Measurement, stepMs: number): PolicyDecision;
  /** The last verdict, for policies built on the analysis. */
  readonly verdict?: Verdict | undefined;
}

/**
 * The step runner's policy: roll back on a `fail` at once; once the step has run
 * `stepSeconds`, advance when the analysis concludes `pass`; roll back as inconclusive when the
 * step reaches `maxStepSeconds` without it. The evidence is read once a simulated second (the
 * step runner reads it at every poll), which keeps thousands of simulated rollouts cheap.
 */
export function evidencePolicy(scenario: CanaryScenario): RolloutPolicy {
  const analysis = createCanaryAnalysis(scenario.limits);
  const stepMs = scenario.stepSeconds * 1000;
  const maxStepMs = (scenario.maxStepSeconds ?? MAX_STEP_FACTOR * scenario.stepSeconds) * 1000;
  let last: Verdict | undefined;
  let lastReadMs = Number.NEGATIVE_INFINITY;
  return {
    name: "evidence to advance",
    get verdict() {
      return last;
    },
    beginStep() {
      analysis.beginStep();
      lastReadMs = Number.NEGATIVE_INFINITY;
    },
    observe(measurement, elapsedMs) {
      last = analysis.observe(measurement, CANARY_ID, STABLE_ID);
      if (last.decision === "fail") return "fail";
      if (elapsedMs < stepMs) return "continue";
      const read = elapsedMs >= maxStepMs || elapsedMs - lastReadMs >= EVIDENCE_READ_MS;
      if (read && last.decision !== "inconclusive") {
        lastReadMs = elapsedMs;
        last = analysis.conclude();
        if (last.decision === "pass") return "advance";
      }
      return elapsedMs >= maxStepMs ? "inconclusive" : "continue";
    },
  };
}

export interface RolloutRun {
  /** `promoted` when every step advanced. */
  outcome: "promoted" | "fail" | "inconclusive";
  /** Simulated ms from the canary's first traffic to the outcome. */
  atMs: number;
  /** The step the outcome came in (the number of steps when promoted). */
  step: number;
  /** The largest share the canary ever had. */
  maxWeight: number;
  harm: TrueHarm;
  /** The policy's last verdict, when it keeps one. */
  verdict?: Verdict | undefined;
}

export interface RolloutOptions {
  /** Default: the step runner's, `evidencePolicy`. */
  policy?: RolloutPolicy;
  /** Bounds the whole run: a step still undecided then ends inconclusive. */
  horizonMs?: number;
  /**
   * After a promotion, how long the new release serves all traffic before anything else would
   * notice it: its harm in that time is counted too (a promoted bad canary keeps failing).
   */
  afterPromotionMs?: number;
}

/**
 * Runs one rollout under a policy: a baseline measurement at 0, then each step at its share,
 * measured every `observeMs`, until the policy fails it, gives up, or advances past the last
 * step.
 */
export function runRollout(scenario: CanaryScenario, seed: number, options: RolloutOptions = {}): RolloutRun {
  const policy = options.policy ?? evidencePolicy(scenario);
  const horizonMs = options.horizonMs ?? Number.POSITIVE_INFINITY;
  const traffic = new TrafficSimulation(scenario, seed);
  const observeMs = scenario.observeMs ?? DEFAULT_OBSERVE_MS;
  let maxWeight = 0;
  const end = (outcome: RolloutRun["outcome"], step: number): RolloutRun => ({
    outcome,
    atMs: traffic.nowMs,
    step,
    maxWeight,
    harm: { ...traffic.harm },
    verdict: policy.verdict,
  });
  policy.observe(traffic.measure(), 0);
  for (let step = 0; step < scenario.canaryWeights.length; step++) {
    const weight = scenario.canaryWeights[step]!;
    traffic.setWeight(weight);
    policy.beginStep(step);
    const stepStart = traffic.nowMs;
    for (;;) {
      if (traffic.nowMs >= horizonMs) return end("inconclusive", step);
      traffic.advanceTo(traffic.nowMs + observeMs);
      maxWeight = Math.max(maxWeight, traffic.weightAt(traffic.nowMs - observeMs), weight);
      const decision = policy.observe(traffic.measure(), traffic.nowMs - stepStart);
      if (decision === "fail" || decision === "inconclusive") return end(decision, step);
      if (decision === "advance") break;
    }
  }
  const promotedAt = traffic.nowMs;
  maxWeight = 1;
  if (options.afterPromotionMs) {
    traffic.setWeight(1);
    traffic.advanceTo(promotedAt + options.afterPromotionMs);
  }
  return { ...end("promoted", scenario.canaryWeights.length), atMs: promotedAt };
}

export interface AnalysisRun {
  decision: "pass" | "fail" | "inconclusive";
  /** Simulated ms from the canary's first traffic to the decision. */
  atMs: number;
  verdict: Verdict;
}

/** The product's policy over a simulated rollout, as the tests read it. */
export function runAnalysis(scenario: CanaryScenario, seed: number): AnalysisRun {
  const run = runRollout(scenario, seed);
  if (!run.verdict) throw new Error("the scenario has no steps");
  return {
    decision: run.outcome === "promoted" ? "pass" : run.outcome,
    atMs: run.atMs,
    verdict: run.verdict,
  };
}

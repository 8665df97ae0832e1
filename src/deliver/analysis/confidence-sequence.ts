/**
 * Anytime-valid confidence sequences for a rate: the probability that a request fails, or that
 * its latency exceeds a threshold, from the cumulative count of trials and events.
 *
 * Robbins' beta-binomial mixture (Robbins 1970, "Statistical methods related to the law of the
 * iterated logarithm"; Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric,
 * nonasymptotic confidence sequences", §3): for a candidate rate q,
 *
 *   M_n(q) = ∫ (p/q)^k ((1 − p)/(1 − q))^(n−k) Beta(p; a, b) dp
 *          = B(a + k, b + n − k) / B(a, b) / (q^k (1 − q)^(n−k)),
 *
 * after n trials with k events, is a nonnegative martingale with M_0 = 1 when every trial is an
 * event with probability q. By Ville's inequality P(∃n: M_n(q) ≥ 1/level) ≤ level, so the set
 * {q : M_n(q) < 1/level} holds the true rate at every n at once with probability ≥ 1 − level:
 * its bounds may be read after every measurement, and a decision taken the moment one crosses a
 * limit. The set is an interval (q^k (1 − q)^(n−k) is log-concave in q), found by bisection.
 *
 * Assumption, stated where the bounds are used: the trials of one release are independent with
 * one event probability over the analysed window. The prior is Jeffreys' Beta(½, ½), which
 * puts enough mass near zero for the rare events (errors, slow requests) it is used on.
 */

const PRIOR_A = 0.5;
const PRIOR_B = 0.5;
const BISECTION_STEPS = 60;

/** Lanczos coefficients (g = 7, n = 9): |error| < 1e-13 for x > 0. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const LOG_PRIOR_BETA = logBeta(PRIOR_A, PRIOR_B);

/** ln of the mixture's marginal likelihood of k events in n trials (the numerator of M_n). */
function logMarginal(trials: number, events: number): number {
  return logBeta(PRIOR_A + events, PRIOR_B + trials - events) - LOG_PRIOR_BETA;
}

/** k·ln q + (n − k)·ln(1 − q), with 0·ln 0 = 0. */
function logLikelihood(trials: number, events: number, q: number): number {
  const eventPart = events === 0 ? 0 : events * Math.log(q);
  const restPart = trials === events ? 0 : (trials - events) * Math.log1p(-q);
  return eventPart + restPart;
}

/** ln M_n(q): the evidence, after `trials` with `events`, against the rate being exactly q. */
export function logEvidenceAgainstRate(trials: number, events: number, q: number): number {
  return logMarginal(trials, events) - logLikelihood(trials, events, q);
}

/**
 * Whether the data rule out q and every rate on its far side, at `level`: `below` asks "is the
 * rate shown below q" (fewer events than q predicts, and q outside the sequence), `above` asks
 * "is the rate shown above q". One evaluation, no bisection: what a scan over thresholds needs.
 */
export function rateShown(
  side: "below" | "above",
  trials: number,
  events: number,
  q: number,
  level: number,
): boolean {
  if (trials <= 0) return false;
  const observed = events / trials;
  if (side === "below" ? observed >= q : observed <= q) return false;
  return logEvidenceAgainstRate(trials, events, q) >= Math.log(1 / level);
}

export interface RateBounds {
  /** Every rate below this is ruled out (0 while none is). */
  lower: number;
  /** Every rate above this is ruled out (1 while none is). */
  upper: number;
}

/**
 * The confidence sequence's interval after `trials` with `events`, at `level`: it holds the
 * true rate at every moment of the whole analysis with probability ≥ 1 − level.
 */
export function rateBounds(trials: number, events: number, level: number): RateBounds {
  if (trials <= 0) return { lower: 0, upper: 1 };
  const k = Math.min(Math.max(0, events), trials);
  // q is inside the interval while its likelihood stays above this floor.
  const floor = logMarginal(trials, k) - Math.log(1 / level);
  const inside = (q: number) => logLikelihood(trials, k, q) > floor;
  const estimate = k / trials;
  let lower = 0;
  if (k > 0) {
    let [out, inn] = [0, estimate];
    for (let i = 0; i < BISECTION_STEPS; i++) {
      const mid = (out + inn) / 2;
      if (inside(mid)) inn = mid;
      else out = mid;
    }
    lower = out;
  }
  let upper = 1;
  if (k < trials) {
    let [inn, out] = [estimate, 1];
    for (let i = 0; i < BISECTION_STEPS; i++) {
      const mid = (inn + out) / 2;
      if (inside(mid)) inn = mid;
      else out = mid;
    }
    upper = out;
  }
  return { lower, upper };
}

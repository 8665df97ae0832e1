import { describe, expect, test } from "vitest";
import {
  logEvidenceAgainstRate,
  logGamma,
  rateBounds,
  rateShown,
} from "../../../src/deliver/analysis/confidence-sequence.js";
import { SeededRandom } from "../../../src/deliver/analysis/random.js";

/**
 * ln M_{n+1} − ln M_n for the Beta(½, ½) mixture after one more trial, `k` events in the `n`
 * before it: the mixture's predictive probability of the outcome over q's.
 */
function mixtureIncrement(k: number, n: number, event: boolean, logP: number, log1mP: number): number {
  return event ? Math.log((0.5 + k) / (1 + n)) - logP : Math.log((0.5 + n - k) / (1 + n)) - log1mP;
}

/** ln(n!) by summing logarithms: exact up to rounding. */
function logFactorialBySum(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i++) sum += Math.log(i);
  return sum;
}

describe("logGamma", () => {
  test("ln Γ(n) = ln((n − 1)!) at the integers", () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(2)).toBeCloseTo(0, 13);
    expect(logGamma(3)).toBeCloseTo(Math.log(2), 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    for (let n = 1; n <= 30; n++) expect(logGamma(n)).toBeCloseTo(logFactorialBySum(n - 1), 11);
    // Large arguments: relative precision.
    for (const n of [100, 1000, 100_000]) {
      const exact = logFactorialBySum(n - 1);
      expect(Math.abs(logGamma(n) - exact) / exact).toBeLessThan(1e-12);
    }
  });

  test("Γ(½) = √π, Γ(3/2) = √π/2, Γ(5/2) = 3√π/4", () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1.5)).toBeCloseTo(0.5 * Math.log(Math.PI) - Math.log(2), 13);
    expect(logGamma(2.5)).toBeCloseTo(0.5 * Math.log(Math.PI) + Math.log(3 / 4), 13);
    expect(logGamma(100.5)).toBeCloseTo(
      // Γ(n + ½) = (2n)! √π / (4^n n!)
      logFactorialBySum(200) + 0.5 * Math.log(Math.PI) - 100 * Math.log(4) - logFactorialBySum(100),
      9,
    );
  });

  test("below ½ (the reflection formula): Γ(¼), Γ(0.1), Γ(1/3), and Γ(x) ~ 1/x near 0", () => {
    expect(logGamma(0.25)).toBeCloseTo(Math.log(3.625609908221908), 13);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 13);
    expect(logGamma(1 / 3)).toBeCloseTo(Math.log(2.678938534707747), 13);
    // Γ(x)Γ(1 − x) = π / sin(πx)
    for (const x of [0.05, 0.2, 0.3, 0.45]) {
      expect(logGamma(x) + logGamma(1 - x)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * x)), 12);
    }
    // Γ(x) = 1/x − γ + O(x)
    expect(logGamma(1e-6)).toBeCloseTo(Math.log(1e6 - 0.5772156649), 6);
  });

  test("Γ(x + 1) = x·Γ(x) across the range", () => {
    for (const x of [0.01, 0.3, 0.5, 0.7, 1.2, 3.7, 12.25, 57.5, 600.1]) {
      expect(logGamma(x + 1) - logGamma(x)).toBeCloseTo(Math.log(x), 11);
    }
  });
});

describe("logEvidenceAgainstRate", () => {
  test("no data is no evidence: M_0 = 1", () => {
    for (const q of [0.001, 0.3, 0.9]) expect(logEvidenceAgainstRate(0, 0, q)).toBe(0);
  });

  test("one trial: M_1 = ½/q after an event and ½/(1 − q) after a non-event", () => {
    expect(logEvidenceAgainstRate(1, 1, 0.01)).toBeCloseTo(Math.log(0.5 / 0.01), 12);
    expect(logEvidenceAgainstRate(1, 0, 0.01)).toBeCloseTo(Math.log(0.5 / 0.99), 12);
  });

  test("the closed form B(½ + k, ½ + n − k) / B(½, ½) / (q^k (1 − q)^(n−k))", () => {
    const byHand = (n: number, k: number, q: number) =>
      logGamma(0.5 + k) +
      logGamma(0.5 + n - k) -
      logGamma(1 + n) -
      Math.log(Math.PI) -
      k * Math.log(q) -
      (n - k) * Math.log(1 - q);
    for (const [n, k, q] of [
      [10, 3, 0.2],
      [500, 7, 0.01],
      [20_000, 1000, 0.05],
    ] as const) {
      expect(logEvidenceAgainstRate(n, k, q)).toBeCloseTo(byHand(n, k, q), 8);
    }
  });

  test("is smallest near the observed rate and grows away from it on both sides", () => {
    const n = 1000;
    const k = 50;
    const atEstimate = logEvidenceAgainstRate(n, k, 0.05);
    expect(atEstimate).toBeLessThan(0);
    expect(logEvidenceAgainstRate(n, k, 0.04)).toBeGreaterThan(atEstimate);
    expect(logEvidenceAgainstRate(n, k, 0.03)).toBeGreaterThan(logEvidenceAgainstRate(n, k, 0.04));
    expect(logEvidenceAgainstRate(n, k, 0.06)).toBeGreaterThan(atEstimate);
    expect(logEvidenceAgainstRate(n, k, 0.08)).toBeGreaterThan(logEvidenceAgainstRate(n, k, 0.06));
  });
});

/** (trials, events) pairs across the range the analysis sees. */
const CASES: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [1, 1],
  [5, 2],
  [10, 0],
  [10, 10],
  [20, 3],
  [100, 1],
  [100, 50],
  [1000, 0],
  [1000, 10],
  [1000, 999],
  [20_000, 20],
  [20_000, 1000],
  [1_000_000, 1000],
];

describe("rateBounds", () => {
  test("no trials: nothing is ruled out", () => {
    expect(rateBounds(0, 0, 0.05)).toEqual({ lower: 0, upper: 1 });
    expect(rateBounds(-3, 0, 0.05)).toEqual({ lower: 0, upper: 1 });
  });

  test("the interval holds k/n; lower is 0 when k = 0 and upper 1 when k = n", () => {
    for (const level of [0.05, 0.01]) {
      for (const [n, k] of CASES) {
        const { lower, upper } = rateBounds(n, k, level);
        expect(lower).toBeGreaterThanOrEqual(0);
        expect(upper).toBeLessThanOrEqual(1);
        expect(lower).toBeLessThanOrEqual(k / n);
        expect(upper).toBeGreaterThanOrEqual(k / n);
        if (k === 0) expect(lower).toBe(0);
        else expect(lower).toBeGreaterThan(0);
        if (k === n) expect(upper).toBe(1);
        else expect(upper).toBeLessThan(1);
      }
    }
  });

  test("events are clamped to [0, trials]", () => {
    expect(rateBounds(10, 15, 0.05)).toEqual(rateBounds(10, 10, 0.05));
    expect(rateBounds(10, -2, 0.05)).toEqual(rateBounds(10, 0, 0.05));
  });

  test("the bisection finds the real boundary: M_n(bound) = 1/level, inside below it, outside above", () => {
    for (const level of [0.05, 0.01, 0.001]) {
      const threshold = Math.log(1 / level);
      for (const [n, k] of CASES) {
        const { lower, upper } = rateBounds(n, k, level);
        // Up to the spacing of doubles: near q = 1 (999 events in 1000 trials) M_n
        // changes by ~1e-9 from one representable q to the next.
        if (k < n) {
          expect(logEvidenceAgainstRate(n, k, upper)).toBeCloseTo(threshold, 7);
          const width = upper - k / n;
          expect(logEvidenceAgainstRate(n, k, upper - 1e-6 * width)).toBeLessThan(threshold);
          expect(logEvidenceAgainstRate(n, k, upper + 1e-6 * width)).toBeGreaterThanOrEqual(threshold);
        }
        if (k > 0) {
          expect(logEvidenceAgainstRate(n, k, lower)).toBeCloseTo(threshold, 7);
          const width = k / n - lower;
          expect(logEvidenceAgainstRate(n, k, lower + 1e-6 * width)).toBeLessThan(threshold);
          expect(logEvidenceAgainstRate(n, k, lower - 1e-6 * width)).toBeGreaterThanOrEqual(threshold);
        }
      }
    }
  });

  test("membership agrees with the evidence on a grid of rates", () => {
    const level = 0.05;
    const threshold = Math.log(1 / level);
    for (const [n, k] of CASES) {
      const { lower, upper } = rateBounds(n, k, level);
      for (let i = 1; i < 200; i++) {
        const q = (i / 200) ** 3; // dense near 0, where the rare-event rates are
        const evidence = logEvidenceAgainstRate(n, k, q);
        if (Math.abs(evidence - threshold) < 1e-9) continue;
        expect(evidence < threshold, `n=${n} k=${k} q=${q}`).toBe(q > lower && q < upper);
      }
    }
  });

  test("tighter with more data at the same rate, and wider at a smaller level", () => {
    let previous = rateBounds(100, 1, 0.05);
    for (const n of [1000, 10_000, 100_000, 1_000_000]) {
      const next = rateBounds(n, n / 100, 0.05);
      expect(next.upper - next.lower).toBeLessThan(previous.upper - previous.lower);
      expect(next.lower).toBeGreaterThan(previous.lower);
      expect(next.upper).toBeLessThan(previous.upper);
      previous = next;
    }
    // 1% of a million: within ±0.05 percentage points.
    expect(previous.lower).toBeGreaterThan(0.0095);
    expect(previous.upper).toBeLessThan(0.0105);
    // Zero events: the upper bound falls roughly like log(n)/n.
    expect(rateBounds(10_000, 0, 0.05).upper).toBeLessThan(rateBounds(1000, 0, 0.05).upper / 5);

    const wide = rateBounds(1000, 10, 0.01);
    const narrow = rateBounds(1000, 10, 0.05);
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
  });
});

describe("rateShown", () => {
  test("never with no trials, nor on the side the observed rate is on", () => {
    expect(rateShown("below", 0, 0, 0.5, 0.05)).toBe(false);
    expect(rateShown("above", 0, 0, 0.5, 0.05)).toBe(false);
    // Observed 10%: "below 5%" and "above 20%" are never shown, however much data.
    expect(rateShown("below", 1_000_000, 100_000, 0.05, 0.05)).toBe(false);
    expect(rateShown("above", 1_000_000, 100_000, 0.2, 0.05)).toBe(false);
    // At exactly the observed rate neither side is shown.
    expect(rateShown("below", 1000, 100, 0.1, 0.05)).toBe(false);
    expect(rateShown("above", 1000, 100, 0.1, 0.05)).toBe(false);
    // ...while far from it both are.
    expect(rateShown("below", 1_000_000, 100_000, 0.2, 0.05)).toBe(true);
    expect(rateShown("above", 1_000_000, 100_000, 0.05, 0.05)).toBe(true);
  });

  test("'below' asks whether the rate is shown below q, 'above' whether it is shown above q", () => {
    // 0 errors in 10,000: the rate is shown below 1%, not above anything.
    expect(rateShown("below", 10_000, 0, 0.01, 0.05)).toBe(true);
    expect(rateShown("above", 10_000, 0, 0.01, 0.05)).toBe(false);
    // 500 errors in 10,000: the rate is shown above 1%, not below it.
    expect(rateShown("above", 10_000, 500, 0.01, 0.05)).toBe(true);
    expect(rateShown("below", 10_000, 500, 0.01, 0.05)).toBe(false);
  });

  test("agrees with rateBounds: shown below q iff upper < q, shown above q iff lower > q", () => {
    let compared = 0;
    let shownBelow = 0;
    let shownAbove = 0;
    for (const level of [0.05, 0.01]) {
      for (const [n, k] of CASES) {
        const { lower, upper } = rateBounds(n, k, level);
        for (let i = 1; i < 400; i++) {
          const q = (i / 400) ** 2.5;
          const below = rateShown("below", n, k, q, level);
          const above = rateShown("above", n, k, q, level);
          expect(below && above).toBe(false);
          // Up to the bisection's precision.
          if (Math.abs(q - upper) > 1e-12) expect(below, `below n=${n} k=${k} q=${q}`).toBe(upper < q);
          if (Math.abs(q - lower) > 1e-12) expect(above, `above n=${n} k=${k} q=${q}`).toBe(lower > q);
          compared++;
          if (below) shownBelow++;
          if (above) shownAbove++;
        }
      }
    }
    // The grid exercises both answers of both sides.
    expect(compared).toBeGreaterThan(10_000);
    expect(shownBelow).toBeGreaterThan(1000);
    expect(shownAbove).toBeGreaterThan(1000);
  });

  test("is monotone in the events, as a threshold scan needs", () => {
    const n = 5000;
    const q = 0.05;
    let lastBelow = true;
    let lastAbove = false;
    for (let k = 0; k <= n; k++) {
      const below = rateShown("below", n, k, q, 0.025);
      const above = rateShown("above", n, k, q, 0.025);
      if (!lastBelow) expect(below).toBe(false);
      if (lastAbove) expect(above).toBe(true);
      lastBelow = below;
      lastAbove = above;
    }
  });
});

/**
 * One seeded simulation of `runs` Bernoulli(p) sequences of `length` trials. For each run, the
 * largest ln M_n(p) over n = 1..length (the true rate has left the sequence at level α at some
 * n iff this is ≥ ln(1/α)), updated incrementally: with the Beta(½, ½) mixture, an event
 * multiplies M by (½ + k)/(1 + n)/p and a non-event by (½ + n − k)/(1 + n)/(1 − p), with k and n
 * the counts before the trial.
 */
function simulateMaxEvidence(
  p: number,
  runs: number,
  length: number,
  seed: number,
): { maxLogM: Float64Array; finals: Array<{ events: number; logM: number }> } {
  const random = new SeededRandom(seed);
  const logP = Math.log(p);
  const log1mP = Math.log1p(-p);
  const maxLogM = new Float64Array(runs);
  const finals: Array<{ events: number; logM: number }> = [];
  for (let run = 0; run < runs; run++) {
    let logM = 0;
    let max = 0;
    let k = 0;
    for (let n = 0; n < length; n++) {
      const event = random.next() < p;
      logM += mixtureIncrement(k, n, event, logP, log1mP);
      if (event) k++;
      if (logM > max) max = logM;
    }
    maxLogM[run] = max;
    if (run < 5) finals.push({ events: k, logM });
  }
  return { maxLogM, finals };
}

function missRate(maxLogM: Float64Array, level: number): number {
  const threshold = Math.log(1 / level);
  let misses = 0;
  for (const max of maxLogM) if (max >= threshold) misses++;
  return misses / maxLogM.length;
}

const COVERAGE_RUNS = 10_000;
const COVERAGE_SEED = 20_240_601;

describe("coverage of the confidence sequence (simulated, seeded)", () => {
  test("the incremental update matches logEvidenceAgainstRate", () => {
    for (const p of [0.001, 0.05, 0.5]) {
      const length = 3000;
      const { finals } = simulateMaxEvidence(p, 5, length, 7);
      for (const { events, logM } of finals) {
        expect(logM).toBeCloseTo(logEvidenceAgainstRate(length, events, p), 8);
      }
    }
    // And at every step of one run, not only at the end.
    const random = new SeededRandom(11);
    const p = 0.03;
    let logM = 0;
    let k = 0;
    for (let n = 0; n < 2000; n++) {
      const event = random.next() < p;
      logM += mixtureIncrement(k, n, event, Math.log(p), Math.log1p(-p));
      if (event) k++;
      expect(Math.abs(logM - logEvidenceAgainstRate(n + 1, k, p))).toBeLessThan(1e-9);
    }
  });

  test.each([
    { p: 0.001, length: 10_000 },
    { p: 0.01, length: 2000 },
    { p: 0.2, length: 2000 },
    { p: 0.5, length: 2000 },
  ])(
    "true rate $p, $length trials: ever leaves the sequence in at most level of 10,000 runs",
    ({ p, length }) => {
      const { maxLogM } = simulateMaxEvidence(p, COVERAGE_RUNS, length, COVERAGE_SEED);
      const at05 = missRate(maxLogM, 0.05);
      const at01 = missRate(maxLogM, 0.01);
      console.log(
        `confidence sequence coverage: p=${p}, ${length} trials checked after every trial, ` +
          `${COVERAGE_RUNS} runs, seed ${COVERAGE_SEED}: ever excluded p in ` +
          `${(at05 * 100).toFixed(2)}% of runs at level 5%, ${(at01 * 100).toFixed(2)}% at level 1%`,
      );
      expect(at05).toBeLessThanOrEqual(0.05);
      expect(at01).toBeLessThanOrEqual(0.01);
      // Sanity: the simulation does exclude the truth sometimes (it is not vacuous).
      expect(at05).toBeGreaterThan(0);
      expect(at01).toBeLessThanOrEqual(at05);
    },
  );

  test("a wrong rate does leave the sequence: the simulation has power", () => {
    // Data at 2%, candidate 1%: M_n(1%) grows and crosses 1/level in almost every run.
    const runs = 1000;
    const length = 5000;
    const random = new SeededRandom(COVERAGE_SEED);
    const truth = 0.02;
    const candidate = 0.01;
    const threshold = Math.log(1 / 0.05);
    let crossed = 0;
    for (let run = 0; run < runs; run++) {
      let logM = 0;
      let k = 0;
      for (let n = 0; n < length; n++) {
        const event = random.next() < truth;
        logM += mixtureIncrement(k, n, event, Math.log(candidate), Math.log1p(-candidate));
        if (event) k++;
        if (logM >= threshold) {
          crossed++;
          break;
        }
      }
    }
    expect(crossed / runs).toBeGreaterThan(0.95);
  });

  test.each([
    { p: 0.001, level: 0.05 },
    { p: 0.01, level: 0.05 },
    { p: 0.2, level: 0.05 },
    { p: 0.2, level: 0.01 },
  ])("rateBounds at checkpoints holds the true rate $p in all but level $level of runs", ({ p, level }) => {
    const runs = 3000;
    const checkpoints = [10, 30, 100, 300, 1000, 2000];
    const length = checkpoints[checkpoints.length - 1]!;
    const seed = COVERAGE_SEED + 1;
    const random = new SeededRandom(seed);
    const threshold = Math.log(1 / level);
    const logP = Math.log(p);
    const log1mP = Math.log1p(-p);
    let missedRuns = 0;
    let missedReads = 0;
    for (let run = 0; run < runs; run++) {
      let k = 0;
      let logM = 0;
      let next = 0;
      let missed = false;
      for (let n = 0; n < length; n++) {
        const event = random.next() < p;
        logM += mixtureIncrement(k, n, event, logP, log1mP);
        if (event) k++;
        if (n + 1 !== checkpoints[next]) continue;
        next++;
        const { lower, upper } = rateBounds(n + 1, k, level);
        const outside = p < lower || p > upper;
        // The interval is exactly {q : M_n(q) < 1/level}.
        if (Math.abs(logM - threshold) > 1e-9) expect(outside).toBe(logM >= threshold);
        if (outside) {
          missedReads++;
          missed = true;
        }
      }
      if (missed) missedRuns++;
    }
    const rate = missedRuns / runs;
    console.log(
      `rateBounds coverage: p=${p}, level ${level}, read at n=${checkpoints.join(",")}, ${runs} runs, ` +
        `seed ${seed}: some read excluded p in ${missedRuns} runs (${(rate * 100).toFixed(2)}%), ` +
        `${missedReads} of ${runs * checkpoints.length} reads`,
    );
    expect(rate).toBeLessThanOrEqual(level);
  });
});

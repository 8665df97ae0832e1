import { describe, expect, test } from "vitest";
import { logFactorial, SeededRandom } from "../../../src/deliver/analysis/random.js";

function mean(draw: () => number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += draw();
  return sum / n;
}

describe("SeededRandom", () => {
  test("is deterministic for a seed and differs between seeds", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    for (const u of first) expect(u > 0 && u < 1).toBe(true);
  });

  test("Poisson and binomial draws have the right means, for small and large parameters", () => {
    const random = new SeededRandom(1);
    expect(mean(() => random.poisson(3), 20_000)).toBeCloseTo(3, 1);
    expect(mean(() => random.poisson(120), 20_000) / 120).toBeCloseTo(1, 2);
    expect(mean(() => random.binomial(200, 0.01), 20_000)).toBeCloseTo(2, 1);
    expect(mean(() => random.binomial(50, 0.8), 20_000)).toBeCloseTo(40, 1);
    expect(random.poisson(0)).toBe(0);
    expect(random.binomial(10, 0)).toBe(0);
    expect(random.binomial(10, 1)).toBe(10);
  });

  test("Poisson variance equals its mean above the PTRS switch", () => {
    const random = new SeededRandom(5);
    const draws = Array.from({ length: 20_000 }, () => random.poisson(50));
    const m = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - m) ** 2, 0) / draws.length;
    expect(variance / 50).toBeCloseTo(1, 1);
  });

  test("log-normal draws have the given median", () => {
    const random = new SeededRandom(9);
    const draws = Array.from({ length: 10_001 }, () => random.logNormal(20, 0.5)).sort((x, y) => x - y);
    expect(draws[5000]! / 20).toBeCloseTo(1, 1);
  });

  test("logFactorial is exact for small k and accurate for large k", () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let exact = 0;
    for (let i = 2; i <= 40; i++) exact += Math.log(i);
    expect(logFactorial(40)).toBeCloseTo(exact, 9);
  });
});

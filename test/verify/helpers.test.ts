import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/verify/backoff.js";
import { formatDuration, parseDuration } from "../../src/verify/duration.js";
import { deepEqual } from "../../src/verify/expectations.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5s", 1500],
    ["5m", 300_000],
    ["1h", 3_600_000],
    [" 10s ", 10_000],
    ["0s", 0],
  ])("%s → %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "s", "-1s", "5 min", "1d", "1e3ms", "abc"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [850, "850ms"],
    [1000, "1s"],
    [1540, "1.5s"],
    [4000, "4s"],
    [59_400, "59.4s"],
    [60_000, "1m"],
    [119_700, "2m"],
    [150_000, "2m30s"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("backoffDelay", () => {
  const base = { initialDelayMs: 1000, maxDelayMs: 15_000 };

  it("doubles each attempt and caps at maxDelayMs", () => {
    const top = (attempt: number) => backoffDelay({ ...base, attempt, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it("keeps at least half of the wait whatever the jitter", () => {
    const bottom = (attempt: number) => backoffDelay({ ...base, attempt, random: () => 0 });
    expect([1, 2, 3, 5].map(bottom)).toEqual([500, 1000, 2000, 7500]);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay({ ...base, attempt: 3 });
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});

describe("deepEqual", () => {
  it("compares JSON values structurally", () => {
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual("1", 1)).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});

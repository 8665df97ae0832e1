import type { Distribution } from "./types.js";

/** The middle value; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Nearest-rank percentile: the smallest value with at least p% of the sample at or below it
 * (rank ceil(p/100 × n)). It is always an observed value, which keeps small samples honest.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function distribution(values: readonly number[]): Distribution {
  return { median: median(values), p90: percentile(values, 90), n: values.length };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

import type { Ratio } from "./types.js";

export function ratio(covered: number, total: number): Ratio {
  return { covered, total, pct: total === 0 ? 100 : (covered * 100) / total };
}

export function addRatios(ratios: ReadonlyArray<Ratio>): Ratio {
  let covered = 0;
  let total = 0;
  for (const r of ratios) {
    covered += r.covered;
    total += r.total;
  }
  return ratio(covered, total);
}

/**
 * A percentage rounded down to two decimals: 79.996% prints as 79.99%, never as 80.00%
 * next to a failed 80% minimum.
 */
export function formatPct(pct: number): string {
  const floored = Math.floor(pct * 100 + 1e-9) / 100;
  return `${Number.isInteger(floored) ? floored.toFixed(0) : floored.toFixed(2).replace(/0$/, "")}%`;
}

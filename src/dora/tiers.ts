import { readFileSync } from "node:fs";
import type { MetricKey, Tier, TierResult, TierSource } from "./types.js";

export const TIER_ORDER: readonly Tier[] = ["elite", "high", "medium", "low"];

export interface TierBound {
  label: string;
  bound: number;
  inclusive: boolean;
  verified: boolean;
  note?: string;
  sources: string[];
}

export interface TierMetric {
  unit: string;
  better: "higher" | "lower";
  tiers: Record<Tier, TierBound>;
}

export interface TierTable extends TierSource {
  publisher: string;
  primaryChecked: boolean;
  verificationNote: string;
  sources: Record<string, string>;
  metrics: Record<MetricKey, TierMetric>;
}

/** The published levels, read from data/dora-tiers.json on each call (no module state). */
export function loadTierTable(): TierTable {
  return JSON.parse(
    readFileSync(new URL("../../data/dora-tiers.json", import.meta.url), "utf8"),
  ) as TierTable;
}

/**
 * The best level whose published bound the value meets, checked elite → low. The 2024 levels
 * are cluster centres and not monotonic (medium's change failure rate, 10%, is below high's,
 * 20%), so a level can be unreachable for one metric; the rule stays one rule for all four.
 * A value beyond even low's bound is classed low and flagged.
 */
export function classify(metric: TierMetric, value: number | null): TierResult {
  if (value === null) return { tier: null };
  for (const tier of TIER_ORDER) {
    const { bound, inclusive } = metric.tiers[tier];
    const meets =
      metric.better === "higher"
        ? inclusive
          ? value >= bound
          : value > bound
        : inclusive
          ? value <= bound
          : value < bound;
    if (meets) return { tier };
  }
  return { tier: "low", beyondRange: true };
}

/** The lowest of the given tiers: a team is as fast as its slowest key lets it be. */
export function lowestTier(tiers: Array<Tier | null>): Tier | null {
  const known = tiers.filter((t): t is Tier => t !== null);
  if (known.length === 0) return null;
  return known.reduce((worst, t) => (TIER_ORDER.indexOf(t) > TIER_ORDER.indexOf(worst) ? t : worst));
}

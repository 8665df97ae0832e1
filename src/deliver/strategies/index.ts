import type { EnvironmentConfig } from "../../config/schema.js";
import { parseConfigDuration } from "../../verify/duration.js";
import type { Step } from "../steps.js";
import { blueGreen } from "./blue-green.js";
import { canary } from "./canary.js";
import { rolling } from "./rolling.js";
import type { PlanInput } from "./types.js";

export type { PlanInput, Strategy } from "./types.js";

export const STRATEGIES = {
  "blue-green": blueGreen,
  canary,
  rolling,
} as const;

export type StrategyId = keyof typeof STRATEGIES;

export function strategyId(env: EnvironmentConfig): StrategyId {
  return typeof env.strategy === "string" ? env.strategy : "canary";
}

/** The steps that replace `input.stable` with `input.release` under the environment's strategy. */
export function planFor(env: EnvironmentConfig, input: PlanInput): Step[] {
  const strategy = env.strategy;
  if (typeof strategy === "object") return canary.plan(input, strategy.canary);
  if (strategy === "blue-green") {
    return blueGreen.plan(input, { keepPreviousMs: parseConfigDuration(env.rollback.keepPrevious) ?? 0 });
  }
  return rolling.plan(input, undefined);
}

import { didYouMean } from "../config/did-you-mean.js";
import type { ShipgateConfig } from "../config/schema.js";
import { inputError } from "../errors.js";
import { buildPipeline } from "../pipeline/build.js";

/**
 * The environment whose deployments count: `--env`, then `dora.environment`, then one named
 * production, then the last in promotion order (where changes end up).
 */
export function chooseEnvironment(config: ShipgateConfig, requested?: string): string {
  const names = Object.keys(config.environments);
  const chosen = requested ?? config.dora?.environment;
  if (chosen !== undefined) {
    if (names.includes(chosen)) return chosen;
    const guess = didYouMean({ input: chosen, candidates: names });
    throw inputError("dora/unknown-environment", `shipgate.yml has no environment "${chosen}"`, {
      hint: guess ? `did you mean "${guess}"?` : `environments: ${names.join(", ") || "none"}`,
    });
  }
  if (names.includes("production")) return "production";
  const last = buildPipeline({ config }).environments.at(-1)?.name;
  if (!last) throw inputError("dora/no-environment", "shipgate.yml defines no environments");
  return last;
}

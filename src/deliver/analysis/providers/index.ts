/**
 * Metric providers that can be configured (`environments.<env>.analysis.provider`), keyed by
 * their `type`. A target's own counters (the local router's) need no entry: they are what the
 * analysis reads when no provider is configured.
 */
import type { MetricProviderConfig, TargetConfig } from "../../../config/schema.js";
import type { MetricProvider } from "../types.js";
import { createPrometheusProvider, PROMETHEUS } from "./prometheus/index.js";

/** What every provider is made with besides its own configuration. */
export interface MetricProviderContext {
  env: string;
  app: string;
  /** The environment's target: its fields are the templates' `{{ target.<field> }}`. */
  target: TargetConfig;
  /** Where auth variables are read; default process.env. */
  environment?: NodeJS.ProcessEnv;
}

export interface MetricProviderDefinition<Config> {
  readonly id: string;
  readonly summary: string;
  create(config: Config, context: MetricProviderContext): MetricProvider;
}

type ConfigOf<Type extends MetricProviderConfig["type"]> = Extract<MetricProviderConfig, { type: Type }>;

export const METRIC_PROVIDERS = {
  prometheus: {
    id: PROMETHEUS.id,
    summary: PROMETHEUS.summary,
    create: (config: ConfigOf<"prometheus">, context: MetricProviderContext) =>
      createPrometheusProvider({
        config,
        variables: templateVariables(context),
        where: `environments.${context.env}.analysis.provider`,
        ...(context.environment && { environment: context.environment }),
      }),
  },
} satisfies { [Type in MetricProviderConfig["type"]]: MetricProviderDefinition<ConfigOf<Type>> };

/** The provider an environment's analysis reads, from its configuration. */
export function createMetricProvider(
  config: MetricProviderConfig,
  context: MetricProviderContext,
): MetricProvider {
  return METRIC_PROVIDERS[config.type].create(config, context);
}

/** `{{ env }}`, `{{ app }}` and `{{ target.<field> }}` for each plain field of the target. */
export function templateVariables(context: MetricProviderContext): Record<string, string> {
  const variables: Record<string, string> = { env: context.env, app: context.app };
  for (const [field, value] of Object.entries(context.target)) {
    if (typeof value === "string" || typeof value === "number") variables[`target.${field}`] = String(value);
  }
  return variables;
}

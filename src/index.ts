/**
 * shipgate as a library: every CLI command is one of these functions with typed input and
 * output. Errors are thrown as `ShipgateError` (a code, a message, a location, a hint).
 */
export {
  configJsonSchema,
  loadConfig,
  parseConfig,
  SCHEMA_URL,
  type ShipgateConfig,
  type ShipgateConfigInput,
  ShipgateConfigSchema,
} from "./config/index.js";
export { createCanaryAnalysis } from "./deliver/analysis/index.js";
export { createMetricProvider, METRIC_PROVIDERS } from "./deliver/analysis/providers/index.js";
export {
  createPrometheusProvider,
  type PrometheusProvider,
  type PrometheusProviderOptions,
} from "./deliver/analysis/providers/prometheus/index.js";
export type { AnalysisLimits, Measurement, MetricProvider, Verdict } from "./deliver/analysis/types.js";
export { buildRelease } from "./deliver/build.js";
export { type DeployOptions, deploy } from "./deliver/deploy.js";
export type { DeploymentOutcome, EngineEvent } from "./deliver/events.js";
export { deploymentHistory, type HistoryReport } from "./deliver/history.js";
export { type RollbackOptions, rollback } from "./deliver/rollback.js";
export { environmentStatus, type StatusReport } from "./deliver/status.js";
export type { Step } from "./deliver/steps.js";
export { STRATEGIES } from "./deliver/strategies/index.js";
export { TARGETS } from "./deliver/targets/index.js";
export { agentStatus, stopAgent } from "./deliver/targets/local/index.js";
export type { Target } from "./deliver/targets/types.js";
export { runDemo } from "./demo/index.js";
export { detectProject } from "./detect/index.js";
export type { Detection } from "./detect/types.js";
export { computeDora } from "./dora/index.js";
export { type Diagnostic, isShipgateError, ShipgateError, type SourceLocation } from "./errors.js";
export {
  readReport,
  runConfiguredGates,
  runCoverageGate,
  runGatesFromConfig,
  runTestsGate,
  runVulnsGate,
} from "./gates/index.js";
export { type GenerateOptions, type GenerateResult, generatePipeline } from "./generate/index.js";
export { initProject, renderConfig } from "./init/index.js";
export { openLedger } from "./ledger/index.js";
export type { Ledger } from "./ledger/types.js";
export { buildPipeline } from "./pipeline/build.js";
export type { PipelineModel, QualityGate } from "./pipeline/model.js";
export { renderPlan } from "./plan/index.js";
export { rehearseCi } from "./rehearse/index.js";
export { renderRehearsal } from "./rehearse/render.js";
export type { RehearsalJob, RehearsalReport, RehearseOptions } from "./rehearse/types.js";
export { RENDERERS } from "./render/registry.js";
export type { RenderedFile, Renderer } from "./render/types.js";
export { loadSmokeFile, verifyRelease } from "./verify/index.js";
export type { VerifyOptions, VerifyReport } from "./verify/types.js";
export { VERSION } from "./version.js";

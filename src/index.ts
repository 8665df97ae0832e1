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
export { runDemo } from "./demo/index.js";
export { detectProject } from "./detect/index.js";
export type { Detection } from "./detect/types.js";
export { type Diagnostic, isShipgateError, ShipgateError, type SourceLocation } from "./errors.js";
export { type GenerateOptions, type GenerateResult, generatePipeline } from "./generate/index.js";
export { initProject, renderConfig } from "./init/index.js";
export { buildPipeline } from "./pipeline/build.js";
export type { PipelineModel, QualityGate } from "./pipeline/model.js";
export { renderPlan } from "./plan/index.js";
export { RENDERERS } from "./render/registry.js";
export type { RenderedFile, Renderer } from "./render/types.js";
export { loadSmokeFile, verifyRelease } from "./verify/index.js";
export type { VerifyOptions, VerifyReport } from "./verify/types.js";
export { VERSION } from "./version.js";

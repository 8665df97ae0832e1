export { SCHEMA_URL } from "../config/json-schema.js";
export { checkAnswers, type InitAnswers } from "./answers.js";
export { locateRepository } from "./locate.js";
export {
  assertCanWrite,
  CLI_TARBALL,
  CONFIG_FILE,
  type InitOptions,
  type InitResult,
  initProject,
  parseLanguage,
  parseTarget,
} from "./project.js";
export { type PromptOptions, promptAnswers } from "./prompt.js";
export { type RenderConfigOptions, renderConfig, SCHEMA_COMMENT } from "./render.js";
export { describeDetection } from "./summary.js";
export { type UnsureValue, unsureValues } from "./unsure.js";

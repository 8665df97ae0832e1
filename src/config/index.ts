export { didYouMean, editDistance } from "./did-you-mean.js";
export { configJsonSchema, configJsonSchemaText, SCHEMA_URL } from "./json-schema.js";
export { type LoadedConfig, loadConfig, parseConfig } from "./load.js";
export * from "./schema.js";

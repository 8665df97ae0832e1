/**
 * `shipgate gate`: quality gates over the reports CI tools write (coverage, vulnerabilities,
 * test results). Read a report with `readReport`, judge it with an `evaluate*` function, or
 * do both with a `run*Gate` function; render with `renderGateTable`/`renderGateMarkdown`.
 */
export { type CoverageThresholds, evaluateCoverage } from "./evaluate/coverage.js";
export { evaluateTests, type TestsThresholds } from "./evaluate/tests.js";
export { evaluateVulns, type VulnsThresholds } from "./evaluate/vulns.js";
export { expandReportPaths } from "./glob.js";
export { REPORT_PARSERS } from "./parsers/index.js";
export { acceptedFormats, detectFormat, readReport } from "./read-report.js";
export { renderGateMarkdown } from "./render/markdown.js";
export { type RenderOptions, renderGateTable } from "./render/table.js";
export type * from "./result.js";
export {
  type ConfiguredGatesOptions,
  type CoverageGateOptions,
  runConfiguredGates,
  runCoverageGate,
  runGatesFromConfig,
  runTestsGate,
  runVulnsGate,
  type TestsGateOptions,
  type VulnsGateOptions,
} from "./run.js";
export { appendStepSummary } from "./step-summary.js";
export type * from "./types.js";

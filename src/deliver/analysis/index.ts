export {
  AbsoluteErrorRateTest,
  ERROR_ODDS_ALTERNATIVES,
  ErrorProbabilityMixture,
  withOddsTimes,
} from "./absolute-error-rate-test.js";
export {
  type CanaryAnalysis,
  createCanaryAnalysis,
  DEFAULT_ALPHA,
  DEFAULT_ERROR_TOLERANCE,
  DEFAULT_MIN_REQUESTS,
  PROVIDER_ERRORS_BEFORE_INCONCLUSIVE,
  TEST_COUNT,
} from "./canary-analysis.js";
export { BUCKET_COUNT, type HistogramSnapshot, LatencyHistogram, type QuantileSide } from "./histogram.js";
export {
  LatencyP95Test,
  type QuantileBounds,
  quantileBandHalfWidth,
  quantileBounds,
} from "./latency-test.js";
export {
  type EValueFiguresInput,
  eValueFigures,
  logMeanExp,
  lowerBoundFromFamily,
  type OneSidedTest,
} from "./mixture.js";
export { logFactorial, SeededRandom } from "./random.js";
export {
  canaryErrorShare,
  RATE_RATIO_ALTERNATIVES,
  RateRatioMixture,
  RelativeErrorRateTest,
} from "./relative-error-rate-test.js";
export { ReleaseWindow } from "./release-window.js";
export {
  type AnalysisRun,
  CANARY_ID,
  type CanaryScenario,
  type LatencyModel,
  type ReleaseModel,
  releaseCounters,
  runAnalysis,
  type SimulationEvent,
  STABLE_ID,
  simulateCanary,
} from "./simulate.js";
export type * from "./types.js";

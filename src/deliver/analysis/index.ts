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
  MAX_STEP_FACTOR,
  PROVIDER_ERRORS_BEFORE_INCONCLUSIVE,
  TEST_COUNT,
} from "./canary-analysis.js";
export {
  logEvidenceAgainstRate,
  logGamma,
  type RateBounds,
  rateBounds,
  rateShown,
} from "./confidence-sequence.js";
export { BUCKET_COUNT, type HistogramSnapshot, LatencyHistogram, type QuantileSide } from "./histogram.js";
export { LatencyP95Test } from "./latency-test.js";
export {
  type EValueFiguresInput,
  eValueFigures,
  logMeanExp,
  lowerBoundFromFamily,
  type OneSidedTest,
} from "./mixture.js";
export {
  DEFAULT_ESTIMATE_ERROR_RATE,
  estimatePromotionTime,
  type PromotionTime,
  type PromotionTimeInput,
} from "./promotion-time.js";
export { quantileLowerBound, quantileUpperBound } from "./quantile-bounds.js";
export { logFactorial, SeededRandom } from "./random.js";
export {
  canaryErrorShare,
  RATE_RATIO_ALTERNATIVES,
  RateRatioMixture,
  type RatioSafety,
  RelativeErrorRateTest,
  SAFE_RATIO_ALTERNATIVES,
} from "./relative-error-rate-test.js";
export { ReleaseWindow } from "./release-window.js";
export {
  additiveAllowance,
  DEFAULT_BETA,
  type ReleaseTotals,
  SAFE_RATIO_FLOOR,
  type SafetyLimits,
  safeRatio,
  safetyEvidence,
} from "./safety-evidence.js";
export {
  type AnalysisRun,
  CANARY_ID,
  type CanaryScenario,
  evidencePolicy,
  type LatencyModel,
  type PolicyDecision,
  type ReleaseModel,
  type RolloutPolicy,
  type RolloutRun,
  releaseCounters,
  runAnalysis,
  runRollout,
  STABLE_ID,
  TrafficSimulation,
  type TrueHarm,
} from "./simulate.js";
export type * from "./types.js";

/**
 * A step that failed on the evidence: the release is unhealthy, its smoke checks failed, or
 * the analysis found it worse. Carries the numbers that decided, for the ledger and the user.
 */
export class StepFailure extends Error {
  readonly figures: Record<string, unknown>;
  constructor(message: string, figures: Record<string, unknown> = {}) {
    super(message);
    this.name = "StepFailure";
    this.figures = figures;
  }
}

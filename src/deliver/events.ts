import type { DeploymentRecord, LedgerEvent } from "../ledger/types.js";
import type { Verdict } from "./analysis/types.js";

/** What the engine tells its caller as it goes: every ledger event, plus transient progress. */
export type EngineEvent =
  | { type: "ledger"; event: LedgerEvent }
  | { type: "analysis.progress"; deploymentId: string; verdict: Verdict }
  | { type: "lock.waiting"; env: string; holder: string; deploymentId?: string };

export interface DeploymentOutcome {
  ok: boolean;
  deployment: DeploymentRecord;
  /** Why it ended as it did, with the numbers that decided. */
  reason: string;
  /** The release serving the environment now. */
  live?: string;
  /**
   * The newest event the deployment wrote, `<seq>:<hash>`: kept outside the ledger (a CI log,
   * the step summary), `history --verify --anchor` later proves the ledger still holds it.
   */
  anchor?: string;
}

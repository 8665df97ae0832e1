import type { DeploymentFact, IncidentFact } from "./facts.js";
import type { EnvironmentHistory } from "./history.js";
import type { FailureKind } from "./types.js";

/** A failed change and the span it took to recover; `toMs` undefined while open. */
export interface Failure {
  deployment: DeploymentFact;
  kind: FailureKind;
  fromMs?: number;
  toMs?: number;
}

/**
 * Whether a change deployment failed, and its recovery span. In order of precedence:
 * - `incident`: an imported incident names it: the incident's start to its end;
 * - `rolled_back`: the engine rolled it back: its start (ledger createdAt, imported
 *   `startedAt`) to the rollback's completion;
 * - `failed`: it failed without a rollback: its end to the next successful change deployment;
 * - `rollback`: it went live and the next release to go live was a `shipgate rollback`: live
 *   to the rollback's completion;
 * - `hotfix`: it went live and the next change to go live was a fix (see isFix) that went live
 *   within the hotfix window (inclusive): live to the hotfix live.
 * Otherwise it did not fail.
 */
export async function classifyFailure(options: {
  fact: DeploymentFact;
  history: EnvironmentHistory;
  /** The earliest incident naming each deployment, by deployment id (firstIncidents). */
  firstIncident: ReadonlyMap<string, IncidentFact>;
  hotfixWindowMs: number;
}): Promise<Failure | undefined> {
  const { fact, history } = options;
  const incident = options.firstIncident.get(fact.id);
  if (incident) return span(fact, "incident", incident.startMs, incident.endMs);
  if (fact.status === "rolled_back") return span(fact, "rolled_back", fact.startedMs, fact.finishedMs);
  if (fact.status === "failed")
    return span(fact, "failed", fact.finishedMs, history.nextSuccess(fact)?.finishedMs);
  const next = history.nextLive(fact);
  if (!next) return undefined;
  if (next.kind === "rollback") return span(fact, "rollback", fact.finishedMs, next.finishedMs);
  const withinWindow = next.finishedMs - fact.finishedMs <= options.hotfixWindowMs;
  if (withinWindow && (await history.isFix(next)))
    return span(fact, "hotfix", fact.finishedMs, next.finishedMs);
  return undefined;
}

/**
 * The earliest incident naming each deployment (the first written, on a tie), found once:
 * searching every incident for every deployment costs n² on an imported history.
 */
export function firstIncidents(incidents: readonly IncidentFact[]): Map<string, IncidentFact> {
  const first = new Map<string, IncidentFact>();
  for (const incident of incidents) {
    const id = incident.deploymentId;
    if (id === undefined) continue;
    const known = first.get(id);
    if (!known || incident.startMs < known.startMs) first.set(id, incident);
  }
  return first;
}

function span(deployment: DeploymentFact, kind: FailureKind, fromMs?: number, toMs?: number): Failure {
  return {
    deployment,
    kind,
    ...(fromMs !== undefined && { fromMs }),
    ...(toMs !== undefined && { toMs }),
  };
}

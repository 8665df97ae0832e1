import { type ChangeSet, changeSet } from "./change-set.js";
import type { DeploymentFact } from "./facts.js";
import type { GitHistory } from "./git-history.js";

export type ChangeSetResult =
  | { ok: true; set: ChangeSet }
  | { ok: false; reason: "noBaseline" | "commitUnavailable" | "noNewCommits" };

/**
 * One environment's deployments in order, with the questions the metrics ask of them.
 * Change sets are computed on first use and kept: the hotfix rule and lead time both need them.
 */
export class EnvironmentHistory {
  /** Oldest first; ties keep the id order so that reports are reproducible. */
  readonly ordered: DeploymentFact[];
  private readonly sets = new Map<string, Promise<ChangeSetResult>>();
  /** Position of each deployment in `ordered`. */
  private readonly position = new Map<DeploymentFact, number>();
  /** The neighbours of each position in `ordered`, found once (see neighboursOf). */
  private readonly neighbours: Neighbours[];

  constructor(
    facts: DeploymentFact[],
    private readonly git: GitHistory | undefined,
  ) {
    this.ordered = [...facts].sort((a, b) => a.finishedMs - b.finishedMs || a.id.localeCompare(b.id));
    for (const [i, fact] of this.ordered.entries()) this.position.set(fact, i);
    this.neighbours = neighboursOf(this.ordered);
  }

  private indexOf(fact: DeploymentFact): number {
    const at = this.position.get(fact);
    if (at === undefined) throw new Error(`deployment ${fact.id} is not in this history`);
    return at;
  }

  /** The successful change deployment before `fact` (the release it replaced, for lead time). */
  previousSuccess(fact: DeploymentFact): DeploymentFact | undefined {
    return this.neighbours[this.indexOf(fact)]!.previousSuccess;
  }

  /** The first deployment after `fact` that went live: a change, or a rollback. */
  nextLive(fact: DeploymentFact): DeploymentFact | undefined {
    return this.neighbours[this.indexOf(fact)]!.nextLive;
  }

  /** The first successful change deployment after `fact`. */
  nextSuccess(fact: DeploymentFact): DeploymentFact | undefined {
    return this.neighbours[this.indexOf(fact)]!.nextSuccess;
  }

  changeSet(fact: DeploymentFact): Promise<ChangeSetResult> {
    let result = this.sets.get(fact.id);
    if (!result) {
      result = this.computeChangeSet(fact);
      this.sets.set(fact.id, result);
    }
    return result;
  }

  /**
   * Whether the deployment was an unplanned fix: the imported `hotfix` flag when given, else
   * its commits' messages; undefined when neither can be read.
   */
  async isFix(fact: DeploymentFact): Promise<boolean | undefined> {
    if (fact.hotfix !== undefined) return fact.hotfix;
    const result = await this.changeSet(fact);
    return result.ok ? result.set.isFix : undefined;
  }

  private async computeChangeSet(fact: DeploymentFact): Promise<ChangeSetResult> {
    const previous = this.previousSuccess(fact);
    if (!previous?.commit) return { ok: false, reason: "noBaseline" };
    if (!this.git || !fact.commit) return { ok: false, reason: "commitUnavailable" };
    if (previous.commit === fact.commit) return { ok: false, reason: "noNewCommits" };
    const set = await changeSet(this.git, previous.commit, fact.commit);
    if (!set) return { ok: false, reason: "commitUnavailable" };
    if (set.changes.length === 0) return { ok: false, reason: "noNewCommits" };
    return { ok: true, set };
  }
}

interface Neighbours {
  previousSuccess?: DeploymentFact;
  nextSuccess?: DeploymentFact;
  nextLive?: DeploymentFact;
}

/**
 * One pass forward and one back. Scanning from each deployment instead costs n² on a long
 * run of failures, and an imported history can be years of deployments.
 */
function neighboursOf(ordered: readonly DeploymentFact[]): Neighbours[] {
  const out: Neighbours[] = ordered.map(() => ({}));
  let success: DeploymentFact | undefined;
  for (const [i, fact] of ordered.entries()) {
    if (success) out[i]!.previousSuccess = success;
    if (fact.kind === "deploy" && fact.status === "succeeded") success = fact;
  }
  success = undefined;
  let live: DeploymentFact | undefined;
  for (let i = ordered.length - 1; i >= 0; i--) {
    if (success) out[i]!.nextSuccess = success;
    if (live) out[i]!.nextLive = live;
    const fact = ordered[i]!;
    if (fact.status === "succeeded") {
      live = fact;
      if (fact.kind === "deploy") success = fact;
    }
  }
  return out;
}

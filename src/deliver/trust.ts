import { ShipgateError } from "../errors.js";
import { type StoredEvent, verifyEvents } from "../ledger/chain.js";
import type {
  ApprovalRecord,
  ArtifactRecord,
  DeploymentRecord,
  Ledger,
  LedgerEvent,
} from "../ledger/types.js";
import {
  approvalDisagreement,
  approvalEvents,
  artifactDisagreement,
  artifactWitness,
  deploymentDisagreement,
  deploymentWitness,
} from "../ledger/witness.js";

/**
 * Checks, before shipgate acts on a ledger row, that the row is what the hash chain recorded:
 * the row agrees with its witness event (see ../ledger/witness.ts) and the chain is intact from
 * its first event through that witness. A row edited in the database — a start command, an
 * outcome, an approval — is refused here instead of acted on. Events are read afresh for each
 * check (a command may wait while others write); a chain prefix once verified is not checked again.
 */
export class LedgerTrust {
  private readonly intact = new Set<number>();

  constructor(private readonly ledger: Ledger) {}

  /** The artifact row as built, or `ledger/untrusted`. */
  async artifact(artifact: ArtifactRecord): Promise<ArtifactRecord> {
    const events = await this.all();
    const witness = artifactWitness(events, artifact.id);
    const problem = artifactDisagreement(artifact, witness);
    if (problem) throw untrusted(`artifact ${artifact.id} ${problem}`);
    await this.chainThrough(witness!.seq);
    return artifact;
  }

  /** That the deployment row agrees with its events, and (with `succeeded`) that it ended healthy. */
  async deployment(deployment: DeploymentRecord, options: { succeeded?: boolean } = {}): Promise<void> {
    const events = (await this.all()).filter((e) => e.deploymentId === deployment.id);
    const problem = deploymentDisagreement(deployment, events);
    if (problem) throw untrusted(`deployment ${deployment.id} ${problem}`);
    const { requested, outcome, status } = deploymentWitness(events);
    if (options.succeeded && status !== "succeeded") {
      throw untrusted(`deployment ${deployment.id} has no event recording that it succeeded`);
    }
    const last = outcome ?? requested;
    if (last) await this.chainThrough(last.seq);
  }

  /** The approval row as decided, with its decision event (for the approver's proof). */
  async approval(approval: ApprovalRecord): Promise<LedgerEvent | undefined> {
    const events = (await this.all()).filter((e) => e.deploymentId === approval.deploymentId);
    const problem = approvalDisagreement(approval, events);
    if (problem) throw untrusted(`approval ${approval.id} ${problem}`);
    const { requested, decision } = approvalEvents(events, approval.id);
    await this.chainThrough((decision ?? requested)!.seq);
    return decision;
  }

  private all(): Promise<LedgerEvent[]> {
    return this.ledger.listEvents();
  }

  private async chainThrough(seq: number): Promise<void> {
    if ([...this.intact].some((checked) => checked >= seq)) return;
    const prefix: StoredEvent[] = (await this.ledger.listEvents())
      .filter((e) => e.seq <= seq)
      .map((e) => ({ ...e, data: JSON.stringify(e.data) }));
    const report = verifyEvents(prefix);
    if (!report.ok || report.events !== seq) {
      const first = report.problems[0];
      throw untrusted(
        first
          ? `the hash chain is broken at event ${first.seq} (${first.problem}), before the event that records this`
          : `the hash chain is missing events before event ${seq}`,
      );
    }
    this.intact.add(seq);
  }
}

function untrusted(message: string): ShipgateError {
  return new ShipgateError(
    {
      code: "ledger/untrusted",
      message: `the ledger does not hold up: ${message}`,
      hint: "nothing was changed; `shipgate history --verify` lists what disagrees with the hash chain. Restore the ledger from a backup, or rebuild and redeploy from the commit",
    },
    { exitCode: 1 },
  );
}

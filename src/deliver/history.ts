import { openLedger } from "../ledger/index.js";
import type { ChainReport, DeploymentRecord, Ledger, LedgerEvent } from "../ledger/types.js";
import { type RowProblem, verifyRows } from "../ledger/witness.js";
import type { HarmFigures } from "./analysis/types.js";
import { deploymentNumber } from "./deploy.js";
import { openProject } from "./environment.js";

export interface HistoryReport {
  env?: string;
  /** `harm`: what a canary rollout cost its users, from its last analysis verdict (canary deployments only). */
  deployments: Array<DeploymentRecord & { events?: LedgerEvent[]; harm?: HarmFigures }>;
  /** Present with `verify`: whether the hash chain of the whole ledger is intact. */
  chain?: ChainReport;
  /** Present with `verify`: rows that disagree with the events that recorded them. */
  rows?: RowProblem[];
  /** Present with `anchor`: whether the chain still holds the event a deploy published. */
  anchor?: { seq: number; hash: string; found: boolean };
}

/** `<seq>:<hash>`, as deploy prints the ledger's head. */
export function parseAnchor(text: string): { seq: number; hash: string } | undefined {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}

/**
 * Everything `--verify` checks: the chain, every row against its witness, deployment numbers
 * without gaps, and (with an anchor published outside the ledger) that the chain still has
 * the event a deploy announced — which catches a ledger cut short or replaced by an empty one.
 */
export async function verifyLedger(ledger: Ledger, anchor?: { seq: number; hash: string }) {
  const chain = await ledger.verifyChain();
  const events = await ledger.listEvents();
  const rows = verifyRows({
    artifacts: await ledger.listArtifacts(),
    deployments: await ledger.listDeployments(),
    approvals: await ledger.listApprovals(),
    events,
    deploymentNumber,
  });
  const anchored = anchor && {
    ...anchor,
    found: events.some((e) => e.seq === anchor.seq && e.hash === anchor.hash),
  };
  return { chain, rows, ...(anchored && { anchor: anchored }) };
}

export function ledgerHolds(report: Pick<HistoryReport, "chain" | "rows" | "anchor">): boolean {
  return (report.chain?.ok ?? true) && (report.rows?.length ?? 0) === 0 && (report.anchor?.found ?? true);
}

/** The rollout's harm so far: the total of the last analysis verdict its events recorded. */
export function harmOf(events: readonly LedgerEvent[]): HarmFigures | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const verdict = events[i]!.data.verdict as { harm?: { total?: HarmFigures } } | undefined;
    if (verdict?.harm?.total) return verdict.harm.total;
  }
  return undefined;
}

/** Every deployment of an environment, newest first, with its events; `verify` checks the chain. */
export async function deploymentHistory(options: {
  env?: string;
  configPath?: string;
  cwd?: string;
  verify?: boolean;
  anchor?: { seq: number; hash: string };
  events?: boolean;
  limit?: number;
}): Promise<HistoryReport> {
  const { stateDir } = await openProject(options);
  const ledger = await openLedger({ stateDir });
  try {
    const deployments = await ledger.listDeployments({
      ...(options.env && { env: options.env }),
      ...(options.limit && { limit: options.limit }),
    });
    // One read of the environment's events gives every rollout's harm, and the events when asked.
    // With a limit, from the oldest listed deployment's first event on: deployments are created
    // in order, so the newer ones' events all come after it.
    const oldest = options.limit ? deployments.at(-1) : undefined;
    const from = oldest ? (await ledger.listEvents({ deploymentId: oldest.id }))[0]?.seq : undefined;
    const events = await ledger.listEvents({
      ...(options.env && { env: options.env }),
      ...(from !== undefined && { afterSeq: from - 1 }),
    });
    const byDeployment = new Map<string, LedgerEvent[]>();
    for (const event of events) {
      if (!event.deploymentId) continue;
      const list = byDeployment.get(event.deploymentId) ?? [];
      list.push(event);
      byDeployment.set(event.deploymentId, list);
    }
    const withEvents = deployments.map((d) => {
      const own = byDeployment.get(d.id) ?? [];
      const harm = harmOf(own);
      return { ...d, ...(options.events && { events: own }), ...(harm && { harm }) };
    });
    return {
      ...(options.env && { env: options.env }),
      deployments: withEvents,
      ...((options.verify || options.anchor) && (await verifyLedger(ledger, options.anchor))),
    };
  } finally {
    await ledger.close();
  }
}

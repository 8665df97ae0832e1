import { openLedger } from "../ledger/index.js";
import type { ChainReport, DeploymentRecord, LedgerEvent } from "../ledger/types.js";
import { openProject } from "./environment.js";

export interface HistoryReport {
  env?: string;
  deployments: Array<DeploymentRecord & { events?: LedgerEvent[] }>;
  /** Present with `verify`: whether the hash chain of the whole ledger is intact. */
  chain?: ChainReport;
}

/** Every deployment of an environment, newest first, with its events; `verify` checks the chain. */
export async function deploymentHistory(options: {
  env?: string;
  configPath?: string;
  cwd?: string;
  verify?: boolean;
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
    const withEvents = options.events
      ? await Promise.all(
          deployments.map(async (d) => ({ ...d, events: await ledger.listEvents({ deploymentId: d.id }) })),
        )
      : deployments;
    return {
      ...(options.env && { env: options.env }),
      deployments: withEvents,
      ...(options.verify && { chain: await ledger.verifyChain() }),
    };
  } finally {
    await ledger.close();
  }
}

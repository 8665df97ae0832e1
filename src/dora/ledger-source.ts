import { existsSync } from "node:fs";
import { join } from "node:path";
import { openLedger } from "../ledger/index.js";
import { type DeploymentRecord, type Ledger, NOOP_STRATEGY } from "../ledger/types.js";
import type { DeploymentFact } from "./facts.js";

/**
 * Every ended deployment of the environment in the ledger, with its artifact's commit.
 * Pending and running deployments have no outcome yet and are left out, and so is a deploy
 * that found its artifact already live: nothing was released. A project that has
 * never deployed has no ledger file: that is an empty history, and none is created for it.
 */
export async function ledgerDeployments(options: {
  stateDir: string;
  env: string;
}): Promise<DeploymentFact[]> {
  const sqliteFile = join(options.stateDir, "ledger.db");
  if (!process.env.SHIPGATE_DATABASE_URL && !existsSync(sqliteFile)) return [];
  const ledger = await openLedger({ stateDir: options.stateDir });
  try {
    return await readFacts(ledger, options.env);
  } finally {
    await ledger.close();
  }
}

async function readFacts(ledger: Ledger, env: string): Promise<DeploymentFact[]> {
  const records = await ledger.listDeployments({ env });
  const commits = new Map<string, string | undefined>();
  const facts: DeploymentFact[] = [];
  for (const record of records) {
    const fact = await toFact(record, ledger, commits);
    if (fact) facts.push(fact);
  }
  return facts;
}

async function toFact(
  record: DeploymentRecord,
  ledger: Ledger,
  commits: Map<string, string | undefined>,
): Promise<DeploymentFact | undefined> {
  if (record.status === "pending" || record.status === "running" || !record.finishedAt) return undefined;
  if (record.strategy === NOOP_STRATEGY) return undefined;
  if (!commits.has(record.artifactId)) {
    commits.set(record.artifactId, (await ledger.getArtifact(record.artifactId))?.commit);
  }
  const commit = commits.get(record.artifactId);
  return {
    id: record.id,
    env: record.env,
    kind: record.kind,
    status: record.status,
    startedMs: Date.parse(record.createdAt),
    finishedMs: Date.parse(record.finishedAt),
    ...(commit && { commit }),
    source: "ledger",
  };
}

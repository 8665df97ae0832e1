import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Diagnostic, ShipgateError } from "../errors.js";
import { mattersToRepositoryRules } from "./classify.js";
import {
  type AuditInput,
  type AuditResult,
  type AuditSettings,
  auditFiles,
  auditRepositoryRules,
  auditWorkflows,
  finishAudit,
  type RawAudit,
} from "./engine.js";
import { assertWithinLimits } from "./limits.js";
import { linkLocalCallees, localCalleeFiles, readLocalCallees, selfName } from "./model/local-callees.js";
import { SourceFile } from "./model/source.js";
import { readWorkflow, type Workflow } from "./model/workflow.js";

/** A worker's answer: the slice's raw audit, or the diagnostics of an input it refused. */
export type WorkerAnswer = { id: number } & (RawAudit | { refused: Diagnostic[] });

/** This thread's slice relative to a worker's (measured with npm run bench:audit). */
const OWN_SHARE = 0.8;

/** Below this many files a worker's start-up costs more than it saves. */
export const MIN_PARALLEL_FILES = 150;

const WORKER_URL = new URL("./worker.js", import.meta.url);
// Under a TypeScript runner the module is src/…/parallel.ts and there is no compiled worker.
const CAN_SPAWN = import.meta.url.endsWith(".js");

export interface AuditPool {
  threads: number;
  audit(options: { files: AuditInput[]; settings?: AuditSettings }): Promise<AuditResult>;
  close(): Promise<void>;
}

/**
 * Splits files into slices of similar total size, in input order. The first slice (this
 * thread's) is weighted `ownShare` of a worker's, since this thread also runs the repository
 * rules and merges the results.
 */
function slices(files: AuditInput[], n: number, ownShare: number): AuditInput[][] {
  const weights = Array.from({ length: n }, (_, i) => (i === 0 ? ownShare : 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const bounds: number[] = [];
  let cumulative = 0;
  for (const w of weights) {
    cumulative += w / totalWeight;
    bounds.push(cumulative);
  }
  const out: AuditInput[][] = Array.from({ length: n }, () => []);
  const size = files.reduce((sum, f) => sum + f.text.length, 0);
  let acc = 0;
  for (const file of files) {
    const at = (acc + file.text.length / 2) / Math.max(1, size);
    out[
      Math.min(
        n - 1,
        bounds.findIndex((b) => at <= b),
      )
    ]!.push(file);
    acc += file.text.length;
  }
  return out;
}

/**
 * Worker threads for large audits: the per-file phase runs on every thread (this one
 * included) over slices of the files, while this thread also runs the repository-wide rules.
 * The result is the same as `auditWorkflows` — same rules, same filter, same order.
 */
export function createAuditPool(options: { threads?: number } = {}): AuditPool {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 8));
  const workers = CAN_SPAWN ? Array.from({ length: threads - 1 }, () => new Worker(WORKER_URL)) : [];
  let next = 0;
  const run = (worker: Worker, files: AuditInput[], callees: AuditInput[], settings: AuditSettings) =>
    new Promise<RawAudit>((resolve, reject) => {
      const id = next++;
      const onMessage = (message: WorkerAnswer) => {
        if (message.id !== id) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        if ("refused" in message) reject(new ShipgateError(message.refused));
        else resolve(message);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.postMessage({ id, files, callees, settings });
    });

  return {
    threads: workers.length + 1,
    async audit({ files, settings = {} }) {
      if (workers.length === 0) return auditWorkflows({ files, settings });
      const [own = [], ...others] = slices(files, workers.length + 1, OWN_SHARE);
      // Every thread follows steps and jobs into the repository's composite actions and
      // reusable workflows, wherever those files fell.
      const calleeFiles = localCalleeFiles(files);
      const pending = others.map((slice, i) => run(workers[i]!, slice, calleeFiles, settings));
      const mine = auditFiles({ files: own, callees: calleeFiles, settings });
      const callees = readLocalCallees(calleeFiles);
      // The repository rules need the other slices' relevant workflows too; read them here.
      const workflows: Workflow[] = mine.workflows;
      for (const file of others.flat()) {
        if (!mattersToRepositoryRules(file.path, file.text)) continue;
        const source = new SourceFile(file.path, file.text);
        if (source.doc.errors.length) continue;
        const workflow = readWorkflow(source);
        if (!workflow || workflow.kind !== "workflow") continue;
        assertWithinLimits(workflow);
        linkLocalCallees(workflow, callees, selfName(settings));
        workflows.push(workflow);
      }
      const repository = auditRepositoryRules({ workflows, settings });
      return finishAudit([mine, repository, ...(await Promise.all(pending))], files);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** One audit on as many threads as pay off; small inputs stay on this thread. */
export async function auditWorkflowsParallel(options: {
  files: AuditInput[];
  settings?: AuditSettings;
  threads?: number;
}): Promise<AuditResult> {
  const threads = options.threads ?? availableParallelism();
  if (threads < 2 || options.files.length < MIN_PARALLEL_FILES || !CAN_SPAWN) return auditWorkflows(options);
  const pool = createAuditPool({ threads });
  try {
    return await pool.audit(options);
  } finally {
    await pool.close();
  }
}

import type { Job, Workflow } from "./model/workflow.js";

/**
 * The repository's own workflow a job calls (`uses: ./.github/workflows/deploy.yml`), among
 * the workflows read; undefined for a call to another repository or a file not read.
 */
export function calledWorkflow(job: Job, workflows: readonly Workflow[]): Workflow | undefined {
  // Linked when read (by path, or by the repository's full name): the same file among these.
  if (job.callee) return workflows.find((w) => w.source.path === job.callee!.source.path);
  const raw = job.uses?.raw.split("@")[0];
  if (!raw?.startsWith("./")) return undefined;
  const path = raw.slice(2);
  return workflows.find((w) => w.source.path.replace(/^\.\//, "").endsWith(path));
}

/** Whether a job calls a workflow of the same repository by path. */
export function callsLocalWorkflow(job: Job): boolean {
  return Boolean(job.uses?.raw.startsWith("./"));
}

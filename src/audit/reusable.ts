import type { Job, Workflow } from "./model/workflow.js";

/**
 * The repository's own workflow a job calls (`uses: ./.github/workflows/deploy.yml`), among
 * the workflows read; undefined for a call to another repository or a file not read.
 */
export function calledWorkflow(job: Job, workflows: readonly Workflow[]): Workflow | undefined {
  const raw = job.uses?.raw.split("@")[0];
  if (!raw?.startsWith("./")) return undefined;
  const path = raw.slice(2);
  return workflows.find((w) => w.source.path.replace(/^\.\//, "").endsWith(path));
}

/** Whether a job calls a workflow of the same repository by path. */
export function callsLocalWorkflow(job: Job): boolean {
  return Boolean(job.uses?.raw.startsWith("./"));
}

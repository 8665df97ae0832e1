import type { Node } from "yaml";
import { type Diagnostic, ShipgateError } from "../errors.js";
import { isMap, isSeq } from "./model/source.js";
import type { Workflow } from "./model/workflow.js";

/**
 * Far above any real workflow (GitHub does not start runs of a workflow file over 500 KB, and
 * real ones have tens of jobs and steps): the audit refuses larger inputs instead of spending
 * minutes or gigabytes on them.
 */
export const WORKFLOW_LIMITS = {
  maxBytes: 4 * 1024 * 1024,
  maxJobs: 1_000,
  maxStepsPerJob: 1_000,
  /** Entries of any one mapping or sequence (`env:`, `with:`, a matrix list, …). */
  maxEntries: 10_000,
} as const;

/** Refuses (exit 2) a workflow over a limit, before any rule reads it. */
export function assertWithinLimits(workflow: Workflow): void {
  const over = overLimit(workflow);
  if (over) throw new ShipgateError(over);
}

/** The first limit a parsed workflow is over, as an error at the first entry past it. */
function overLimit(workflow: Workflow): Diagnostic | undefined {
  const { source } = workflow;
  const at = (node: Node | null | undefined) => {
    const { line, column } = source.position(node?.range?.[0] ?? 0);
    return { file: source.path, line, column };
  };
  const job = workflow.jobs[WORKFLOW_LIMITS.maxJobs];
  if (job) {
    return {
      code: "audit/too-many-jobs",
      message: `${workflow.jobs.length.toLocaleString("en")} jobs; shipgate audits at most ${WORKFLOW_LIMITS.maxJobs.toLocaleString("en")} per workflow`,
      location: at(job.key),
      hint: "split the workflow, or check that this is a workflow file",
    };
  }
  for (const { steps } of workflow.jobs) {
    const step = steps[WORKFLOW_LIMITS.maxStepsPerJob];
    if (step) {
      return {
        code: "audit/too-many-steps",
        message: `${steps.length.toLocaleString("en")} steps in one job; shipgate audits at most ${WORKFLOW_LIMITS.maxStepsPerJob.toLocaleString("en")}`,
        location: at(step.node),
        hint: "split the job, or move the steps into a script or composite action",
      };
    }
  }
  const entry = firstEntryOverLimit(workflow.root);
  if (entry) {
    return {
      code: "audit/too-many-entries",
      message: `a mapping or list of more than ${WORKFLOW_LIMITS.maxEntries.toLocaleString("en")} entries`,
      location: at(entry),
      hint: "no workflow needs this many; check that this is a workflow file",
    };
  }
  return undefined;
}

function firstEntryOverLimit(root: Node): Node | undefined {
  const pending: unknown[] = [root];
  while (pending.length) {
    const node = pending.pop();
    if (isMap(node)) {
      const past = node.items[WORKFLOW_LIMITS.maxEntries];
      if (past) return past.key as Node;
      for (const pair of node.items) pending.push(pair.key, pair.value);
    } else if (isSeq(node)) {
      const past = node.items[WORKFLOW_LIMITS.maxEntries];
      if (past) return past as Node;
      for (const item of node.items) pending.push(item);
    }
  }
  return undefined;
}

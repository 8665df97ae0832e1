import { posix } from "node:path";
import { assertWithinLimits } from "../limits.js";
import { SourceFile } from "./source.js";
import { isActionPath, readWorkflow, type Step, type Workflow } from "./workflow.js";

/**
 * What a workflow calls inside its own repository: composite actions by folder
 * (`.github/actions/deploy`) and reusable workflows by path (`.github/workflows/deploy.yml`).
 * A step that uses such an action is judged by what the action does (a deploy inside it is a
 * deploy, a health check or stability wait inside it is a check); a job that calls such a
 * workflow deploys when the called workflow does, and is queued by its concurrency group.
 */
export interface LocalCallees {
  actions: ReadonlyMap<string, readonly Step[]>;
  workflows: ReadonlyMap<string, Workflow>;
}

const REUSABLE = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;

/** Whether a file is one a workflow may call: an action, or a workflow that declares workflow_call. */
function isCallee(file: { path: string; text?: string }): boolean {
  return isActionPath(file.path) || (REUSABLE.test(file.path) && (file.text ?? "").includes("workflow_call"));
}

/** The files among `files` a workflow may call: what every thread of a parallel audit needs. */
export function localCalleeFiles<T extends { path: string; text: string }>(files: readonly T[]): T[] {
  return files.filter(isCallee);
}

/** Reads the callable files among `files`; those that do not parse are left to the audit to report. */
export function readLocalCallees(files: ReadonlyArray<{ path: string; text: string }>): LocalCallees {
  const actions = new Map<string, readonly Step[]>();
  const workflows = new Map<string, Workflow>();
  for (const file of files) {
    if (!isCallee(file)) continue;
    const source = new SourceFile(file.path, file.text);
    if (source.doc.errors.length) continue;
    const read = readWorkflow(source);
    // The same refusal as when the file itself is audited: a callee over a limit is bad input.
    if (read) assertWithinLimits(read);
    if (read?.kind === "action") actions.set(folderOf(file.path), read.jobs[0]?.steps ?? []);
    else if (read?.kind === "workflow" && read.on.has("workflow_call")) workflows.set(clean(file.path), read);
  }
  return { actions, workflows };
}

/**
 * Gives each step of `workflow` that uses a local action the action's steps, and each job that
 * calls a local reusable workflow that workflow. One level only: what a called action or
 * workflow calls in turn is not followed, so a cycle cannot loop.
 */
export function linkLocalCallees(workflow: Workflow, callees: LocalCallees): void {
  if (callees.actions.size === 0 && callees.workflows.size === 0) return;
  for (const job of workflow.jobs) {
    if (job.uses?.kind === "reusable-workflow" && job.uses.raw.startsWith("./")) {
      const callee = callees.workflows.get(clean(job.uses.raw.split("@")[0]!));
      if (callee && callee.source.path !== workflow.source.path) job.callee = callee;
    }
    for (const step of job.steps) {
      if (step.uses?.kind !== "local") continue;
      const steps = callees.actions.get(folderOf(`${step.uses.raw.replace(/\/+$/, "")}/action.yml`));
      if (steps) step.localSteps = steps;
    }
  }
}

function clean(path: string): string {
  return posix.normalize(path.replace(/^\.\//, ""));
}

function folderOf(path: string): string {
  const folder = posix.dirname(clean(path));
  return folder === "" ? "." : folder;
}

/**
 * A value of a composite action's step read with what the calling step passes: `${{ inputs.ref }}`
 * becomes the caller's `with: ref:` (unchanged when the caller passes nothing).
 */
export function withCallerInputs(caller: Step, value: string): string {
  return value.replace(
    /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g,
    (expression, name: string) => caller.with.get(name)?.value ?? expression,
  );
}

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
 * workflow calls in turn is not followed, so a cycle cannot loop. `self` (`acme/orders`) makes a
 * reference to the repository by its full name (`acme/orders/.github/workflows/x.yml@main`) a
 * local one too: the file read is the one in this checkout, which the ref may be ahead of.
 */
export function linkLocalCallees(workflow: Workflow, callees: LocalCallees, self?: string): void {
  if (callees.actions.size === 0 && callees.workflows.size === 0) return;
  const prefix = self ? `${self.toLowerCase()}/` : undefined;
  // The path inside this repository a reference names, or undefined for another repository's.
  const local = (raw: string): string | undefined => {
    const path = raw.split("@")[0]!;
    if (path.startsWith("./")) return path;
    return prefix && path.toLowerCase().startsWith(prefix) ? `./${path.slice(prefix.length)}` : undefined;
  };
  for (const job of workflow.jobs) {
    const called = job.uses?.kind === "reusable-workflow" ? local(job.uses.raw) : undefined;
    if (called) {
      const callee = callees.workflows.get(clean(called));
      if (callee && callee.source.path !== workflow.source.path) job.callee = callee;
    }
    for (const step of job.steps) {
      const used = step.uses?.kind === "local" ? step.uses.raw : step.uses && local(step.uses.raw);
      if (!used) continue;
      const steps = callees.actions.get(folderOf(`${used.replace(/\/+$/, "")}/action.yml`));
      if (steps) step.localSteps = steps;
    }
  }
}

/** `acme/orders` from the settings' owner and name, when both are known. */
export function selfName(settings: {
  repositoryOwner?: string;
  repositoryName?: string;
}): string | undefined {
  return settings.repositoryOwner && settings.repositoryName
    ? `${settings.repositoryOwner}/${settings.repositoryName}`
    : undefined;
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

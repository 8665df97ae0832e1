import { posix } from "node:path";
import { SourceFile } from "./source.js";
import { isActionPath, readWorkflow, type Step, type Workflow } from "./workflow.js";

/**
 * The repository's own composite actions, by folder (`.github/actions/deploy`), so that a
 * workflow step that uses one (`uses: ./.github/actions/deploy`) is judged by what the action
 * does: a deploy inside it is a deploy, a health check or stability wait inside it is a check.
 */
export type LocalActions = ReadonlyMap<string, readonly Step[]>;

/** Reads the action files among `files`; those that do not parse are left to the audit to report. */
export function readLocalActions(files: ReadonlyArray<{ path: string; text: string }>): LocalActions {
  const actions = new Map<string, readonly Step[]>();
  for (const file of files) {
    if (!isActionPath(file.path)) continue;
    const source = new SourceFile(file.path, file.text);
    if (source.doc.errors.length) continue;
    const action = readWorkflow(source);
    if (action?.kind === "action") actions.set(folderOf(file.path), action.jobs[0]?.steps ?? []);
  }
  return actions;
}

/** The action files among `files`: what every thread of a parallel audit needs to follow them. */
export function localActionFiles<T extends { path: string }>(files: readonly T[]): T[] {
  return files.filter((f) => isActionPath(f.path));
}

/**
 * Gives each step of `workflow` that uses a local action the action's steps. One level only:
 * an action's own local actions are not followed, so a cycle of actions cannot loop.
 */
export function linkLocalActions(workflow: Workflow, actions: LocalActions): void {
  if (actions.size === 0) return;
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      if (step.uses?.kind !== "local") continue;
      const steps = actions.get(folderOf(`${step.uses.raw.replace(/\/+$/, "")}/action.yml`));
      if (steps) step.localSteps = steps;
    }
  }
}

function folderOf(path: string): string {
  const folder = posix.dirname(posix.normalize(path.replace(/^\.\//, "")));
  return folder === "" ? "." : folder;
}

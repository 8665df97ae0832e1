import * as deployModel from "./deploy-model.js";
import { locateInOrder } from "./locate-lines.js";
import { memoByObject, memoByString } from "./memo.js";
import type { Job, Step, Workflow } from "./model/workflow.js";

/**
 * The judgement calls rules share: is this a deploy, is it production, is it pull-request CI.
 * Each heuristic is documented in the docs of the rules that use it, and tested at its edges.
 */

export { isProductionJob, stageOf } from "./deploy-model.js";

export function isDeployWorkflow(workflow: Workflow): boolean {
  return workflow.jobs.some(isDeployJob);
}

export function triggeredBy(workflow: Workflow, ...events: string[]): boolean {
  return events.some((e) => workflow.on.has(e));
}

/** Whether the workflow's push trigger names tags and no branches (a release cut by tagging). */
export function pushesTagsOnly(workflow: Workflow): boolean {
  const push = workflow.on.get("push")?.value as { tags?: unknown; branches?: unknown } | null | undefined;
  return Boolean(push && typeof push === "object" && push.tags !== undefined && push.branches === undefined);
}

/** Pull-request CI: runs on pull requests and deploys nothing. */
export function isPullRequestCi(workflow: Workflow): boolean {
  return triggeredBy(workflow, "pull_request") && !isDeployWorkflow(workflow);
}

/** Whether a step builds a container image. */
/**
 * Actions that build a container image, by their path: Docker's and Depot's build-push actions,
 * Buildah, Kaniko, and organisations' own wrappers (`mbta/actions/build-push-ecr`).
 */
const IMAGE_BUILD_ACTION =
  /build[-_]?(and[-_])?push|docker[-_]build|build[-_](docker[-_])?image|kaniko|buildah[-_]build/i;

export function buildsImage(step: Step): boolean {
  if (step.uses?.kind === "action" && IMAGE_BUILD_ACTION.test(step.uses.raw.split("@")[0]!)) return true;
  return Boolean(step.run && /\b(docker|podman)\s+(buildx\s+)?build\b/.test(step.run.value));
}

/** Each line of a script, with comments and line continuations joined, and its text as written. */
function scriptLinesUncached(script: string): Array<{ text: string; raw: string }> {
  const out: Array<{ text: string; raw: string }> = [];
  let pending = "";
  let raw = "";
  for (const line of script.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    raw = raw ? raw : line;
    if (line.trimEnd().endsWith("\\")) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    out.push({ text: (pending + line).trim(), raw });
    pending = "";
    raw = "";
  }
  if (pending) out.push({ text: pending.trim(), raw });
  return out.filter((l) => l.text);
}

/** Whether a step runs only when something before it failed (a rollback, a failure notice). */
export function runsOnlyOnFailure(step: Step): boolean {
  const condition = step.if?.value ?? "";
  return /(?<!!\s*)\bfailure\(\)/.test(condition) && !/\b(always|success)\(\)/.test(condition);
}

/** One logical line of a job's `run:` scripts, with its step and where it starts in the file. */
export interface JobScriptLine {
  step: Step;
  text: string;
  raw: string;
  /** Offset of the line in the file; undefined when the script is not written verbatim (folded, escaped). */
  start?: number;
  /** Where the text that can hold the line ends: the next located line's start, or the scalar's end. */
  end: number;
}

/**
 * Every logical line of a job's scripts in the order they run, so rules can ask "is command X
 * followed by Y later in the job" and still point at the line of X (located as ./locate-lines.ts
 * says).
 */
function jobScriptLinesUncached(job: Job, fileText: string): JobScriptLine[] {
  const out: JobScriptLine[] = [];
  for (const step of job.steps) {
    if (!step.run) continue;
    const [from, to] = step.run.node.range ?? [0, 0];
    const lines = scriptLines(step.run.value);
    const found = locateInOrder(
      fileText.slice(from, to),
      lines.map((line) => line.raw.trim()),
      { atLineStart: true },
    );
    // A located line ends where the next located one starts, or with the scalar.
    let end = to;
    const located: JobScriptLine[] = [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const at = found[i];
      const start = at === undefined ? undefined : from + at;
      located.push({ step, ...lines[i]!, start, end });
      if (start !== undefined) end = start;
    }
    out.push(...located.reverse());
  }
  return out;
}

/** Offset in the file of `needle` within a located script line, if it is written there verbatim. */
export function scriptOffset(fileText: string, line: JobScriptLine, needle: string): number | undefined {
  if (line.start === undefined || !needle) return undefined;
  // Within the line: a needle not written there must not cost a scan of the rest of the script.
  const at = fileText.slice(line.start, line.end).indexOf(needle);
  return at >= 0 ? line.start + at : undefined;
}

/**
 * The simple commands of a script line: split at `&&`, `||`, `;`, `|` and `&` outside quotes
 * (redirections such as `2>&1` are not splits), each with its offset in the line.
 */
function shellCommandsUncached(line: string): Array<{ text: string; index: number }> {
  const out: Array<{ text: string; index: number }> = [];
  const push = (from: number, to: number) => {
    const part = line.slice(from, to);
    const text = part.trim();
    if (text) out.push({ text, index: from + part.indexOf(text) });
  };
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    // An expression is one word whatever it contains: `${{ a || b }}` is not a split.
    if (line.startsWith("${{", i)) {
      const close = line.indexOf("}}", i);
      i = close < 0 ? line.length : close + 1;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === ";" || c === "|" || c === "&") {
      if (c === "&" && (line[i - 1] === ">" || line[i - 1] === "<" || line[i + 1] === ">")) continue;
      push(start, i);
      if (c !== ";" && line[i + 1] === c) i++;
      start = i + 1;
    }
  }
  push(start, line.length);
  return out;
}

/** The words of a simple command, unquoted, without a leading `sudo`, `env` or `VAR=value`. */
function commandWordsUncached(command: string): string[] {
  const words = (command.match(/(?:\$\{\{.*?\}\}|"[^"]*"|'[^']*'|[^\s"'$]|\$(?!\{\{))+/g) ?? []).map((w) =>
    w.replace(/"([^"]*)"|'([^']*)'/g, "$1$2"),
  );
  while (words.length && /^(sudo|env|time|exec|command|-E|[A-Za-z_][A-Za-z0-9_]*=.*)$/.test(words[0]!))
    words.shift();
  return words;
}

export { jobAncestors } from "./job-graph.js";

export const stepDeploys = memoByObject(deployModel.stepDeploys);

export const isDeployJob = memoByObject(deployModel.isDeployJob);

export const scriptLines = memoByString(scriptLinesUncached);

export const shellCommands = memoByString(shellCommandsUncached);

export const commandWords = memoByString(commandWordsUncached);

export const jobScriptLines = memoByObject(jobScriptLinesUncached);

/** A job's script lines grouped by step, once per job: a step visitor reads only its own. */
export const jobScriptLinesByStep = memoByObject((job: Job, fileText: string): Map<Step, JobScriptLine[]> => {
  const out = new Map<Step, JobScriptLine[]>();
  for (const line of jobScriptLines(job, fileText)) {
    const list = out.get(line.step);
    if (list) list.push(line);
    else out.set(line.step, [line]);
  }
  return out;
});

/**
 * Whether a workflow file can matter to the repository-wide rules, read from its text alone
 * (so the parallel audit need not parse every file twice): it may deploy (a GitHub
 * environment, a deploy command or a deploy action — a superset of `isDeployJob`), it may be
 * a rollback workflow, or it may be a reusable workflow that a deploy calls. Repository
 * visitors see exactly these workflows, on one thread or several.
 */
export function mattersToRepositoryRules(path: string, text: string): boolean {
  // Pull-request workflows (the CI that gates what reaches the default branch) and callers of
  // the repository's own workflows.
  if (
    /environment\s*:|roll[\s_-]?back|workflow_call|pull_request|merge_group|uses\s*:\s*["']?\.\/\.github\/workflows\//i.test(
      text,
    ) ||
    /roll[\s_-]?back/i.test(path) ||
    // CI on pushes, which a deploy on the same pushes may or may not wait for.
    (/\bpush\b/.test(text) && /\b(tests?|lint|pytest|jest|vitest|mocha|rspec|tox|phpunit)\b/i.test(text))
  )
    return true;
  return deployModel.mayDeploy(text);
}

/**
 * A script that installs the project's dependencies (`npm ci`, `yarn`, `pnpm install`, `pip
 * install`, `bundle`, …): what runs their install scripts, and what puts their binaries where
 * `npx` finds them.
 */
export const INSTALLS_DEPENDENCIES =
  /\b(npm\s+(ci|install|i)\b|yarn(\s+install)?\s*($|[;&|])|yarn\s+(install|--frozen-lockfile|--immutable)\b|pnpm\s+(install|i)\b|bun\s+install\b|pip3?\s+install\b|poetry\s+install\b|uv\s+sync\b|bundle(\s+install)?\s*($|[;&|])|composer\s+install\b)/m;

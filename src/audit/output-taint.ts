import { escapeRegExp } from "../regexp.js";
import {
  isFreeTextInput,
  type Job,
  jobText,
  type Step,
  triggerInputs,
  type Workflow,
} from "./model/workflow.js";

/**
 * Contexts an outsider controls: titles, bodies, branch names and commit messages of pull
 * requests, issues and comments, and the objects that hold them dumped whole
 * (`toJSON(github.event.commits)`). Expanded into a script, they run as shell code.
 */
export const UNTRUSTED =
  /\b(github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.ref|head\.label|head\.repo\.default_branch)|comment\.body|review\.body|review_comment\.body|discussion\.(title|body)|pages\.[\w*[\]]*\.page_name|commits\.[\w*[\]]*\.(message|author\.(email|name))|head_commit\.(message|author\.(email|name))|workflow_run\.(head_branch|head_commit\.(message|author\.(email|name))|display_title)|merge_group\.head_commit\.message)|github\.head_ref|github\.event(\.(commits|head_commit|pull_request|issue|comment|review|review_comment|discussion|workflow_run))?(?=\s*\)))\b/;
/** Every `${{ … }}` of a text. */
export const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
/** Expressions that yield a boolean or a number, not the text they read. */
export const NOT_TEXT =
  /^\s*(!|(contains|startsWith|endsWith)\s*\(|(hashFiles|fromJSON)\s*\()|[=!]=|[<>]=?|\bcontains\s*\(/i;

/**
 * Actions whose outputs are text a pull request's author chooses, and which of their outputs:
 * branch names, and the names of the files it changes (not the booleans and counts beside them).
 */
const UNTRUSTED_OUTPUTS: ReadonlyArray<[RegExp, RegExp]> = [
  [/^tj-actions\/branch-names$/i, /branch|ref|tag$/i],
  [/^tj-actions\/changed-files$/i, /files$/i],
  [/^dorny\/paths-filter$/i, /_files$/i],
  [/^(jitterbit|ana06)\/get-changed-files$/i, /^(all|added|modified|removed|renamed|added_modified)$/i],
];

/** A command substitution reduced to a digest, a count or a character class: no longer the text. */
const SANITISED = /\|\s*(sha\d*sum|shasum|md5sum|b2sum|cksum|wc\b|base64\b|tr\s+-d?c)/;

/**
 * Outputs that carry attacker-controlled text, keyed as expressions read them:
 * `steps.<id>.outputs.<name>` within a job (an untrusted action's outputs, or a script that
 * writes an untrusted field to `$GITHUB_OUTPUT`, directly or through shell variables), and
 * `needs.<job>.outputs.<name>` across jobs (a job output mapped from such a step output). The
 * value names where the text comes from.
 */
export function taintedOutputs(workflow: Workflow): Map<Job, Map<string, string>> {
  const byJob = new Map<Job, Map<string, string>>();
  const free = freeDispatchInputs(workflow);
  const untrustedArtifacts = workflow.on.has("workflow_run");
  const pullRequests = workflow.on.has("pull_request") || workflow.on.has("pull_request_target");
  const jobOutputs = new Map<string, Map<string, string>>();
  for (const job of jobsInOrder(workflow)) {
    const tainted = new Map<string, string>();
    for (const need of job.needs) {
      for (const [name, from] of jobOutputs.get(need) ?? [])
        tainted.set(`needs.${need}.outputs.${name}`, from);
    }
    let text: string | undefined; // the job's text, converted once when an action's outputs need it
    // Files of another run's artifact: a pull request's build wrote them (`pr/number`).
    let artifact = false;
    // A plan of the pull request's Terraform code prints what that code says.
    const plans = pullRequests && job.steps.some((step) => PLAN.test(step.run?.value ?? ""));
    // Variables a step appends to `$GITHUB_ENV`: every later step of the job has them, as
    // `${{ env.NAME }}` and as shell variables.
    const exportedEnv = new Map<string, string>();
    for (const step of job.steps) {
      if (untrustedArtifacts && downloadsRunArtifact(step)) artifact = true;
      if (plans && step.id)
        for (const name of planOutputs(step)) tainted.set(`steps.${step.id}.outputs.${name}`, PLAN_TEXT);
      const repository = step.uses?.kind === "action" ? step.uses.repository : undefined;
      const names = repository && UNTRUSTED_OUTPUTS.find(([action]) => action.test(repository))?.[1];
      if (names && step.id) {
        // The outputs this job reads of the step, those that carry the text.
        text ??= jobText(job);
        for (const m of text.matchAll(
          new RegExp(`\\bsteps\\.${escapeRegExp(step.id)}\\.outputs\\.([\\w-]+)`, "g"),
        ))
          if (names.test(m[1]!)) tainted.set(m[0], `${m[1]} of ${repository}`);
      } else if (step.run && (step.id || /\bGITHUB_ENV\b/.test(step.run.value))) {
        const written = writtenByScript(step, tainted, free, artifact, exportedEnv);
        if (step.id)
          for (const [name, from] of written.outputs) tainted.set(`steps.${step.id}.outputs.${name}`, from);
        for (const [name, from] of written.env) tainted.set(`env.${name}`, from);
      }
    }
    byJob.set(job, tainted);
    // Only the outputs mapping: converting the whole job costs more than the rest of this pass.
    const outputsNode = job.node.get("outputs", true) as { toJSON?: () => unknown } | undefined;
    const outputs = (outputsNode?.toJSON?.() as Record<string, unknown> | null) ?? {};
    const exported = new Map<string, string>();
    for (const [name, value] of Object.entries(outputs)) {
      if (typeof value !== "string") continue;
      const from = taintIn(value, tainted);
      if (from) exported.set(name, from);
    }
    if (exported.size) jobOutputs.set(job.id, exported);
  }
  return byJob;
}

/**
 * The tainted reference an expression text reads, if any: an untrusted field, `steps.x.outputs.y`
 * or `needs.j.outputs.y`, or (among `free`) a free-text dispatch input, as `inputs.<name>`.
 */
export function taintIn(
  text: string,
  tainted: ReadonlyMap<string, string>,
  free: ReadonlySet<string> = NO_INPUTS,
): string | undefined {
  for (const m of text.matchAll(EXPRESSION)) {
    if (NOT_TEXT.test(m[1]!)) continue;
    const field = UNTRUSTED.exec(m[1]!)?.[1];
    if (field) return field;
    const read = readOutput(m[1]!, tainted);
    if (read) return read.from;
    for (const input of m[1]!.matchAll(/\b(?:github\.event\.)?inputs\.([\w-]+)/g))
      if (free.has(input[1]!)) return `inputs.${input[1]}`;
  }
  return undefined;
}

const NO_INPUTS: ReadonlySet<string> = new Set();

/** Free-text inputs of the dispatch form: whoever runs the workflow types them. */
function freeDispatchInputs(workflow: Workflow): Set<string> {
  const inputs = triggerInputs(workflow, "workflow_dispatch");
  return new Set(Object.keys(inputs).filter((name) => isFreeTextInput(inputs[name])));
}

/** The first tainted output an expression reads, or a variable a script exported with one. */
export function readOutput(
  expression: string,
  tainted: ReadonlyMap<string, string>,
): { what: string; from: string } | undefined {
  for (const m of expression.matchAll(/\b(steps|needs)\.([\w-]+)\.outputs\.([\w-]+)|\benv\.[A-Za-z_]\w*/g)) {
    const what = m[0];
    const from = tainted.get(what);
    if (from) return { what, from };
  }
  return undefined;
}

/**
 * `name=value` lines a script appends to `$GITHUB_OUTPUT` or `$GITHUB_ENV` whose value holds an
 * untrusted field or a shell variable assigned from one (`ID=$(echo '${{ github.head_ref }}' |
 * cut …)`), including a variable an earlier step exported (`exportedEnv`, added to as it goes).
 */
function writtenByScript(
  step: Step,
  tainted: ReadonlyMap<string, string>,
  free: ReadonlySet<string>,
  artifact: boolean,
  exportedEnv: Map<string, string>,
): { outputs: Map<string, string>; env: Map<string, string> } {
  const outputs = new Map<string, string>();
  const env = new Map<string, string>();
  const variables = new Map<string, string>(exportedEnv);
  const fromText = (text: string) =>
    taintIn(text, tainted, free) ??
    variableIn(text, variables) ??
    (artifact && FILE_READ.test(text) ? "a file of the triggering run's artifact" : undefined);
  for (const [name, value] of step.env) {
    const from = taintIn(value.value, tainted, free);
    if (from) variables.set(name, from);
    else variables.delete(name);
  }
  const lines = logicalLines(step.run!.value);
  for (const line of lines) {
    const assignment = /^\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (assignment && !SANITISED.test(assignment[2]!)) {
      const from = fromText(assignment[2]!);
      if (from) variables.set(assignment[1]!, from);
    }
    const file = /\$\{?GITHUB_(OUTPUT|ENV)\b/.exec(line)?.[1];
    if (!file) continue;
    for (const m of line.matchAll(/([\w-]+)=([^"'>]*(?:"[^"]*"|'[^']*')?[^>]*)/g)) {
      const from = fromText(m[2]!);
      if (!from) continue;
      if (file === "OUTPUT") outputs.set(m[1]!, from);
      else {
        env.set(m[1]!, from);
        exportedEnv.set(m[1]!, from);
      }
    }
  }
  return { outputs, env };
}

/** Terraform or OpenTofu printing a plan. */
const PLAN = /\b(terraform|tofu|terragrunt)\b[^\n|;&]*\s(plan|show)\b/;
const PLAN_TEXT = "the plan of the pull request's Terraform code";

/**
 * The outputs of a step that carry a plan's text: setup-terraform's wrapper gives a step that
 * runs terraform `stdout` and `stderr`; a file-reading action, the file (`plan_output.txt`).
 */
function planOutputs(step: Step): string[] {
  if (step.run && PLAN.test(step.run.value)) return ["stdout", "stderr"];
  const repository = step.uses?.repository?.toLowerCase() ?? "";
  if (/^(juliangruber\/read-file-action|andstor\/file-reader-action)$/.test(repository))
    return ["content", "contents"];
  return [];
}

/** A command substitution that reads a file: `$(cat pr/number)`, `$(<pr/ref)`, `$(jq -r .sha pr.json)`. */
const FILE_READ = /\$\(\s*(<|cat\s|jq\s|head\s|tail\s|awk\s|sed\s)/;

/**
 * A step that downloads an artifact of another workflow run (the one that triggered this
 * `workflow_run`): download-artifact given a `run-id`, dawidd6's action, github-script's
 * `downloadArtifact`, or `gh run download`.
 */
export function downloadsRunArtifact(step: Step): boolean {
  const repository = step.uses?.repository?.toLowerCase();
  if (repository === "actions/download-artifact") return step.with.has("run-id");
  if (repository === "dawidd6/action-download-artifact") return true;
  // GitHub's documented pattern: github-script downloads the run's artifact, a script unzips it.
  if (repository === "actions/github-script")
    return /\bdownloadArtifact\b/.test(step.with.get("script")?.value ?? "");
  return Boolean(step.run && /\bgh\s+run\s+download\b/.test(step.run.value));
}

/** Lines with continuations joined, and a `$( … )` spread over several lines as one. */
function logicalLines(script: string): string[] {
  const out: string[] = [];
  let open = "";
  let joined = 0;
  for (const line of script.replace(/\\\n\s*/g, " ").split("\n")) {
    open = open ? `${open} ${line.trim()}` : line;
    joined++;
    const depth = (open.match(/\(/g) ?? []).length - (open.match(/\)/g) ?? []).length;
    // An unbalanced parenthesis in a string must not swallow the rest of the script.
    if (depth <= 0 || joined >= 20) {
      out.push(open);
      open = "";
      joined = 0;
    }
  }
  if (open) out.push(open);
  return out;
}

function variableIn(text: string, variables: ReadonlyMap<string, string>): string | undefined {
  for (const m of text.matchAll(/\$\{?([A-Za-z_]\w*)/g)) {
    const from = variables.get(m[1]!);
    if (from) return from;
  }
  return undefined;
}

/** Jobs with those they need first, so a job's inputs are known when it is read. */
function jobsInOrder(workflow: Workflow): Job[] {
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  const done = new Set<string>();
  const ordered: Job[] = [];
  const visit = (job: Job, depth: number) => {
    if (done.has(job.id) || depth > byId.size) return;
    done.add(job.id);
    for (const need of job.needs) {
      const before = byId.get(need);
      if (before) visit(before, depth + 1);
    }
    ordered.push(job);
  };
  for (const job of workflow.jobs) visit(job, 0);
  return ordered;
}

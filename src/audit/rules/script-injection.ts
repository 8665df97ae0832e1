import { escapeRegExp } from "../../regexp.js";
import { locateInOrder } from "../locate-lines.js";
import { memoByObject } from "../memo.js";
import {
  declaredInputs,
  isFreeTextInput,
  type Job,
  type Step,
  triggerInputs,
  type Value,
  type Workflow,
} from "../model/workflow.js";
import { EXPRESSION, NOT_TEXT, readOutput, taintedOutputs, taintIn, UNTRUSTED } from "../output-taint.js";
import { defineRule, type RuleContext, type Severity } from "../types.js";

/** Outputs carrying attacker-controlled text, per job: once per workflow, not per step. */
const outputsOf = memoByObject(taintedOutputs);

/** `env.NAME` and `env['NAME']` read in an expression. */
const ENV_READ = /\benv\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['"]([^'"]+)['"]\s*\])/g;
/** `inputs.name` and `github.event.inputs.name`. */
const INPUT_READ = /\b(?:github\.event\.)?inputs\s*(?:\.\s*([\w-]+)|\[\s*['"]([^'"]+)['"]\s*\])/g;

interface Taint {
  /** What the expression reads, as the message names it. */
  what: string;
  severity?: Severity;
  why: string;
}

export const scriptInjection = defineRule({
  meta: {
    id: "script-injection",
    name: "Untrusted input expanded into a script",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports `${{ }}` expressions of attacker-controlled event fields (titles, bodies, branch names, commit messages) inside `run:` scripts and github-script code, directly, inside functions, or through an `env` variable set from one (in `env:`, or written to `$GITHUB_ENV` by an earlier step), or passed to the repository's own action or reusable workflow that expands the input into a script; free-text `workflow_dispatch` inputs as warnings, and `workflow_call` and action inputs as notes.",
    fixable: false,
  },
  step(step, job, ctx) {
    const targets = [
      step.run,
      step.uses?.repository === "actions/github-script" ? step.with.get("script") : undefined,
    ];
    const outputs = outputsOf(ctx.workflow).get(job) ?? new Map<string, string>();
    const tainted = taintedEnv(ctx.workflow, job, step, outputs);
    for (const [key, source] of taintedMatrix(job, ctx.workflow)) tainted.set(key, source);
    for (const target of targets) if (target) reportIn(target, tainted, outputs, ctx);
    if (step.localSteps && step.uses)
      reportPassedIn(step.with, step.localSteps, step.uses.raw, tainted, outputs, ctx);
  },
  job(job, ctx) {
    // A call of the repository's reusable workflow: what its jobs' scripts do with the inputs.
    if (!job.uses || !job.callee) return;
    const outputs = outputsOf(ctx.workflow).get(job) ?? new Map<string, string>();
    const tainted = taintedEnv(ctx.workflow, job, undefined, outputs);
    const steps = job.callee.jobs.flatMap((j) => j.steps);
    reportPassedIn(job.with, steps, job.uses.raw, tainted, outputs, ctx);
  },
});

/**
 * Untrusted text passed as an input to the repository's own composite action or reusable
 * workflow that expands `${{ inputs.<name> }}` into a `run:` script: the injection happens
 * there, but it is fixed here — or there, by going through `env:`. Reported at the input.
 */
function reportPassedIn(
  inputs: ReadonlyMap<string, Value<string>>,
  calleeSteps: readonly Step[],
  callee: string,
  tainted: Map<string, string>,
  outputs: ReadonlyMap<string, string>,
  ctx: RuleContext,
) {
  for (const [name, value] of inputs) {
    let taint: Taint | undefined;
    let expression = "";
    for (const m of value.value.matchAll(EXPRESSION)) {
      taint = taintOf(m[1]!, tainted, outputs, ctx.workflow);
      expression = m[0];
      if (taint) break;
    }
    if (!taint || taint.severity === "note") continue;
    const read = new RegExp(`\\$\\{\\{[^}]*\\binputs\\.${escapeRegExp(name)}\\b`);
    const expanding = calleeSteps.find(
      (s) =>
        read.test(s.run?.value ?? "") ||
        (s.uses?.repository === "actions/github-script" && read.test(s.with.get("script")?.value ?? "")),
    );
    if (!expanding) continue;
    ctx.report({
      node: value.node,
      // At the expression, where a multi-line value (a JSON message) shows it.
      region: ctx.workflow.source.regionIn(value.node, expression),
      key: `passed:${callee}:${name}`,
      severity: taint.severity,
      message: `${taint.what} ${taint.why} and is passed to ${callee.split("@")[0]} as ${name}, which expands \${{ inputs.${name} }} into a script${expanding.name ? ` (step "${expanding.name}")` : ""} before it runs: there it runs as shell code. Read it through env: in the callee (env: VALUE: \${{ inputs.${name} }}, then "$VALUE")`,
    });
  }
}

function reportIn(
  target: Value<string>,
  tainted: Map<string, string>,
  outputs: ReadonlyMap<string, string>,
  ctx: RuleContext,
) {
  const found: Array<{ text: string; taint: Taint }> = [];
  for (const m of target.value.matchAll(EXPRESSION)) {
    const taint = taintOf(m[1]!, tainted, outputs, ctx.workflow);
    if (taint) found.push({ text: m[0], taint });
  }
  if (found.length === 0) return;
  const source = ctx.workflow.source;
  const [start, end] = target.node.range ?? [0, 0];
  // Each expression after the one before: a repeated one points at each place it is written.
  const at = locateInOrder(
    source.text.slice(start, end),
    found.map((f) => f.text),
    { atLineStart: false },
  );
  for (const [i, { text, taint }] of found.entries()) {
    const offset = at[i];
    ctx.report({
      node: target.node,
      region:
        offset === undefined
          ? source.region(target.node)
          : source.regionOf(start + offset, start + offset + text.length),
      key: text,
      severity: taint.severity,
      message: `${taint.what} ${taint.why} and is expanded into the script before it runs: pass it through an environment variable (env: VALUE: \${{ … }}) and use "$VALUE" in the script`,
    });
  }
}

/** How dangerous carried text is: a dispatch form's free text is typed by a person (a warning). */
function carried(from: string): Pick<Taint, "severity" | "why"> {
  return from.startsWith("inputs.")
    ? { severity: "warning", why: "is free text typed by whoever runs the workflow" }
    : { why: "is attacker-controlled" };
}

/** What makes the text of one expression dangerous, if anything does. */
function taintOf(
  expression: string,
  tainted: Map<string, string>,
  outputs: ReadonlyMap<string, string>,
  workflow: Workflow,
): Taint | undefined {
  if (NOT_TEXT.test(expression)) return undefined;
  const direct = UNTRUSTED.exec(expression)?.[1];
  if (direct) return { what: direct, why: "is attacker-controlled" };
  const output = readOutput(expression, outputs);
  if (output) return { what: `${output.what} (carrying ${output.from})`, ...carried(output.from) };
  for (const m of expression.matchAll(ENV_READ)) {
    const name = m[1] ?? m[2]!;
    const from = tainted.get(name);
    if (from) return { what: `env.${name} (set from ${from})`, ...carried(from) };
  }
  for (const m of expression.matchAll(/\bmatrix\.([\w-]+)/g)) {
    const from = tainted.get(`matrix.${m[1]}`) ?? tainted.get("matrix.*");
    if (!from) continue;
    const input = /\binputs\.|github\.event\.inputs\./.test(from);
    return {
      what: `matrix.${m[1]} (built from ${from})`,
      severity: input ? "warning" : undefined,
      why: input ? "is free text typed by whoever runs the workflow" : "is attacker-controlled",
    };
  }
  for (const m of expression.matchAll(INPUT_READ)) {
    const name = m[1] ?? m[2]!;
    const source = freeTextInput(workflow, name);
    if (!source) continue;
    const what = m[0].replace(/\s+/g, "");
    // A dispatch form is typed by a person; a caller or an action's user is usually a workflow.
    if (source === "workflow_dispatch")
      return { what, severity: "warning", why: "is free text typed by whoever runs the workflow" };
    return {
      what,
      severity: "note",
      why:
        source === "action"
          ? "is an action input, whatever text the calling workflow passes"
          : "is a workflow_call input, whatever text the calling workflow passes",
    };
  }
  return undefined;
}

/**
 * Matrix keys whose values come from an untrusted field or a free-text input
 * (`matrix: { app: ${{ fromJSON(inputs.apps) }} }`), keyed `matrix.<key>`; a whole matrix
 * built from one value taints every key, as `matrix.*`.
 */
function taintedMatrix(job: Job, workflow: Workflow): Map<string, string> {
  const out = new Map<string, string>();
  const matrix = (job.node.toJSON() as { strategy?: { matrix?: unknown } } | null)?.strategy?.matrix;
  const source = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    const field = UNTRUSTED.exec(value)?.[1];
    if (field) return field;
    const input = /\b(?:github\.event\.)?inputs\.([\w-]+)/.exec(value);
    return input && freeTextInput(workflow, input[1]!) ? input[0] : undefined;
  };
  if (typeof matrix === "string") {
    const from = source(matrix);
    if (from) out.set("matrix.*", from);
  } else if (matrix && typeof matrix === "object") {
    for (const [key, value] of Object.entries(matrix as Record<string, unknown>)) {
      const from = source(value);
      if (from) out.set(`matrix.${key}`, from);
    }
  }
  return out;
}

/** Environment variables (step over job over workflow) whose value reads an untrusted field or output. */
function taintedEnv(
  workflow: Workflow,
  job: Job,
  step: Step | undefined,
  outputs: ReadonlyMap<string, string>,
): Map<string, string> {
  const merged = new Map<string, string>();
  for (const env of [workflow.env, job.env, step?.env ?? new Map<string, Value<string>>()])
    for (const [k, v] of env) merged.set(k, v.value);
  const out = new Map<string, string>();
  for (const [name, value] of merged) {
    const from = taintIn(value, outputs);
    if (from) out.set(name, from);
  }
  return out;
}

/**
 * Where a free-text input of this name is declared — `workflow_dispatch`, `workflow_call` or
 * the action's `inputs` — if it is one: a string (or untyped) input without options. Choices,
 * booleans, numbers and environments are not free text.
 */
function freeTextInput(
  workflow: Workflow,
  name: string,
): "workflow_dispatch" | "workflow_call" | "action" | undefined {
  if (workflow.kind === "action")
    return isFreeTextInput(declaredInputs(workflow)[name]) ? "action" : undefined;
  for (const trigger of ["workflow_dispatch", "workflow_call"] as const) {
    if (isFreeTextInput(triggerInputs(workflow, trigger)[name])) return trigger;
  }
  return undefined;
}

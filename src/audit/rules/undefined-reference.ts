import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import { scalarString } from "../model/source.js";
import type { Job } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** `steps.<id>` and `needs.<job>` read in an expression. */
const STEP_READ = /(?<![.\w-])steps\.([A-Za-z_][\w-]*)/g;
const NEEDS_READ = /(?<![.\w-])needs\.([A-Za-z_][\w-]*)/g;
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

export const undefinedReference = defineRule({
  meta: {
    id: "undefined-reference",
    name: "Expression reads a step or job that does not exist",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description:
      "Reports `steps.<id>` references to a step id the job does not define (or defines later), and `needs.<job>` references to a job not listed in `needs:`, which GitHub evaluates to an empty value without an error.",
    fixable: false,
  },
  job(job, ctx) {
    const stepIds = job.steps.map((s) => s.id);
    const seen = new Set<string>();
    const report = (node: Node, reference: string, message: string) => {
      const key = `${job.id}:${reference}`;
      if (seen.has(key)) return;
      seen.add(key);
      ctx.report({ node, region: ctx.workflow.source.regionIn(node, reference), key, message });
    };
    job.steps.forEach((step, index) => {
      for (const node of scalars(step.node)) {
        for (const id of reads(node, STEP_READ)) {
          const defined = stepIds.indexOf(id);
          if (defined >= 0 && defined < index) continue;
          // A step's own outputs are not there in its own `if:`; a later step has not run.
          report(
            node,
            `steps.${id}`,
            defined >= 0
              ? `steps.${id} is read before step "${id}" runs (it is defined ${defined === index ? "by this very step" : "later"} in job "${job.id}"), so it is empty here: read it in a later step`
              : unknownStep(id, job, stepIds),
          );
        }
      }
    });
    // The job's own keys (outputs, env, with, if) may read any of its steps, and its needs.
    for (const node of scalars(job.node, new Set(["steps"]))) {
      for (const id of reads(node, STEP_READ))
        if (!stepIds.includes(id)) report(node, `steps.${id}`, unknownStep(id, job, stepIds));
    }
    for (const node of scalars(job.node)) {
      for (const needed of reads(node, NEEDS_READ)) {
        if (job.needs.includes(needed)) continue;
        report(
          node,
          `needs.${needed}`,
          `needs.${needed} is read but job "${job.id}" does not list "${needed}" in needs:, so it is always empty: add it to needs`,
        );
      }
    }
  },
});

function unknownStep(id: string, job: Job, stepIds: Array<string | undefined>): string {
  return `steps.${id} names no step of job "${job.id}" (step ids: ${listIds(stepIds)}), so it is always empty and the expression quietly takes that value: fix the id`;
}

/** The ids an expression of the node reads through `pattern`. */
function reads(node: Node, pattern: RegExp): string[] {
  return expressions(node).flatMap((e) => [...e.matchAll(pattern)].map((m) => m[1]!));
}

function listIds(ids: Array<string | undefined>): string {
  const named = ids.filter((id): id is string => Boolean(id));
  return named.length ? named.join(", ") : "none";
}

/** The expressions of a scalar; `if:` values are expressions even without `${{ }}`. */
function expressions(node: Node): string[] {
  const text = scalarString(node) ?? "";
  const out = [...text.matchAll(EXPRESSION)].map((m) => m[1]!);
  return out.length ? out : IF_VALUES.has(node) ? [text] : [];
}

/** Scalars that are the value of an `if:` key. */
const IF_VALUES = new WeakSet<Node>();

/** Every scalar under a node (keys excluded), skipping the mappings under `skip` keys. */
function scalars(root: Node, skip = new Set<string>()): Node[] {
  const out: Node[] = [];
  const walk = (node: unknown) => {
    if (isScalar(node)) out.push(node);
    else if (isSeq(node)) for (const item of node.items) walk(item);
    else if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : "";
        if (skip.has(key)) continue;
        if (key === "if" && isScalar(item.value)) IF_VALUES.add(item.value);
        walk(item.value);
      }
    }
  };
  walk(root);
  return out;
}

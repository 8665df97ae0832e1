import { isMap } from "yaml";
import type { SourceFile } from "../model/source.js";
import { defineRule, type Report } from "../types.js";
import { checkWorkflowStructure } from "../workflow-schema.js";

const rule = defineRule({
  meta: {
    id: "invalid-workflow",
    name: "Workflow GitHub refuses to run",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports workflow files GitHub refuses to run: not valid YAML, not a mapping, or a structure GitHub's workflow syntax rejects (unknown keys, events, permission scopes or levels, jobs without runs-on, steps with both or neither of run and uses).",
    fixable: false,
  },
  workflow(workflow, ctx) {
    const root = workflow.source.doc.contents;
    if (!isMap(root)) return;
    for (const problem of checkWorkflowStructure(root)) {
      ctx.report({
        node: problem.node,
        key: problem.key,
        message: `GitHub refuses this workflow and runs none of its jobs: ${problem.message}`,
      });
    }
  },
});

/** Produced by the engine itself while parsing, before any other rule can look at the file. */
export const invalidWorkflow = {
  ...rule,
  syntaxReports(source: SourceFile): Report[] {
    // The first error only: later ones are usually the parser losing its footing after it.
    const reports: Report[] = source.doc.errors.slice(0, 1).map((error) => {
      const [start, end] = error.pos;
      return {
        message: `not valid YAML: ${error.message.split("\n")[0]}`,
        region: source.regionOf(start, end),
        key: error.code,
      };
    });
    if (reports.length === 0 && !isMap(source.doc.contents)) {
      reports.push({
        message: "a workflow must be a mapping with `on` and `jobs`",
        region: source.region(source.doc.contents),
        key: "not-a-mapping",
      });
    }
    return reports;
  },
};

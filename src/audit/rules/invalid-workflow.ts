import { isMap } from "yaml";
import type { SourceFile } from "../model/source.js";
import { defineRule, type Report } from "../types.js";

const rule = defineRule({
  meta: {
    id: "invalid-workflow",
    name: "Workflow file does not parse",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports workflow files that are not valid YAML or not a mapping, so GitHub cannot run them.",
    fixable: false,
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

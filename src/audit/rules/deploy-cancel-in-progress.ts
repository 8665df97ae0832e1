import { isMap, isScalar, type Node, type Scalar } from "yaml";
import { isDeployJob, isDeployWorkflow } from "../classify.js";
import { replaceNode } from "../fix.js";
import { defineRule, type RuleContext } from "../types.js";

export const deployCancelInProgress = defineRule({
  meta: {
    id: "deploy-cancel-in-progress",
    name: "Deploy concurrency cancels the running deployment",
    severity: "error",
    confidence: "high",
    category: "delivery",
    description:
      "Reports `cancel-in-progress: true` in the concurrency of a deploy workflow or deploy job: a newer run cancels the deployment half-way.",
    fixable: true,
  },
  workflow(workflow, ctx) {
    if (isDeployWorkflow(workflow)) check(workflow.concurrency?.node, "the workflow", "workflow", ctx);
  },
  job(job, ctx) {
    if (isDeployJob(job)) check(job.concurrency?.node, `deploy job "${job.id}"`, `job:${job.id}`, ctx);
  },
});

function check(concurrency: Node | undefined, where: string, key: string, ctx: RuleContext) {
  const value = cancelInProgress(concurrency);
  // Only a literal true: an expression (say, true for pull requests only) is a deliberate choice.
  if (!value || !(value.value === true || value.value === "true")) return;
  ctx.report({
    node: value,
    key,
    message: `cancel-in-progress: true on ${where}: a newer run cancels a deployment half-way, leaving a partial rollout, a held lock or a half-applied migration. Set it to false: deployments then queue`,
    fix: { description: "set cancel-in-progress to false", safe: true, edits: [replaceNode(value, "false")] },
  });
}

function cancelInProgress(node: Node | undefined): Scalar | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === "cancel-in-progress");
  return isScalar(pair?.value) ? pair.value : undefined;
}

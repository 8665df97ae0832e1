import { isMap, isScalar, type Node } from "yaml";
import { isPullRequestCi } from "../classify.js";
import type { Value, Workflow } from "../model/workflow.js";
import { defineRule } from "../types.js";

export const ciNoCancelStale = defineRule({
  meta: {
    id: "ci-no-cancel-stale",
    name: "Pull-request CI does not cancel stale runs",
    severity: "note",
    confidence: "high",
    category: "performance",
    description:
      "Reports pull-request CI workflows without a `concurrency` group whose `cancel-in-progress` is true or an expression, so every push to a pull request leaves the stale runs going.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    if (!isPullRequestCi(workflow)) return;
    if (cancels(workflow.concurrency)) return;
    // Every job cancelling its own stale runs is as good as the workflow doing it.
    if (workflow.jobs.length > 0 && workflow.jobs.every((j) => cancels(j.concurrency))) return;
    const onlyPullRequests = [...workflow.on.keys()].every((e) => e === "pull_request");
    const cancel = onlyPullRequests ? "true" : "${{ github.event_name == 'pull_request' }}";
    const problem = workflow.concurrency
      ? "its concurrency never cancels a run in progress"
      : "it has no concurrency group";
    ctx.report({
      node: onKey(workflow),
      key: "on",
      message: `pull-request CI where ${problem}: every push to a pull request starts a full run while the stale ones keep using runners and delay the result that matters. Add concurrency: { group: \${{ github.workflow }}-\${{ github.head_ref || github.ref }}, cancel-in-progress: ${cancel} }`,
    });
  },
});

function cancels(concurrency: Value<unknown> | undefined): boolean {
  if (!isMap(concurrency?.node)) return false;
  const value = concurrency.node.get("cancel-in-progress", true);
  if (!isScalar(value)) return false;
  return (
    value.value === true ||
    value.value === "true" ||
    (typeof value.value === "string" && value.value.includes("${{"))
  );
}

function onKey(workflow: Workflow) {
  const pair = workflow.root.items.find(
    (p) => isScalar(p.key) && (p.key.value === "on" || p.key.value === true),
  );
  return (pair?.key as Node | undefined) ?? workflow.onNode ?? workflow.root;
}

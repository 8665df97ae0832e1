import { buildsImage, isDeployWorkflow, isProductionJob, stepDeploys, triggeredBy } from "../classify.js";
import type { Step } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** Build commands: the job turns the checked-out code into what ships. */
const BUILD =
  /\b(npm|yarn|pnpm|bun)\s+(run\s+)?build\b|\bmake\b[^\n|;&]*\sbuild\b|\b(go|cargo|mvn|gradle|\.\/gradlew)\s+(build|package|install)\b/;

/** Whether a step ships or builds from the workspace (a local action by its own steps, or its name). */
function shipsOrBuilds(step: Step): boolean {
  if (stepDeploys(step) || buildsImage(step)) return true;
  if (step.localSteps)
    return (
      step.localSteps.some(shipsOrBuilds) ||
      (/build|deploy/i.test(step.uses?.raw ?? "") &&
        !/smoke|test|check|verify|alert|notif/i.test(step.uses?.raw ?? ""))
    );
  return Boolean(step.run && BUILD.test(step.run.value));
}

/** A ref that names the commit the triggering run was for. */
const RUN_COMMIT = /workflow_run\.(head_sha|head_commit\.id)\b/;

export const workflowRunHeadCheckout = defineRule({
  meta: {
    id: "workflow-run-head-checkout",
    name: "workflow_run deploy builds the branch head, not the commit that passed",
    severity: "warning",
    confidence: "high",
    category: "delivery",
    description:
      "Reports `actions/checkout` steps of deploying workflows started by `workflow_run` that do not check out `github.event.workflow_run.head_sha`: without it they get the default branch's newest commit, which is not the one the triggering run tested.",
    fixable: false,
  },
  step(step, job, ctx) {
    if (step.uses?.repository?.toLowerCase() !== "actions/checkout") return;
    const { workflow } = ctx;
    if (!triggeredBy(workflow, "workflow_run") || !isDeployWorkflow(workflow)) return;
    // Jobs that only notify or check use the checkout for their scripts, not to ship it.
    if (!job.steps.some(shipsOrBuilds)) return;
    const ref = step.with.get("ref")?.value ?? "";
    if (RUN_COMMIT.test(ref)) return;
    // Another repository's code (a shared config, a tool) is not the release.
    const repository = step.with.get("repository")?.value;
    if (repository && !/github\.repository\b/.test(repository)) return;
    const production = workflow.jobs.some((j) => isProductionJob(j, workflow));
    ctx.report({
      node: step.uses.node,
      key: `${job.id}:${step.id ?? step.name ?? step.index}`,
      severity: production ? undefined : "note",
      message: `this workflow runs after another one finishes, but this checkout takes ${ref ? `${ref.trim()}` : "the default branch's newest commit"}, not the commit that run tested: a commit pushed in between ships untested. Check out ref: \${{ github.event.workflow_run.head_sha }}`,
    });
  },
});

import { buildsImage, isDeployWorkflow, isProductionJob, stepDeploys, triggeredBy } from "../classify.js";
import { stepMigrates } from "../deploy-model.js";
import { memoByObject } from "../memo.js";
import { withCallerInputs } from "../model/local-callees.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** Build commands: the job turns the checked-out code into what ships. */
const BUILD =
  /\b(npm|yarn|pnpm|bun)\s+(run\s+)?build\b|\bmake\b[^\n|;&]*\sbuild\b|\b(go|cargo|mvn|gradle|\.\/gradlew)\s+(build|package|install)\b/;

/**
 * Whether a step ships, builds or migrates a database from the workspace (a local action by its
 * own steps, or its name).
 */
function shipsOrBuilds(step: Step): boolean {
  if (stepDeploys(step) || buildsImage(step) || stepMigrates(step)) return true;
  if (step.localSteps)
    return (
      step.localSteps.some(shipsOrBuilds) ||
      (/build|deploy/i.test(step.uses?.raw ?? "") &&
        !/smoke|test|check|verify|alert|notif/i.test(step.uses?.raw ?? ""))
    );
  return Boolean(step.run && BUILD.test(step.run.value));
}

/**
 * The ref and repository a step checks out: its own `actions/checkout`, or the first checkout of
 * the repository's composite action it uses, with the action's inputs replaced by what the step
 * passes (`ref: ${{ inputs.branch }}` given `branch: ${{ github.event.workflow_run.head_branch }}`).
 */
function checkoutOf(step: Step): { ref: string; repository?: string } | undefined {
  const isCheckout = (s: Step) => s.uses?.repository?.toLowerCase() === "actions/checkout";
  if (isCheckout(step))
    return { ref: step.with.get("ref")?.value ?? "", repository: step.with.get("repository")?.value };
  const inner = step.localSteps?.find(isCheckout);
  if (!inner) return undefined;
  const repository = inner.with.get("repository")?.value;
  return {
    ref: withCallerInputs(step, inner.with.get("ref")?.value ?? ""),
    repository: repository === undefined ? undefined : withCallerInputs(step, repository),
  };
}

/** The index of the job's last step that is a local action checking out code itself (-1 if none). */
const lastActionCheckout = memoByObject((job: Job): number =>
  job.steps.reduce((last, s) => (s.localSteps && checkoutOf(s) ? s.index : last), -1),
);

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
    const checkout = checkoutOf(step);
    if (!checkout || !step.uses) return;
    const { workflow } = ctx;
    if (!triggeredBy(workflow, "workflow_run") || !isDeployWorkflow(workflow)) return;
    // A plain checkout that only brings the repository's actions, one of which checks out the release itself.
    if (!step.localSteps && !checkout.ref && step.index < lastActionCheckout(job)) return;
    // Jobs that only notify or check use the checkout for their scripts, not to ship it.
    if (!job.steps.some(shipsOrBuilds)) return;
    const { ref, repository } = checkout;
    if (RUN_COMMIT.test(ref)) return;
    // Another repository's code (a shared config, a tool) is not the release.
    if (repository && !/github\.repository\b/.test(repository)) return;
    const production = workflow.jobs.some((j) => isProductionJob(j, workflow));
    const where = step.localSteps ? `the local action ${step.uses.raw} checks out` : "this checkout takes";
    ctx.report({
      node: step.uses.node,
      key: `${job.id}:${step.id ?? step.name ?? step.index}`,
      severity: production ? undefined : "note",
      message: `this workflow runs after another one finishes, but ${where} ${ref ? `${ref.trim()}` : "the default branch's newest commit"}, not the commit that run tested: a commit pushed in between ships untested. Check out ref: \${{ github.event.workflow_run.head_sha }}`,
    });
  },
});

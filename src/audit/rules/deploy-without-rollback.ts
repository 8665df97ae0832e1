import { isDeployJob } from "../classify.js";
import type { Workflow } from "../model/workflow.js";
import { defineRule } from "../types.js";

const ROLLBACK_NAME = /roll[\s_-]?back/i;
/** Commands that go back: explicit rollbacks, and deploys that undo themselves when they fail. */
const ROLLBACK_COMMAND =
  /roll[\s_-]?back|rollout\s+undo|--atomic\b|--rollback-on-failure\b|auto-?rollback|argo\s+rollouts|aws\s+ecs\s+update-service\b.*--task-definition\s+["']?\$\{?\w*(prev|old|last|stable|current)/i;
/** ECS's deployment circuit breaker rolls back by itself; mentioned anywhere, it is configured on purpose. */
const CIRCUIT_BREAKER = /circuit[\s_-]?breaker|deploymentCircuitBreaker/i;
const ON_FAILURE = /(?<!!\s*)\bfailure\(\)/;

function hasWayBack(workflow: Workflow): boolean {
  if (CIRCUIT_BREAKER.test(workflow.source.text)) return true;
  return workflow.jobs.some(
    (job) =>
      ON_FAILURE.test(job.if?.value ?? "") ||
      Boolean(job.uses && ROLLBACK_NAME.test(job.uses.raw)) ||
      job.steps.some(
        (step) =>
          ON_FAILURE.test(step.if?.value ?? "") ||
          ROLLBACK_COMMAND.test(step.run?.value ?? "") ||
          ROLLBACK_NAME.test(step.uses?.raw ?? ""),
      ),
  );
}

export const deployWithoutRollback = defineRule({
  meta: {
    id: "deploy-without-rollback",
    name: "Deploy with no way back",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports deploy workflows with no way back: no failure-triggered step or job, no rollback command, no deployment circuit breaker, and no rollback workflow in the repository.",
    fixable: false,
  },
  repository(ctx) {
    const rollbackWorkflow = ctx.workflows.some(
      (w) => ROLLBACK_NAME.test(w.name ?? "") || ROLLBACK_NAME.test(w.source.path.split("/").pop() ?? ""),
    );
    if (rollbackWorkflow) return;
    for (const workflow of ctx.workflows) {
      // Pull-request deploys are previews (or approval-gated scans): disposable, nothing to go back to.
      if ([...workflow.on.keys()].every((e) => /^pull_request(_target)?$/.test(e))) continue;
      const first = workflow.jobs.find(isDeployJob);
      if (!first || hasWayBack(workflow)) continue;
      ctx.report(workflow, {
        node: first.key,
        key: first.id,
        message: `this workflow deploys (job "${first.id}") with no way back: no step or job runs on failure(), nothing rolls back, no deployment circuit breaker, and the repository has no rollback workflow. Add a rollback step with if: failure() that restores the previous release (or enable the ECS circuit breaker / helm --atomic), and a manual rollback workflow`,
      });
    }
  },
});

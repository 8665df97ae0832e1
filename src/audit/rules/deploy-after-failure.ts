import { isMap, isScalar, isSeq } from "yaml";
import { callDeploys, stepDeploys } from "../deploy-model.js";
import { jobAncestors } from "../job-graph.js";
import type { Job } from "../model/workflow.js";
import { downloadsRunArtifact } from "../output-taint.js";
import { defineRule, type RuleContext } from "../types.js";

/** Steps that publish a release: release assets, images, packages. */
const PUBLISH_COMMAND =
  /\b(npm|pnpm|yarn)\s+publish\b|\btwine\s+upload\b|\b(docker|podman)\s+push\b|\bgh\s+release\s+(create|upload)\b|\bcargo\s+publish\b|\bgoreleaser\b/;
const PUBLISH_ACTIONS =
  /^(softprops\/action-gh-release|ncipollo\/release-action|pypa\/gh-action-pypi-publish|js-devtools\/npm-publish|svenstaro\/upload-release-action|goreleaser\/goreleaser-action)$/i;
/** A called workflow named for shipping something. */
const SHIPPING_CALL = /deploy|release|publish|rollout/i;

/**
 * Conditions that keep a job from running after a needed job failed: it runs on failure only,
 * or it checks `failure()`/`success()` or the needed jobs' results itself.
 */
const RESULT_CHECK = /(^|[^\w.])(failure|success)\(\)|needs\.(\*|[\w-]+)\.result/;

/** A job that deploys or publishes by its own steps (not by an environment alone: smoke tests take one too). */
function ships(job: Job): boolean {
  if (job.uses) return SHIPPING_CALL.test(job.uses.raw.split("@")[0]!) || callDeploys(job);
  return job.steps.some(
    (step) =>
      stepDeploys(step) ||
      (step.run !== undefined && PUBLISH_COMMAND.test(step.run.value)) ||
      PUBLISH_ACTIONS.test(step.uses?.repository ?? ""),
  );
}

export const deployAfterFailure = defineRule({
  meta: {
    id: "deploy-after-failure",
    name: "Deploy runs after the jobs it needs failed",
    severity: "warning",
    confidence: "high",
    category: "delivery",
    description:
      "Reports deploy and publish jobs with `needs:` whose `if:` uses `always()` without checking the needed jobs' results, and jobs of a `workflow_run` workflow that never check `github.event.workflow_run.conclusion`, so they ship even when the build or the tests before them failed.",
    fixable: false,
  },
  job(job, ctx) {
    afterFailedRun(job, ctx);
    const condition = job.if?.value ?? "";
    if (!job.needs.length || !/\balways\(\)/.test(condition) || RESULT_CHECK.test(condition)) return;
    if (!ships(job)) return;
    ctx.report({
      node: job.if!.node,
      key: job.id,
      message: `job "${job.id}" ships with if: always(): it runs even when ${job.needs.map((n) => `"${n}"`).join(", ")} failed or was cancelled, so a failed build or test still releases. To run after skipped jobs but not failed ones, use if: \${{ !failure() && !cancelled() }} (with the job's other conditions)`,
    });
  },
});

/** What a job, the jobs it needs, or its steps check of the run a `workflow_run` workflow follows. */
const CONCLUSION_CHECK = /workflow_run\.conclusion/;

/**
 * A `workflow_run` workflow starts when the run it follows completes, whatever its outcome: a job
 * that ships without checking `github.event.workflow_run.conclusion` ships after failed tests.
 */
function afterFailedRun(job: Job, ctx: RuleContext): void {
  const trigger = ctx.workflow.on.get("workflow_run");
  if (!trigger || !followsCompletion(trigger.node) || !ships(job)) return;
  const checked = [job, ...jobAncestors(job, ctx.workflow)].some(
    (j) =>
      CONCLUSION_CHECK.test(j.if?.value ?? "") ||
      j.steps.some((step) => CONCLUSION_CHECK.test(`${step.if?.value ?? ""} ${step.run?.value ?? ""}`)),
  );
  // Shipping what the followed run uploaded: a run that failed before its upload left nothing.
  const shipsItsArtifacts = job.steps.some(downloadsRunArtifact);
  if (checked || shipsItsArtifacts) return;
  ctx.report({
    node: job.key,
    key: `${job.id} workflow_run`,
    message: `job "${job.id}" ships from a workflow_run workflow without checking github.event.workflow_run.conclusion: it runs when the run it follows completes, failed or not, so failed tests still release. Add if: github.event.workflow_run.conclusion == 'success'`,
    related: [{ node: trigger.key ?? trigger.node, message: "triggered by workflow_run" }],
  });
}

/** `types:` absent (completed and requested) or naming `completed`. */
function followsCompletion(node: unknown): boolean {
  if (!isMap(node)) return true;
  const types = node.get("types", true);
  if (types === undefined) return true;
  const names = isSeq(types) ? types.items : [types];
  return names.some((t) => isScalar(t) && String(t.value) === "completed");
}

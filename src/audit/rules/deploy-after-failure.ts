import { callDeploys, stepDeploys } from "../deploy-model.js";
import type { Job } from "../model/workflow.js";
import { defineRule } from "../types.js";

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
      "Reports deploy and publish jobs with `needs:` whose `if:` uses `always()` without checking the needed jobs' results, so they ship even when the build or the tests before them failed.",
    fixable: false,
  },
  job(job, ctx) {
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

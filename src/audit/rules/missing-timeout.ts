import { isDeployJob } from "../classify.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule } from "../types.js";

/**
 * Actions that only talk about the run (labels, comments, notifications, stale marks): they
 * finish in seconds or fail, so a job of only these has nothing that can hang for hours.
 */
const TALKING_ACTION =
  /^(actions\/(labeler|stale|first-interaction|github-script)|slackapi\/slack-github-action|rtcamp\/action-slack-notify|8398a7\/action-slack|peter-evans\/(create-or-update-comment|find-comment|create-issue-from-file)|marocchino\/sticky-pull-request-comment|thollander\/actions-comment-pull-request|actions-ecosystem\/action-add-labels|actions-ecosystem\/action-remove-labels|andymckay\/labeler|amannn\/action-semantic-pull-request|sauravpanda\/discord-notify|appleboy\/discord-action|appleboy\/telegram-action|dawidd6\/action-send-mail|jwalton\/gh-find-current-pr|newrelic\/deployment-marker-action|chrnorm\/deployment-(action|status)|bobheadxi\/deployments|fjogeleit\/http-request-action)(\/|$)/i;
/** Script lines that only print, or post to a webhook or the GitHub API. */
const TALKING_LINE =
  /^(echo|printf|cat\s+<<|gh\s+(pr|issue)\s+(comment|edit|close)|curl\b.*(hooks\.|webhook|api\.github\.com|discord|office\.com|chat\.googleapis))/i;

function talks(step: Step): boolean {
  if (step.uses) return step.uses.repository !== undefined && TALKING_ACTION.test(step.uses.repository);
  const lines = (step.run?.value ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return lines.length > 0 && lines.every((l) => TALKING_LINE.test(l));
}

/** Actions with a time limit of their own (actions/deploy-pages gives up after 10 minutes). */
const SELF_LIMITED_ACTION = /^actions\/deploy-pages$/i;

/** A job that cannot run long: every step bounds itself, or only notifies and labels. */
function bounded(job: Job): boolean {
  if (job.steps.length === 0) return false;
  return job.steps.every(
    (step) =>
      step.node.has("timeout-minutes") ||
      talks(step) ||
      SELF_LIMITED_ACTION.test(step.uses?.repository ?? ""),
  );
}

/** Jobs whose names say they change something outside the runner, deploy commands or not. */
const CHANGES_SOMETHING =
  /deploy|publish|apply|migrat|rollout|promot|update[-_ ]?(lambda|ecs|service|function)/i;
/** ... unless the name says the job plans, checks or records the deploy instead ("Plan deploys"). */
const ABOUT_A_CHANGE =
  /(^|[^a-z])(plan|check|verify|validate|notify|report|marker|record|tag|alert|pagerduty|slack)s?([^a-z]|$)/i;

export const missingTimeout = defineRule({
  meta: {
    id: "missing-timeout",
    name: "Job without timeout-minutes",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description:
      "Reports jobs without `timeout-minutes`, which otherwise run (and bill, and block deploy queues) for up to six hours, unless every step has its own timeout or the job only labels, comments or notifies.",
    fixable: false,
  },
  job(job, ctx) {
    if (job.uses || job.timeoutMinutes) return; // reusable-workflow calls take the called jobs' timeouts
    if (bounded(job)) return;
    // A hung deploy holds the environment's deploy queue and its lock; a hung build only a runner.
    const named = `${job.id} ${job.name ?? ""}`;
    // "plan-and-apply" plans and then applies.
    const onlyAbout = ABOUT_A_CHANGE.test(named) && !/[^a-z]and[^a-z]|&/i.test(named);
    const deploys = isDeployJob(job) || (CHANGES_SOMETHING.test(named) && !onlyAbout);
    ctx.report({
      node: job.key,
      severity: deploys ? undefined : "note",
      message: deploys
        ? `deploy job "${job.id}" has no timeout-minutes: a hung step holds the runner, and every deploy queued behind it, for 6 hours`
        : `job "${job.id}" has no timeout-minutes: a hung step holds a runner for 6 hours before GitHub cancels it`,
      key: job.id,
    });
  },
});

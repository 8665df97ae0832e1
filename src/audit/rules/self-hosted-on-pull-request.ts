import { isMap, isScalar, isSeq, type Node } from "yaml";
import { jobAncestors } from "../job-graph.js";
import { scalarString } from "../model/source.js";
import type { Value } from "../model/workflow.js";
import { defineRule } from "../types.js";
import { triggerNode, trustedOnly } from "./untrusted-checkout.js";

/**
 * AWS CodeBuild-hosted runners (`codebuild-<project>-${{ github.run_id }}-…`): a machine in the
 * owner's account, with the CodeBuild project's IAM role, that GitHub does not host.
 */
const CODEBUILD_RUNNER = /^codebuild-[\w-]*\$\{\{\s*github\.run_id\s*\}\}/;

/**
 * The `self-hosted` label in `runs-on` as a string, a list, or a map's `labels`, or the label
 * of a runner the repository's owner hosts elsewhere (AWS CodeBuild).
 */
function selfHostedLabel(runsOn: unknown): Node | undefined {
  if (isScalar(runsOn)) {
    const label = scalarString(runsOn)?.trim() ?? "";
    return label.toLowerCase() === "self-hosted" || CODEBUILD_RUNNER.test(label) ? runsOn : undefined;
  }
  if (isSeq(runsOn)) {
    for (const item of runsOn.items) {
      const found = selfHostedLabel(item);
      if (found) return found;
    }
  }
  if (isMap(runsOn)) return selfHostedLabel(runsOn.get("labels", true));
  return undefined;
}

/** A condition that lets a workflow_run job run only after pushes (or only for this repository's branches). */
function pushesOnly(condition: Value<string> | undefined): boolean {
  return Boolean(
    condition &&
      /workflow_run\.event\s*==\s*['"](push|schedule|workflow_dispatch)['"]|workflow_run\.event\s*!=\s*['"]pull_request['"]|workflow_run\.head_repository\.full_name\s*==\s*github\.repository/.test(
        condition.value,
      ),
  );
}

export const selfHostedOnPullRequest = defineRule({
  meta: {
    id: "self-hosted-on-pull-request",
    name: "Self-hosted runner on pull requests",
    severity: "warning",
    confidence: "medium",
    category: "security",
    description:
      "Reports jobs on `self-hosted` runners (and AWS CodeBuild-hosted ones) in workflows triggered by `pull_request` or `pull_request_target`, where anyone who opens a pull request can run code on the machine, and by `workflow_run`, which a fork's pull request starts through the workflow it follows, with its branch name and artifacts as input.",
    fixable: false,
  },
  job(job, ctx) {
    const trigger = triggerNode(ctx.workflow, ["pull_request_target", "pull_request", "workflow_run"]);
    if (!trigger || job.uses || trustedOnly(job.if)) return;
    if (
      trigger.event === "workflow_run" &&
      [job, ...jobAncestors(job, ctx.workflow)].some((j) => pushesOnly(j.if))
    )
      return;
    const label = selfHostedLabel(job.node.get("runs-on", true));
    if (!label) return;
    ctx.report({
      node: label,
      key: `${job.id} self-hosted`,
      message:
        trigger.event === "workflow_run"
          ? `job "${job.id}" runs on a self-hosted runner in a workflow_run workflow, which a fork's pull request starts through the workflow it follows, choosing its branch name and artifacts: whatever reads them runs on that machine. Run it only for pushes (if: github.event.workflow_run.event == 'push'), or on GitHub-hosted runners`
          : `job "${job.id}" runs pull request code on a self-hosted runner: a pull request from a fork can run anything on that machine and leave something behind for the next job. Use GitHub-hosted runners for pull requests, or run this job only for branches of this repository (if: github.event.pull_request.head.repo.full_name == github.repository)`,
      related: [{ node: trigger.node, message: `triggered by ${trigger.event}` }],
    });
  },
});

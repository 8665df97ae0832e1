import { isMap, isScalar, isSeq, type Node } from "yaml";
import { scalarString } from "../model/source.js";
import { defineRule } from "../types.js";
import { triggerNode, trustedOnly } from "./untrusted-checkout.js";

/** The `self-hosted` label in `runs-on` as a string, a list, or a map's `labels`. */
function selfHostedLabel(runsOn: unknown): Node | undefined {
  if (isScalar(runsOn))
    return scalarString(runsOn)?.trim().toLowerCase() === "self-hosted" ? runsOn : undefined;
  if (isSeq(runsOn)) {
    for (const item of runsOn.items) {
      const found = selfHostedLabel(item);
      if (found) return found;
    }
  }
  if (isMap(runsOn)) return selfHostedLabel(runsOn.get("labels", true));
  return undefined;
}

export const selfHostedOnPullRequest = defineRule({
  meta: {
    id: "self-hosted-on-pull-request",
    name: "Self-hosted runner on pull requests",
    severity: "warning",
    confidence: "medium",
    category: "security",
    description:
      "Reports jobs on `self-hosted` runners in workflows triggered by `pull_request` or `pull_request_target`, where anyone who opens a pull request can run code on the machine.",
    fixable: false,
  },
  job(job, ctx) {
    const trigger = triggerNode(ctx.workflow, ["pull_request_target", "pull_request"]);
    if (!trigger || job.uses || trustedOnly(job.if)) return;
    const label = selfHostedLabel(job.node.get("runs-on", true));
    if (!label) return;
    ctx.report({
      node: label,
      key: `${job.id} self-hosted`,
      message: `job "${job.id}" runs pull request code on a self-hosted runner: a pull request from a fork can run anything on that machine and leave something behind for the next job. Use GitHub-hosted runners for pull requests, or run this job only for branches of this repository (if: github.event.pull_request.head.repo.full_name == github.repository)`,
      related: [{ node: trigger.node, message: `triggered by ${trigger.event}` }],
    });
  },
});

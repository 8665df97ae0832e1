import { isMap, isScalar, type Node } from "yaml";
import { isDeployJob, pushesTagsOnly, stepDeploys, triggeredBy } from "../classify.js";
import { callDeploys } from "../deploy-model.js";
import type { Job, Value, Workflow } from "../model/workflow.js";
import { calledWorkflow } from "../reusable.js";
import { defineRule } from "../types.js";

/** Events that start deployments without a human looking at the previous one first. */
const DEPLOY_TRIGGERS = [
  "push",
  "workflow_dispatch",
  "release",
  "schedule",
  "workflow_run",
  "repository_dispatch",
];

/** Groups that differ on every run or commit serialise nothing. */
const PER_RUN = /github\.(run_id|run_number|run_attempt|sha|event\.after|event\.head_commit\.id)\b/;

export const deployMissingConcurrency = defineRule({
  meta: {
    id: "deploy-missing-concurrency",
    name: "Deploy workflow without a concurrency group",
    severity: "error",
    confidence: "high",
    category: "delivery",
    description:
      "Reports deploy workflows started by pushes, releases, schedules or by hand with no concurrency group at workflow or deploy-job level, so two deployments can run at once, and reusable deploy workflows none of whose callers in the repository sets one, or that no workflow of the repository calls.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    if (!triggeredBy(workflow, ...DEPLOY_TRIGGERS)) return;
    const top = group(workflow.concurrency);
    if (top.kind === "ok") return;
    const unqueued = workflow.jobs.filter((j) => isDeployJob(j) && !queued(j));
    // Reported at the first job that runs a deploy, not at a plan job that only takes the
    // environment for its secrets.
    const job = unqueued.find((j) => j.steps.some(stepDeploys) || callDeploys(j)) ?? unqueued[0];
    if (!job) return;
    const own = group(job.concurrency);
    const perRun = own.kind === "per-run" ? own : top.kind === "per-run" ? top : undefined;
    if (perRun) {
      ctx.report({
        node: perRun.node,
        key: `job:${job.id}`,
        message: `the concurrency group of deploy job "${job.id}" changes with every run or commit, so it never makes two deployments wait for each other: use one group per environment, e.g. group: deploy-production`,
      });
      return;
    }
    if (publishesTaggedRelease(workflow, job)) {
      ctx.report({
        node: job.key,
        key: job.id,
        severity: "note",
        message: `job "${job.id}" publishes the release of the tag that started it, with no concurrency group: two tags pushed together publish two versions at once, which is harmless unless the called workflow also deploys. If it does, add concurrency: { group: release, cancel-in-progress: false }`,
      });
      return;
    }
    ctx.report({
      node: job.key,
      key: job.id,
      message: `deploy job "${job.id}" has no concurrency group: two pushes in a row deploy at the same time and the older one can finish last, leaving the older release live. Add concurrency: { group: deploy-<environment>, cancel-in-progress: false } to the workflow or the job`,
    });
  },
  /**
   * A reusable deploy workflow only its callers start: when none of the repository's callers
   * queues its runs (a group on the calling workflow or job), nothing does, and the group belongs
   * here, where every caller gets it.
   */
  repository(ctx) {
    for (const workflow of ctx.workflows) {
      if (!triggeredBy(workflow, "workflow_call") || triggeredBy(workflow, ...DEPLOY_TRIGGERS)) continue;
      if (group(workflow.concurrency).kind !== "none") continue;
      const job = workflow.jobs.find(
        (j) => isDeployJob(j) && group(j.concurrency).kind === "none" && j.steps.some(stepDeploys),
      );
      if (!job) continue;
      const callers = callersOf(workflow, ctx.workflows);
      if (callers.length === 0) {
        // Shared deploy workflows called from other repositories: each caller would have to
        // remember a group, and none can be seen from here.
        ctx.report(workflow, {
          node: job.key,
          key: job.id,
          message: `deploy job "${job.id}" of this reusable workflow has no concurrency group, and no workflow of this repository calls it: its callers elsewhere would each have to remember one, or two runs deploy to the same environment at once. Add concurrency: { group: deploy-\${{ inputs.<environment> }}, cancel-in-progress: false } here, where every caller gets it`,
        });
        continue;
      }
      if (callers.some(({ caller, j }) => callQueued(caller, j, ctx.workflows, 0))) continue;
      ctx.report(workflow, {
        node: job.key,
        key: job.id,
        message: `deploy job "${job.id}" of this reusable workflow has no concurrency group, and none of its callers (${[...new Set(callers.map(({ caller }) => caller.source.path))].join(", ")}) queues it: two runs deploy to the same environment at once. Add concurrency: { group: deploy-\${{ inputs.<environment> }}, cancel-in-progress: false } here, where every caller gets it`,
      });
    }
  },
});

/** The jobs of the repository's workflows that call `workflow`. */
function callersOf(workflow: Workflow, workflows: readonly Workflow[]): Array<{ caller: Workflow; j: Job }> {
  return workflows.flatMap((caller) =>
    caller.jobs.filter((j) => calledWorkflow(j, workflows) === workflow).map((j) => ({ caller, j })),
  );
}

/**
 * A call is queued by a group on the calling job or workflow, or — when the caller is itself a
 * reusable workflow — by every one of its own callers (`ci-cd-production.yml` → `run-ci-cd.yml`
 * → `run-deploy.yml`), a few levels up.
 */
function callQueued(caller: Workflow, j: Job, workflows: readonly Workflow[], depth: number): boolean {
  if (group(caller.concurrency).kind === "ok" || group(j.concurrency).kind === "ok") return true;
  if (depth >= 3 || !triggeredBy(caller, "workflow_call") || triggeredBy(caller, ...DEPLOY_TRIGGERS))
    return false;
  const above = callersOf(caller, workflows);
  return above.length > 0 && above.every((c) => callQueued(c.caller, c.j, workflows, depth + 1));
}

/**
 * A deploy job waits its turn when it has a group, or when it calls a workflow of the repository
 * whose own group (workflow-wide, or on each of its deploy jobs) queues the deploy.
 */
function queued(job: Job): boolean {
  if (group(job.concurrency).kind === "ok") return true;
  const callee = job.callee;
  if (!callee) return false;
  if (group(callee.concurrency).kind === "ok") return true;
  const deploying = callee.jobs.filter(isDeployJob);
  return deploying.length > 0 && deploying.every((j) => group(j.concurrency).kind === "ok");
}

type Group = { kind: "none" } | { kind: "ok" } | { kind: "per-run"; node: Node };

function group(concurrency: Value<unknown> | undefined): Group {
  if (!concurrency || concurrency.value === null || concurrency.value === "") return { kind: "none" };
  const node = isMap(concurrency.node) ? concurrency.node.get("group", true) : concurrency.node;
  if (isScalar(node) && typeof node.value === "string" && PER_RUN.test(node.value))
    return { kind: "per-run", node };
  return { kind: "ok" };
}

/**
 * A release workflow of another repository (`org/workflows/.github/workflows/controller-release.yaml`)
 * called from a workflow that only tags or releases start: each run publishes its own version
 * rather than replacing what a previous run deployed.
 */
function publishesTaggedRelease(workflow: Workflow, job: Job): boolean {
  const called = job.uses?.raw.split("@")[0] ?? "";
  if (!called || called.startsWith("./") || !/release/i.test(called) || /deploy/i.test(called)) return false;
  return [...workflow.on.keys()].every(
    (event) =>
      event === "release" || event === "workflow_dispatch" || (event === "push" && pushesTagsOnly(workflow)),
  );
}

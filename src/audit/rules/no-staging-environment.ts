import { isDeployJob, isProductionJob, stageOf } from "../classify.js";
import { environmentChoices, environmentNames, PRE_PRODUCTION_WORDS } from "../deploy-model.js";
import type { Job, Workflow } from "../model/workflow.js";
import { defineRule } from "../types.js";

/**
 * Whether a deploy job deploys somewhere before production: one of the environments it can
 * name (`${{ inputs.environment }}` with options staging and production counts), or, failing
 * that, the stage the deploy model reads from its names, commands and workflow.
 */
function preProduction(job: Job, workflow: Workflow): boolean {
  const names = environmentNames(job, workflow);
  const choices = environmentChoices(job, workflow);
  if ([...names, ...choices].some((n) => PRE_PRODUCTION_WORDS.test(n.replace(/[-_./]/g, " ")))) return true;
  // One job that deploys to two environments (`tags && 'app-org' || 'app-net'`): production is
  // one of them, and the other is where the same deploy goes first.
  if (new Set(names).size > 1) return true;
  // …or one job that runs for two branches (`refs/heads/develop` and `refs/heads/master`).
  const branches = (job.if?.value ?? "").matchAll(
    /refs\/heads\/([\w./-]+)|ref_name\s*==\s*['"]([\w./-]+)['"]/g,
  );
  if (new Set([...branches].map((m) => m[1] ?? m[2])).size > 1) return true;
  return stageOf(job, workflow).stage === "pre-production";
}

export const noStagingEnvironment = defineRule({
  meta: {
    id: "no-staging-environment",
    name: "Production without a staging environment",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports repositories whose workflows deploy to production but never to a staging or other pre-production environment.",
    fixable: false,
  },
  repository(ctx) {
    const deploys = ctx.workflows.flatMap((workflow) =>
      workflow.jobs.filter(isDeployJob).map((job) => ({ job, workflow, pre: preProduction(job, workflow) })),
    );
    if (deploys.some((d) => d.pre)) return;
    const first = deploys.find((d) => isProductionJob(d.job, d.workflow));
    if (!first) return;
    ctx.report(first.workflow, {
      node: first.job.key,
      key: first.job.id,
      message: `job "${first.job.id}" deploys to production and no workflow in the repository deploys anywhere first: every change meets real traffic and real data untried outside CI. Add a staging environment that each release deploys to (and is checked in) before production, and promote the same image from there`,
    });
  },
});

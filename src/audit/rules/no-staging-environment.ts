import { isDeployJob, isProductionJob, stepDeploys } from "../classify.js";
import type { Job, Workflow } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** Names of pre-production targets. */
const PRE_PRODUCTION =
  /\b(stag(e|ing)|stg|pre[\s_-]?prod(uction)?|non[\s_-]?prod(uction)?|qa|uat|dev|development|test(ing)?|sandbox|preview|beta)\b/i;
/** Device paths are not environments (`> /dev/null`). */
const DEVICES = /\/dev\/(null|stdout|stderr|tty|zero|u?random|fd\/\d+)/g;

/**
 * Whether a deploy job targets a pre-production environment: by its environment name; for an
 * expression (`${{ inputs.environment }}`, `${{ matrix.env }}`), by the values it can take
 * (dispatch inputs, matrix, workflow env); without an environment, by its id, name, the
 * workflow's name and its deploy commands.
 */
function preProduction(job: Job, workflow: Workflow): boolean {
  const environment = job.environment?.value;
  if (environment && !environment.includes("${{"))
    return PRE_PRODUCTION.test(environment.replace(/[-_]/g, " "));
  const texts = environment
    ? [
        environment,
        JSON.stringify([...workflow.on.values()].map((v) => v.value)),
        JSON.stringify((job.node.toJSON() as Record<string, unknown>).strategy ?? null),
        JSON.stringify([...workflow.env.values()].map((v) => v.value)),
      ]
    : [
        job.id,
        job.name ?? "",
        workflow.name ?? "",
        ...job.steps.filter(stepDeploys).map((s) => s.run?.value ?? ""),
        ...[...job.env.values(), ...workflow.env.values()].map((v) => v.value),
      ];
  return PRE_PRODUCTION.test(texts.join(" ").replace(DEVICES, "").replace(/[-_]/g, " "));
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

import { isDeployJob, isProductionJob } from "../classify.js";
import { productionByInput } from "../deploy-model.js";
import { defineRule } from "../types.js";

/**
 * A job whose own id or name says another stage (and not production) is not production, even
 * in a workflow called "Production deploy" that deploys staging first.
 */
const OTHER_STAGE = /\b(staging|stage|stg|dev|development|preview|review|qa|test|testing|sandbox)\b/i;
const PRODUCTION = /\b(prod|production|live)\b/i;

export const productionWithoutEnvironment = defineRule({
  meta: {
    id: "production-without-environment",
    name: "Production deploy without a GitHub environment",
    severity: "error",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports production deploy jobs without `environment:`: no required reviewers can stop them, no environment-scoped secrets, and no deployment record.",
    fixable: false,
  },
  job(job, ctx) {
    // Any `environment:` key counts, even one this audit cannot read (an expression, a map).
    if (job.uses || job.node.has("environment")) return;
    const own = [job.id, job.name ?? ""].join(" ").replace(/[-_]/g, " ");
    if (OTHER_STAGE.test(own) && !PRODUCTION.test(own)) return;
    if (isProductionJob(job, ctx.workflow)) {
      ctx.report({
        node: job.key,
        key: job.id,
        message: `job "${job.id}" deploys to production without environment: nobody has to approve it, its secrets are not scoped to production and GitHub keeps no deployment record. Add environment: production and give that environment required reviewers`,
      });
      return;
    }
    // Where an input picks the environment, production is one of the picks.
    const input = isDeployJob(job) ? productionByInput(job, ctx.workflow) : undefined;
    if (!input) return;
    ctx.report({
      node: job.key,
      key: job.id,
      message: `job "${job.id}" deploys wherever ${input} says, production included, without environment: nobody has to approve a production deploy and its secrets are not scoped. Add environment: \${{ ${input} }} and give the production environment required reviewers`,
    });
  },
});

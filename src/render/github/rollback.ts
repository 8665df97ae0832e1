import type { EnvironmentPlan, PipelineModel } from "../../pipeline/model.js";
import { comment, spaced, type YamlMap } from "../yaml-emit.js";
import { deployJob, requireDeploymentStep, validateTagStep } from "./deploy.js";
import { shipgateCommand } from "./shipgate-cli.js";
import { checkout } from "./steps.js";
import { GITHUB_TARGETS } from "./targets/index.js";
import { localStateStep } from "./targets/local.js";

/**
 * One command to roll back: pick the environment and an earlier commit that ran there
 * successfully; the job redeploys that exact image and verifies it like any deploy.
 */
export function rollbackWorkflow(model: PipelineModel): YamlMap {
  const names = model.environments.map((e) => e.name);
  const jobs: YamlMap = {};
  for (const env of model.environments) jobs[`rollback-${env.name}`] = spaced(rollbackJob(model, env));
  return {
    name: "Rollback",
    on: {
      workflow_dispatch: {
        inputs: {
          environment: {
            description: "Environment to roll back",
            required: true,
            type: "choice",
            options: names,
          },
          image_tag: {
            description: "Commit SHA of an earlier release that ran successfully in that environment",
            required: true,
            type: "string",
          },
        },
      },
    },
    concurrency: comment(
      { group: `${model.filePrefix}deploy-\${{ inputs.environment }}`, "cancel-in-progress": false },
      "Shares the deploy workflows' groups: a rollback never interleaves with a deployment.",
    ),
    permissions: { contents: "read" },
    jobs: spaced(jobs),
  };
}

function shipgateStep(model: PipelineModel, args: string, env: Record<string, string>) {
  const shipgate = shipgateCommand(model, args);
  return { run: shipgate.run, env: { ...shipgate.env, ...env } };
}

function rollbackJob(model: PipelineModel, env: EnvironmentPlan): YamlMap {
  if (env.target.type === "local") {
    const base = deployJob(model, env, null);
    return {
      ...base,
      name: `Roll back ${env.name}`,
      if: `inputs.environment == '${env.name}'`,
      env: { TO: "${{ inputs.image_tag }}" },
      steps: [
        // shipgate.yml says how the environment runs; the state is outside the checkout.
        checkout(),
        localStateStep(),
        {
          name: `Roll back ${env.name} to the requested release`,
          ...shipgateStep(model, 'rollback "$ENVIRONMENT" --to "$TO"', { ENVIRONMENT: env.name }),
        },
      ],
    };
  }
  // Rolling back is a deploy of an earlier image, checked first, without another rollback on failure.
  const job = deployJob(model, { ...env, rollback: { ...env.rollback, automatic: false } }, null);
  const target = GITHUB_TARGETS[env.target.type];
  return {
    ...job,
    name: `Roll back ${env.name}`,
    if: `inputs.environment == '${env.name}'`,
    permissions: { ...(job.permissions as YamlMap), deployments: "read" },
    env: { ...(job.env as YamlMap), IMAGE_TAG: "${{ inputs.image_tag }}" },
    steps: [
      validateTagStep("image_tag must be the full 40-character commit SHA of an earlier release"),
      requireDeploymentStep(
        env.name,
        "commit $IMAGE_TAG never ran successfully in $ENVIRONMENT; pick an earlier release that did",
      ),
      ...(env.trigger.kind === "promote" ? [] : target.artifactExists(model, env)),
      ...(job.steps as YamlMap[]),
    ],
  };
}

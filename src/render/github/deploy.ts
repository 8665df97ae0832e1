import type { EnvironmentPlan, PipelineModel } from "../../pipeline/model.js";
import { comment, flow, spaced, type YamlMap, type YamlValue } from "../yaml-emit.js";
import { shipgateCommand } from "./shipgate-cli.js";
import { checkout, uses } from "./steps.js";
import { registryPermissions } from "./targets/image.js";
import { GITHUB_TARGETS } from "./targets/index.js";

const SHA_PATTERN = "^[0-9a-f]{40}$";

export function deployWorkflowPath(model: PipelineModel, env: EnvironmentPlan): string {
  return workflowPath(model, `deploy-${env.name}`);
}

/** `.github/workflows/<prefix><name>.yml`: every generated file carries workflows.prefix. */
export function workflowPath(model: PipelineModel, name: string): string {
  return `.github/workflows/${model.filePrefix}${name}.yml`;
}

/** One workflow per environment; environments fed by a push build, the others promote. */
export function deployWorkflow(model: PipelineModel, env: EnvironmentPlan): YamlMap {
  const target = GITHUB_TARGETS[env.target.type];
  const jobs: YamlMap = {};
  const promote = env.trigger.kind === "promote";

  if (promote) {
    jobs["check-promotion"] = spaced(
      promotionCheckJob(env),
      `Promote, never rebuild: only an image ${(env.trigger as { from: string }).from} ran successfully may go on.`,
    );
  } else {
    jobs.ci = spaced({
      name: "CI",
      uses: `./${workflowPath(model, "ci")}`,
      permissions: { contents: "read" },
    });
    jobs.build = spaced(target.buildJob(model, env));
  }
  jobs.deploy = spaced(deployJob(model, env, promote ? "check-promotion" : "build"));
  const notify = notifyJob(model, env);
  if (notify) jobs.notify = spaced(notify);

  return {
    name: `Deploy ${env.name}`,
    on: promote
      ? {
          workflow_dispatch: {
            inputs: {
              image_tag: {
                description: `Commit SHA of the image that passed ${(env.trigger as { from: string }).from}`,
                required: true,
                type: "string",
              },
            },
          },
        }
      : {
          push: {
            branches: flow([(env.trigger as { branch: string }).branch]),
            "paths-ignore": model.ci.pathsIgnore,
          },
          workflow_dispatch: null,
        },
    concurrency: comment(
      { group: `${model.filePrefix}deploy-${env.name}`, "cancel-in-progress": false },
      "One deployment per environment at a time; a running deployment is never cancelled half-way.",
    ),
    permissions: { contents: "read" },
    jobs: spaced(jobs),
  };
}

function nonEmpty(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length ? map : undefined;
}

function commitExpression(env: EnvironmentPlan): string {
  return env.trigger.kind === "promote" ? "inputs.image_tag" : "github.sha";
}

function imageTagExpression(env: EnvironmentPlan): string {
  return env.trigger.kind === "promote" ? "${{ inputs.image_tag }}" : "${{ github.sha }}";
}

export function deployJob(model: PipelineModel, env: EnvironmentPlan, needs: string | null): YamlMap {
  const target = GITHUB_TARGETS[env.target.type];
  const steps: YamlValue[] = [
    ...(target.verifiesItself ? [] : [checkout()]),
    // Promotions check the artifact exists before anything changes (same role, same environment).
    ...(env.trigger.kind === "promote" ? target.artifactExists(model, env) : []),
    ...target.deploy(model, env),
  ];
  if (!target.verifiesItself) steps.push(verifyStep(model, env));
  if (env.rollback.automatic) steps.push(...target.rollback(model, env));
  const local = env.target.type === "local";
  return {
    name: `Deploy to ${env.name}`,
    needs: needs ?? undefined,
    "runs-on": target.runsOn(env),
    "timeout-minutes": Math.ceil(env.verify.timeoutSeconds / 60) + 30,
    environment: comment(
      { name: env.name, url: env.url ?? undefined },
      env.approval.required
        ? `Required reviewers on the ${env.name} environment approve before this job starts.`
        : "A GitHub deployment record per run: who shipped which commit, and when.",
    ),
    permissions: {
      contents: "read",
      ...(local ? {} : registryPermissions(model, false)),
      ...target.permissions(env),
    },
    env: nonEmpty({
      ...(local ? {} : { IMAGE_TAG: imageTagExpression(env) }),
      ...(local && env.trigger.kind === "push" ? { ARTIFACT: "${{ needs.build.outputs.artifact }}" } : {}),
      ...target.jobEnv(model, env),
    }),
    steps,
  };
}

/**
 * `shipgate verify` instead of a curl loop: retries with back-off, a deadline, smoke checks.
 * Paths arrive as quoted variables: `/health?deep=1&verbose=1` is one argument, not two commands.
 */
function verifyStep(model: PipelineModel, env: EnvironmentPlan): YamlMap {
  const { healthPath, readyPath, smoke, timeoutSeconds } = env.verify;
  const args = [
    'verify "$BASE_URL"',
    '--health-path "$HEALTH_PATH"',
    readyPath ? '--ready-path "$READY_PATH"' : "--no-ready",
    ...(smoke ? ['--smoke "$SMOKE_FILE"'] : []),
    `--deadline ${timeoutSeconds}s`,
  ];
  const shipgate = shipgateCommand(model, args.join(" "));
  return {
    name: "Verify health, readiness and smoke checks",
    run: shipgate.run,
    env: {
      ...shipgate.env,
      BASE_URL: env.url ?? `\${{ vars.${env.name.toUpperCase().replace(/-/g, "_")}_URL }}`,
      HEALTH_PATH: healthPath,
      READY_PATH: readyPath ?? undefined,
      SMOKE_FILE: smoke ?? undefined,
    },
  };
}

export function validateTagStep(description: string): YamlMap {
  return {
    name: "Validate the requested image tag",
    run: [
      `if ! printf '%s' "$IMAGE_TAG" | grep -Eq '${SHA_PATTERN}'; then`,
      `  echo "::error title=Invalid image tag::${description}"`,
      "  exit 1",
      "fi",
    ].join("\n"),
  };
}

/**
 * Asks GitHub's deployment records whether `$IMAGE_TAG` finished successfully in `envName`,
 * given to the script as `$ENVIRONMENT`; `reason` may name it so too.
 */
export function requireDeploymentStep(envName: string, reason: string): YamlMap {
  return {
    name: `Require a successful ${envName} deployment of this commit`,
    env: { GH_TOKEN: "${{ github.token }}", ENVIRONMENT: envName },
    run: [
      `ids=$(gh api "repos/$GITHUB_REPOSITORY/deployments?environment=$ENVIRONMENT&sha=$IMAGE_TAG" --jq '.[].id')`,
      "for id in $ids; do",
      `  state=$(gh api "repos/$GITHUB_REPOSITORY/deployments/$id/statuses" --jq '.[0].state')`,
      '  if [ "$state" = "success" ]; then',
      `    echo "Commit $IMAGE_TAG was deployed to $ENVIRONMENT successfully (deployment $id)."`,
      "    exit 0",
      "  fi",
      "done",
      `echo "::error title=Not verified in $ENVIRONMENT::${reason}"`,
      "exit 1",
    ].join("\n"),
  };
}

function promotionCheckJob(env: EnvironmentPlan): YamlMap {
  const from = (env.trigger as { from: string }).from;
  return {
    name: `Check the image passed ${from}`,
    "runs-on": "ubuntu-latest",
    "timeout-minutes": 10,
    permissions: { contents: "read", deployments: "read" },
    env: { IMAGE_TAG: "${{ inputs.image_tag }}" },
    steps: [
      validateTagStep("image_tag must be the full 40-character commit SHA of the image to promote"),
      requireDeploymentStep(
        from,
        "commit $IMAGE_TAG has no successful $ENVIRONMENT deployment; deploy it to $ENVIRONMENT first",
      ),
    ],
  };
}

/** Slack message for the run's outcome; a Slack outage never fails a deployment. */
export function notifyJob(
  model: PipelineModel,
  env: EnvironmentPlan,
  needs: string[] = ["deploy"],
): YamlMap | null {
  const secret = model.notifications.slackSecret;
  if (!secret) return null;
  const result = needs.map((n) => `needs.${n}.result`);
  const ok = result.map((r) => `${r} == 'success'`).join(" && ");
  return {
    name: "Notify Slack",
    needs: flow(needs),
    if: "always()",
    "runs-on": "ubuntu-latest",
    "timeout-minutes": 5,
    permissions: {},
    steps: [
      {
        name: "Post the deployment result",
        uses: uses("slackapi/slack-github-action"),
        "continue-on-error": true,
        with: {
          webhook: `\${{ secrets.${secret} }}`,
          "webhook-type": "incoming-webhook",
          payload: [
            `text: "\${{ (${ok}) && 'Deployed' || 'Deployment failed:' }} \${{ github.repository }} to ${env.name}"`,
            "blocks:",
            "  - type: section",
            "    text:",
            "      type: mrkdwn",
            `      text: "*Environment:* ${env.name}\\n*By:* \${{ github.actor }}\\n*Result:* \${{ ${result[result.length - 1]} }}\\n<\${{ github.server_url }}/\${{ github.repository }}/actions/runs/\${{ github.run_id }}|Workflow run>"`,
            "  - type: context",
            "    elements:",
            "      - type: mrkdwn",
            // toJSON quotes and escapes the value, so a dispatch input cannot change the payload's structure.
            `        text: \${{ toJSON(${commitExpression(env)}) }}`,
          ].join("\n"),
        },
      },
    ],
  };
}

import type { EnvironmentPlan } from "../../../pipeline/model.js";
import { uses } from "../steps.js";
import { imageBuildJob, imageExistsSteps, registrySteps } from "./image.js";
import type { GithubTarget } from "./types.js";

function ecs(env: EnvironmentPlan) {
  if (env.target.type !== "ecs") throw new Error(`environment ${env.name} is not an ECS target`);
  return env.target;
}

/** Amazon ECS: render the task definition with the new image, deploy, wait for stability. */
export const ecsTarget: GithubTarget = {
  verifiesItself: false,
  runsOn: () => "ubuntu-latest",
  permissions: () => ({ "id-token": "write" }),
  jobEnv: (_model, env) => {
    const t = ecs(env);
    return {
      ECS_CLUSTER: t.cluster,
      ECS_SERVICE: t.service,
      TASK_FAMILY: t.taskDefinition,
      CONTAINER: t.containerName,
    };
  },
  buildJob: imageBuildJob,
  artifactExists: imageExistsSteps,
  deploy: (model, env) => [
    ...registrySteps(model, env),
    {
      name: "Record the running task definition (rollback target)",
      id: "previous",
      run: [
        'previous=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" \\',
        "  --query 'services[0].taskDefinition' --output text)",
        'echo "task-definition=$previous" >> "$GITHUB_OUTPUT"',
        'echo "Running before this deploy: $previous"',
      ].join("\n"),
    },
    {
      name: "Download the task definition",
      run: 'aws ecs describe-task-definition --task-definition "$TASK_FAMILY" --query taskDefinition --output json > task-definition.json',
    },
    {
      name: "Render the task definition with the new image",
      id: "render",
      uses: uses("aws-actions/amazon-ecs-render-task-definition"),
      with: {
        "task-definition": "task-definition.json",
        "container-name": "${{ env.CONTAINER }}",
        image: "${{ env.IMAGE_REPO }}:${{ env.IMAGE_TAG }}",
      },
    },
    {
      name: "Deploy and wait for the service to be stable",
      uses: uses("aws-actions/amazon-ecs-deploy-task-definition"),
      with: {
        "task-definition": "${{ steps.render.outputs.task-definition }}",
        cluster: "${{ env.ECS_CLUSTER }}",
        service: "${{ env.ECS_SERVICE }}",
        "wait-for-service-stability": true,
        "wait-for-minutes": 15,
      },
    },
  ],
  rollback: () => [
    {
      name: "Roll back to the previous task definition",
      if: "failure() && steps.previous.outputs.task-definition != ''",
      run: [
        'echo "::error title=Rolled back::the new release failed; restoring $PREVIOUS"',
        'aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" --task-definition "$PREVIOUS" > /dev/null',
        'aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"',
      ].join("\n"),
      env: { PREVIOUS: "${{ steps.previous.outputs.task-definition }}" },
    },
  ],
};

import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import type { YamlValue } from "../../yaml-emit.js";
import { shipgateCommand } from "../shipgate-cli.js";
import { awsCredentials, uses } from "../steps.js";
import { TOOL_VERSIONS } from "../tool-versions.js";
import { imageBuildJob, imageExistsSteps, registrySteps } from "./image.js";
import type { GithubTarget } from "./types.js";

function k8s(env: EnvironmentPlan) {
  if (env.target.type !== "kubernetes") throw new Error(`environment ${env.name} is not a Kubernetes target`);
  return env.target;
}

function clusterAccess(model: PipelineModel, env: EnvironmentPlan): YamlValue[] {
  const t = k8s(env);
  const steps: YamlValue[] = [
    { name: "Set up kubectl", uses: uses("Azure/setup-kubectl"), with: { version: TOOL_VERSIONS.kubectl } },
  ];
  if (t.provider === "eks") {
    // The registry steps already assumed the role when the images live in ECR.
    if (model.artifact.registry !== "ecr") steps.push(awsCredentials(env));
    steps.push({
      name: "Connect to the EKS cluster",
      run: 'aws eks update-kubeconfig --name "$EKS_CLUSTER" --region "$AWS_REGION"',
      env: { AWS_REGION: env.aws?.region ?? "us-east-1" },
    });
  } else {
    steps.push({
      name: "Connect to the cluster",
      uses: uses("Azure/k8s-set-context"),
      with: {
        method: "kubeconfig",
        kubeconfig: `\${{ secrets.KUBE_CONFIG_${env.name.toUpperCase().replace(/-/g, "_")} }}`,
      },
    });
  }
  return steps;
}

/**
 * Kubernetes: shipgate's engine rolls the image out under the environment's strategy (rolling,
 * blue-green or canary with analysis), follows the rollout and rolls back on its own. The
 * ledger is the shared PostgreSQL one (SHIPGATE_DATABASE_URL): GitHub-hosted runners keep no
 * disk between jobs, and the lock and crash recovery need the record of the last run.
 */
export const kubernetesTarget: GithubTarget = {
  verifiesItself: false,
  runsOn: () => "ubuntu-latest",
  permissions: (env): Record<string, "read" | "write"> =>
    k8s(env).provider === "eks" ? { "id-token": "write" } : {},
  jobEnv: (_model, env) => {
    const t = k8s(env);
    return {
      NAMESPACE: t.namespace,
      DEPLOYMENT: t.deployment,
      CONTAINER: t.container,
      ...(t.provider === "eks" && t.cluster ? { EKS_CLUSTER: t.cluster } : {}),
    };
  },
  buildJob: imageBuildJob,
  artifactExists: imageExistsSteps,
  deploy: (model, env) => {
    const shipgate = shipgateCommand(model, 'deploy "$ENVIRONMENT" --artifact "$IMAGE_REPO:$IMAGE_TAG"');
    return [
      ...registrySteps(model, env),
      ...clusterAccess(model, env),
      {
        name: `Roll out to ${env.name} (${strategyText(env)}; rolls back on its own)`,
        id: "rollout",
        run: shipgate.run,
        env: {
          ...shipgate.env,
          ENVIRONMENT: env.name,
          SHIPGATE_DATABASE_URL: "${{ secrets.SHIPGATE_DATABASE_URL }}",
        },
      },
    ];
  },
  rollback: (model, env) => {
    const shipgate = shipgateCommand(model, 'rollback "$ENVIRONMENT"');
    return [
      {
        // The engine rolled back a failed rollout itself; this covers a release it made live
        // that the verify step then found broken.
        name: "Roll back to the previous healthy release",
        if: "failure() && steps.rollout.outcome == 'success'",
        run: ['echo "::error title=Rolled back::verification failed after the rollout"', shipgate.run].join(
          "\n",
        ),
        env: {
          ...shipgate.env,
          ENVIRONMENT: env.name,
          SHIPGATE_DATABASE_URL: "${{ secrets.SHIPGATE_DATABASE_URL }}",
        },
      },
    ];
  },
};

function strategyText(env: EnvironmentPlan): string {
  const s = env.strategy;
  if (typeof s === "object") return `canary ${s.canary.steps.join("/")}% with analysis`;
  return s;
}

import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import type { YamlValue } from "../../yaml-emit.js";
import { awsCredentials, uses } from "../steps.js";
import { imageBuildJob, imageExistsSteps, registrySteps } from "./image.js";
import type { GithubTarget } from "./types.js";

function k8s(env: EnvironmentPlan) {
  if (env.target.type !== "kubernetes") throw new Error(`environment ${env.name} is not a Kubernetes target`);
  return env.target;
}

function clusterAccess(model: PipelineModel, env: EnvironmentPlan): YamlValue[] {
  const t = k8s(env);
  const steps: YamlValue[] = [{ name: "Set up kubectl", uses: uses("Azure/setup-kubectl") }];
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

/** Kubernetes: update the Deployment's image and wait for `rollout status`. */
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
  deploy: (model, env) => [
    ...registrySteps(model, env),
    ...clusterAccess(model, env),
    {
      name: "Record the running image (rollback target)",
      id: "previous",
      run: [
        'previous=$(kubectl --namespace "$NAMESPACE" get deployment "$DEPLOYMENT" \\',
        "  -o jsonpath=\"{.spec.template.spec.containers[?(@.name=='$CONTAINER')].image}\")",
        'echo "image=$previous" >> "$GITHUB_OUTPUT"',
        'echo "Running before this deploy: $previous"',
      ].join("\n"),
    },
    {
      name: "Deploy and wait for the rollout to finish",
      run: [
        'kubectl --namespace "$NAMESPACE" set image "deployment/$DEPLOYMENT" "$CONTAINER=$IMAGE_REPO:$IMAGE_TAG"',
        'kubectl --namespace "$NAMESPACE" annotate "deployment/$DEPLOYMENT" --overwrite \\',
        '  kubernetes.io/change-cause="deploy $IMAGE_TAG by $GITHUB_ACTOR (run $GITHUB_RUN_ID)"',
        'kubectl --namespace "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout=10m',
      ].join("\n"),
    },
  ],
  rollback: () => [
    {
      name: "Roll back to the previous image",
      if: "failure() && steps.previous.outputs.image != ''",
      run: [
        'echo "::error title=Rolled back::the new release failed; restoring $PREVIOUS"',
        'kubectl --namespace "$NAMESPACE" set image "deployment/$DEPLOYMENT" "$CONTAINER=$PREVIOUS"',
        'kubectl --namespace "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout=10m',
      ].join("\n"),
      env: { PREVIOUS: "${{ steps.previous.outputs.image }}" },
    },
  ],
};

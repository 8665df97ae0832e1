import type { EnvironmentPlan, PipelineModel } from "../../../pipeline/model.js";
import type { YamlMap, YamlValue } from "../../yaml-emit.js";
import { awsCredentials, checkout, ecrLogin, ghcrLogin, uses } from "../steps.js";

/** Registry login and `IMAGE_REPO` for container targets (ECR through OIDC, or GHCR). */
export function registrySteps(model: PipelineModel, env: EnvironmentPlan): YamlValue[] {
  const name = model.artifact.repository;
  if (model.artifact.registry === "ecr") {
    return [
      awsCredentials(env),
      ecrLogin(),
      {
        name: "Resolve the image repository",
        run: 'echo "IMAGE_REPO=$ECR_REGISTRY/$REPOSITORY_NAME" >> "$GITHUB_ENV"',
        env: { ECR_REGISTRY: "${{ steps.ecr.outputs.registry }}", REPOSITORY_NAME: name },
      },
    ];
  }
  return [
    ghcrLogin(),
    {
      name: "Resolve the image repository",
      // Registry paths must be lower-case; owners often are not.
      run: 'echo "IMAGE_REPO=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/$REPOSITORY_NAME" >> "$GITHUB_ENV"',
      env: { REPOSITORY_NAME: name },
    },
  ];
}

export function registryPermissions(model: PipelineModel, write: boolean): Record<string, "read" | "write"> {
  return model.artifact.registry === "ecr" ? { "id-token": "write" } : { packages: write ? "write" : "read" };
}

/** Builds the image once, tags it with the commit SHA, pushes it and scans what was pushed. */
export function imageBuildJob(model: PipelineModel, env: EnvironmentPlan): YamlMap {
  const image = model.ci.image;
  // Layer cache kept in the registry beside the image, so every runner starts warm.
  const cache = "type=registry,ref=${{ env.IMAGE_REPO }}:buildcache";
  return {
    name: "Build and push the image",
    needs: "ci",
    "runs-on": "ubuntu-latest",
    "timeout-minutes": 30,
    permissions: { contents: "read", ...registryPermissions(model, true) },
    steps: [
      checkout({ submodules: model.ci.submodules }),
      ...registrySteps(model, env),
      { name: "Set up Docker Buildx", uses: uses("docker/setup-buildx-action") },
      {
        name: "Build and push (tagged with the commit SHA)",
        uses: uses("docker/build-push-action"),
        with: {
          context: model.artifact.context,
          file: model.artifact.dockerfile,
          target: model.artifact.target ?? undefined,
          push: true,
          tags: "${{ env.IMAGE_REPO }}:${{ github.sha }}",
          "cache-from": cache,
          "cache-to": `${cache},mode=max,image-manifest=true,oci-mediatypes=true`,
        },
      },
      {
        name: `Scan the pushed image (fails on ${(image?.scanSeverity ?? ["CRITICAL", "HIGH"]).join(", ")})`,
        uses: uses("aquasecurity/trivy-action"),
        with: {
          "image-ref": "${{ env.IMAGE_REPO }}:${{ github.sha }}",
          severity: (image?.scanSeverity ?? ["CRITICAL", "HIGH"]).join(","),
          "ignore-unfixed": image?.ignoreUnfixed ?? true,
          "exit-code": "1",
        },
      },
    ],
  };
}

/** Fails before anything changes when the requested image was never pushed. */
export function imageExistsSteps(model: PipelineModel, env: EnvironmentPlan): YamlValue[] {
  if (model.artifact.registry === "ecr") {
    return [
      awsCredentials(env),
      {
        name: "Check the image exists in ECR (promote, never rebuild)",
        run: 'aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" > /dev/null',
        env: { REPOSITORY_NAME: model.artifact.repository },
      },
    ];
  }
  return [
    ...registrySteps(model, env),
    {
      name: "Check the image exists in GHCR (promote, never rebuild)",
      run: 'docker buildx imagetools inspect "$IMAGE_REPO:$IMAGE_TAG" > /dev/null',
    },
  ];
}

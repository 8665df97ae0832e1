import { describe, expect, test } from "vitest";
import { parseImage } from "../../../src/audit/rules/mutable-image-tag.js";
import { findingsOf } from "../harness.js";

const ID = "mutable-image-tag";

const run = (script: string) => `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
${script
  .split("\n")
  .map((l) => `          ${l}`)
  .join("\n")}
`;
/** A deploy job's header, its steps to follow. */
const DEPLOY_JOB = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n";
const images = (script: string) => findingsOf(ID, run(script)).map((f) => f.message.split(" ")[0]);

describe(ID, () => {
  test("image references: a registry port is not a tag", () => {
    expect(parseImage("localhost:5000/app")).toEqual({ repository: "localhost:5000/app", digest: undefined });
    expect(parseImage("ghcr.io/a/b:1.2@sha256:abc")).toEqual({
      repository: "ghcr.io/a/b",
      tag: "1.2",
      digest: "sha256:abc",
    });
  });

  test("options and their values are skipped to find the image", () => {
    expect(
      images("docker run --rm -it -e A=b --network host -p8080:80 --entrypoint sh alpine -c 'echo'"),
    ).toEqual(["alpine"]);
    expect(images("docker run -d --name=db -v data:/var/lib/postgresql/data postgres:16")).toEqual([]);
    expect(images("docker container run --platform linux/amd64 busybox:latest true")).toEqual([
      "busybox:latest",
    ]);
    expect(images("podman pull --quiet docker.io/library/nginx")).toEqual(["docker.io/library/nginx"]);
    expect(images("docker pull --all-tags nginx")).toEqual([]);
  });

  test("the same image pulled then run is one finding; images built or tagged in the job are not", () => {
    expect(images("docker pull node\ndocker run --rm node npm -v")).toEqual(["node"]);
    expect(images("docker tag node:22 tools\ndocker run --rm tools")).toEqual([]);
    expect(images("docker buildx build --load --tag=app:ci .\ndocker run app:ci\ndocker run app")).toEqual(
      [],
    );
  });

  test("deploy images with flags, and multi-line image inputs", () => {
    expect(images("gcloud run deploy web --image gcr.io/acme/web --region eu")).toEqual(["gcr.io/acme/web"]);
    expect(images("kubectl create deployment web --image=nginx:1.27")).toEqual([]);
    const k8s = `${DEPLOY_JOB}      - uses: azure/k8s-deploy@v5
        with:
          manifests: k8s/
          images: |
            acme.azurecr.io/web:\${{ github.sha }}
            acme.azurecr.io/worker:latest
`;
    expect(findingsOf(ID, k8s).map((f) => f.region.startLine)).toEqual([11]);
  });

  test("Azure's deploy commands name their image by option, in a script or the Azure CLI action's", () => {
    expect(
      images(
        "az webapp deployment slot create --slot s --name web --deployment-container-image-name acme.azurecr.io/web:latest",
      ),
    ).toEqual(["acme.azurecr.io/web:latest"]);
    expect(images("az containerapp update -n web --image=acme.azurecr.io/web:$SHA")).toEqual([]);
    const cli = `${DEPLOY_JOB}      - uses: azure/cli@v2
        with:
          inlineScript: |
            az functionapp deployment slot create \\
              --slot staging --name fn \\
              --deployment-container-image-name acme.azurecr.io/fn:latest
`;
    expect(findingsOf(ID, cli).map((f) => f.region.startLine)).toEqual([11]);
    // The same in a composite action, whose steps have no job of their own.
    const action = `name: slot\nruns:\n  using: composite\n  steps:\n${cli.split("    steps:\n")[1]!.replace(/^ {4}/gm, "")}`;
    expect(findingsOf(ID, action, "../actions/slot/action.yml").map((f) => f.region.startLine)).toEqual([10]);
  });
});

import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "image-tag-not-sha";

const job = (steps: string, env = "") => `on: push
${env}jobs:
  build:
    runs-on: ubuntu-latest
    steps:
${steps}`;

describe(ID, () => {
  test("env values are resolved: a name from env with a literal tag is fixed", () => {
    const text = job(
      `      - run: |
          docker build -t "$IMAGE" .
          docker push "$IMAGE"
`,
      "env:\n  IMAGE: ghcr.io/acme/app\n",
    );
    expect(findingsOf(ID, text).map((f) => f.message.split(" is pushed")[0])).toEqual(["ghcr.io/acme/app"]);
  });

  test("an env value that holds the SHA is traceable", () => {
    const text = job(
      `      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: \${{ env.TAGGED }}
`,
      "env:\n  TAGGED: ghcr.io/acme/app:${{ github.sha }}\n",
    );
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("outputs type=registry pushes; repositories are judged separately", () => {
    const text = job(`      - uses: docker/build-push-action@v6
        with:
          outputs: type=registry
          tags: ghcr.io/acme/a:latest
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/b:\${{ github.sha }}
`);
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([9]);
  });

  test("a variable the job sets itself is assumed traceable", () => {
    const text = job(`      - run: |
          TAG=$(git rev-parse --short HEAD)
          docker build -t ghcr.io/acme/app:$TAG -t ghcr.io/acme/app:latest .
          docker push ghcr.io/acme/app:latest
          docker push ghcr.io/acme/app:$TAG
`);
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("commas inside an expression do not split a tag; a tag that is one expression is not judged", () => {
    const text = job(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: |
            \${{ ((inputs.tag != '') && format('{0}/app:{1}', vars.USER, inputs.tag) || '') }}
            \${{ vars.USER }}/app:\${{ inputs.sha }}
`);
    expect(findingsOf(ID, text)).toEqual([]);
    expect(
      findingsOf(
        ID,
        text.replace(
          "inputs.sha }}",
          "inputs.sha }}\n            ghcr.io/acme/app:latest,ghcr.io/acme/web:latest",
        ),
      ),
    ).toHaveLength(2);
  });

  test("a composite action that builds and pushes is read too", () => {
    const action = `name: publish
runs:
  using: composite
  steps:
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/app:latest
`;
    expect(findingsOf(ID, action, "../actions/publish/action.yml").map((f) => f.region.startLine)).toEqual([
      8,
    ]);
  });
});

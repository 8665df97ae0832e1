import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "aws-static-credentials";

const step = (inputs: string) =>
  `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some-org/s3-sync@v1\n        with:\n${inputs
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n")}\n`;

describe("aws-static-credentials", () => {
  test("snake_case inputs of other actions count too, once per step", () => {
    const text = step("aws_access_key_id: ${{ secrets.KEY }}\naws_secret_access_key: ${{ secrets.SECRET }}");
    expect(findingsOf(ID, text)).toHaveLength(1);
  });

  test("a key kept in 1Password and loaded into the job's env is a long-lived key", () => {
    const loaded = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: 1password/load-secrets-action@v1
        with:
          export-env: true
        env:
          OP_SERVICE_ACCOUNT_TOKEN: \${{ secrets.OP_SERVICE_ACCOUNT_TOKEN }}
          AWS_ACCESS_KEY_ID: op://DevOps/ci/AWS_ACCESS_KEY_ID
          AWS_SECRET_ACCESS_KEY: op://DevOps/ci/AWS_SECRET_ACCESS_KEY
`;
    expect(findingsOf(ID, loaded).map((f) => f.region.startLine)).toEqual([11]);
  });

  test("literal keys are reported; placeholders and the documentation key are not", () => {
    expect(findingsOf(ID, step("aws-access-key-id: AKIA2E0A8F3B244C9986"))).toHaveLength(1);
    expect(findingsOf(ID, step("aws-access-key-id: AKIAIOSFODNN7EXAMPLE"))).toEqual([]);
    expect(findingsOf(ID, step("aws-access-key-id: minioadmin\naws-secret-access-key: minioadmin"))).toEqual(
      [],
    );
  });

  test("credentials from an earlier step or from env are temporary or reported where they are set", () => {
    expect(findingsOf(ID, step("aws-access-key-id: ${{ steps.sts.outputs.key }}"))).toEqual([]);
    expect(findingsOf(ID, step("aws-access-key-id: ${{ env.AWS_ACCESS_KEY_ID }}"))).toEqual([]);
  });

  test("keys of S3-compatible stores that are not AWS (R2, Spaces, B2, MinIO) are not AWS keys", () => {
    const env = (vars: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: aws s3 sync dist s3://site\n        env:\n${vars
        .split("\n")
        .map((l) => `          ${l}`)
        .join("\n")}\n`;
    expect(
      findingsOf(
        ID,
        env("AWS_ACCESS_KEY_ID: ${{ secrets.KEY }}\nAWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}"),
      ),
    ).toHaveLength(1);
    // By the secret's name, or by the endpoint the variables point the CLI at.
    expect(findingsOf(ID, env("AWS_ACCESS_KEY_ID: ${{ secrets.CLOUDFLARE_R2_ACCESS_KEY_ID }}"))).toEqual([]);
    expect(findingsOf(ID, env("AWS_ACCESS_KEY_ID: ${{ secrets.DO_SPACES_KEY }}"))).toEqual([]);
    expect(
      findingsOf(
        ID,
        env(
          "AWS_ACCESS_KEY_ID: ${{ secrets.KEY }}\nAWS_ENDPOINT_URL: https://${{ secrets.ACCOUNT }}.r2.cloudflarestorage.com",
        ),
      ),
    ).toEqual([]);
  });

  test("a key handed to a reusable workflow through secrets: is one finding per call", () => {
    const text = `on: push
jobs:
  runner:
    uses: acme/shared/.github/workflows/start-runner.yml@v1
    secrets:
      AWS_REGION: \${{ secrets.AWS_REGION }}
      AWS_RUNNER_USER_ACCESS_KEY: \${{ secrets.AWS_RUNNER_USER_ACCESS_KEY }}
      AWS_RUNNER_USER_SECRET_ID: \${{ secrets.AWS_RUNNER_USER_SECRET_ID }}
  other:
    uses: acme/shared/.github/workflows/notify.yml@v1
    secrets:
      AWS_ROLE_ARN: \${{ secrets.AWS_ROLE_ARN }}
`;
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([7]);
  });

  test("other actions' spellings, and a composite action that takes the key as an input", () => {
    expect(
      findingsOf(
        ID,
        step(
          "aws_access_key: ${{ secrets.AWS_ACCESS_KEY_ID }}\naws_secret_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
        ),
      ),
    ).toHaveLength(1);
    const action = `name: Deploy\ninputs:\n  aws_access_key_id: { required: true }\nruns:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        aws-access-key-id: \${{ inputs.aws_access_key_id }}\n        aws-region: eu-west-2\n`;
    const found = auditWorkflows({
      files: [{ path: ".github/actions/deploy/action.yml", text: action }],
    }).findings.filter((f) => f.ruleId === ID);
    expect(found.map((f) => f.region.startLine)).toEqual([9]);
    // In a workflow, an input is whatever its caller passes: not judged.
    expect(findingsOf(ID, step("aws-access-key-id: ${{ inputs.aws_access_key_id }}"))).toEqual([]);
  });
});

import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "secret-exposed";

const job = (steps: string, env = "") => `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest${env}
    steps:
${steps}`;
const found = (text: string) => findingsOf(ID, text).map((f) => [f.region.startLine, f.message.slice(0, 40)]);

describe(ID, () => {
  test("a job env reaches outsiders only through third-party actions or installs", () => {
    const env = "\n    env:\n      TOKEN: ${{ secrets.TOKEN }}";
    expect(found(job("      - uses: actions/checkout@v4\n      - run: make deploy\n", env))).toEqual([]);
    expect(found(job("      - run: npm ci\n", env))).toHaveLength(1);
    expect(found(job("      - uses: codecov/codecov-action@v5\n", env))).toHaveLength(1);
  });

  test("one finding per secret of an env block, at its line", () => {
    const text = `on: push
env:
  A_TOKEN: \${{ secrets.A }}
  B_PASSWORD: \${{ secrets.B }}
  AWS_ACCOUNT_ID: \${{ secrets.AWS_ACCOUNT_ID }}
jobs: {}
`;
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => [f.region.startLine, f.message.split(" ")[0]])).toEqual([
      [3, "A_TOKEN"],
      [4, "B_PASSWORD"],
    ]);
  });

  test("the job's own token in workflow env: reported once a job runs code from outside the repository", () => {
    const workflow = (steps: string) =>
      `on: push\nenv:\n  GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
    expect(
      findingsOf(ID, workflow("      - uses: actions/checkout@v4\n      - run: ./release.sh\n")),
    ).toEqual([]);
    expect(
      findingsOf(
        ID,
        workflow("      - uses: actions/checkout@v4\n      - run: npm ci && ./release.sh\n"),
      ).map((f) => f.region.startLine),
    ).toEqual([3]);
  });

  test("build arguments from the environment, bare or as a default expansion", () => {
    const steps = `      - env:
          KEY: \${{ secrets.TELEMETRY_KEY }}
        run: |
          docker build --build-arg TELEMETRY_KEY="\${KEY:-}" .
          docker build --build-arg KEY .
          docker build --build-arg VERSION="$GITHUB_SHA" .
`;
    expect(found(job(steps))).toHaveLength(2);
  });

  test("build-push-action's build-args: a credential, not a value meant for the client", () => {
    const build = (args: string) => `      - uses: docker/build-push-action@v6
        with:
          build-args: |
${args
  .split("\n")
  .map((a) => `            ${a}`)
  .join("\n")}
`;
    expect(
      found(job(build("NEXT_PUBLIC_SENTRY_DSN=${{ secrets.SENTRY_DSN }}\nVERSION=${{ github.sha }}"))),
    ).toEqual([]);
    expect(found(job(build("SENTRY_DSN=${{ secrets.SENTRY_DSN }}")))).toEqual([]);
    expect(found(job(build("NPM_TOKEN=${{ secrets.NPM_TOKEN }}")))).toEqual([
      [10, "secrets.NPM_TOKEN is passed as a Docker "],
    ]);
  });

  test("every secret at once: toJSON(secrets) exported through a filter, or handed to an action", () => {
    const steps = `      - env:
          SECRETS_CONTEXT: \${{ toJson(secrets) }}
        run: |
          to_envs() { jq -r 'to_entries[] | "\\(.key)=\\(.value)"'; }
          echo "\${SECRETS_CONTEXT}" | to_envs >> $GITHUB_ENV
      - uses: acme/secrets-to-env@v1
        with:
          secrets_context: \${{ toJSON(secrets) }}
`;
    expect(found(job(steps))).toEqual([
      [11, "$SECRETS_CONTEXT (set from every secret "],
      [14, "every secret (toJSON(secrets)) is handed"],
    ]);
  });

  test("a reusable workflow's input named for a credential, not one naming where it is", () => {
    const text = `on:
  workflow_call:
    inputs:
      aws_secret_access_key: { type: string, required: false }
      token_role: { type: string }
      api_token_secret_name: { type: string }
      use_app_token: { type: boolean }
permissions: {}
jobs:
  a: { runs-on: ubuntu-latest, steps: [{ run: "true" }] }
`;
    expect(found(text).map(([line]) => line)).toEqual([4]);
  });

  test("files under $RUNNER_TEMP, $HOME or absolute paths are not the workspace", () => {
    const steps = (target: string) => `      - env:
          KEY: \${{ secrets.KEY }}
        run: echo "$KEY" > ${target}
`;
    expect(found(job(steps('"$RUNNER_TEMP/key.json"')))).toEqual([]);
    expect(found(job(steps("~/.ssh/id_ed25519")))).toEqual([]);
    expect(found(job(steps("/tmp/key")))).toEqual([]);
    expect(found(job(steps("key.json")))).toHaveLength(1);
    expect(found(job(steps("${GITHUB_WORKSPACE}/key.json")))).toHaveLength(1);
  });
});

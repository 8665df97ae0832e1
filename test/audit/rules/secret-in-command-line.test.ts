import { describe, expect, test } from "vitest";
import { findingsOf, scriptWorkflow } from "../harness.js";

const ID = "secret-in-command-line";

const workflow = scriptWorkflow;
const found = (script: string, env = "") =>
  findingsOf(ID, workflow(script, env)).map((f) => f.message.split(" ")[0]);

describe(ID, () => {
  test("arguments of commands, also inside $( ) and after options with =", () => {
    expect(found('curl --header="X-Token: ${{ secrets.T }}" https://x')).toEqual(["secrets.T"]);
    expect(found('OUT=$(curl -u "me:${{ secrets.P }}" https://x)')).toEqual(["secrets.P"]);
    expect(found("if ! out=$(jq -n --arg k \"${{ secrets.K }}\" '{k:$k}'); then exit 1; fi")).toEqual([
      "secrets.K",
    ]);
  });

  test("a secret printed into a pipe is off the command line but still pasted into the script", () => {
    const [finding, ...rest] = findingsOf(
      ID,
      workflow('echo "${{ secrets.T }}" | docker login ghcr.io -u ci --password-stdin'),
    );
    expect(rest).toEqual([]);
    expect(finding?.message).toMatch(
      /^secrets\.T is expanded into the script \(echo \| docker\): the pipe keeps it off the command line/,
    );
    // Printed to the log or a file, it is secret-echoed's and secret-exposed's to report.
    expect(found('echo "${{ secrets.T }}" > token.txt')).toEqual([]);
  });

  test("builtins, assignments and here-strings are off the command line but still in the script", () => {
    const messages = (script: string) => findingsOf(ID, workflow(script)).map((f) => f.message);
    expect(messages('[[ -n "${{ secrets.T }}" ]] && export T="${{ secrets.T }}"')).toEqual([
      expect.stringMatching(
        /^secrets\.T is expanded into the script: \[\[ is a shell builtin, so it stays off/,
      ),
      expect.stringMatching(/^secrets\.T is expanded into the script: export is a shell builtin/),
    ]);
    expect(messages("T=${{ secrets.T }}")).toEqual([
      expect.stringMatching(/^secrets\.T is expanded into the script: GitHub writes the expanded script/),
    ]);
    expect(found('ssh-add - <<< "${{ secrets.DEPLOY_KEY }}"')).toEqual(["secrets.DEPLOY_KEY"]);
    expect(found("echo '${{ secrets.KUBECONFIG }}' > ~/.kube/config")).toEqual(["secrets.KUBECONFIG"]);
    // A credential-named input or output inline is its caller's text: script-injection's note.
    expect(found('[ "${{ inputs.password }}" = ok ]')).toEqual([]);
  });

  test("credentials handed over by other steps and actions, by their names", () => {
    expect(
      found(
        'git config --global url."https://${{ steps.bot.outputs.PULUMI_BOT_TOKEN }}@github.com/".insteadOf x',
      ),
    ).toEqual(["steps.bot.outputs.PULUMI_BOT_TOKEN"]);
    expect(found("deploy --at ${{ steps.app-token.outputs.token-expires-at }}")).toEqual([]);
    expect(found("deploy --role ${{ steps.vault.outputs.secret-arn }}")).toEqual([]);
  });

  test("${{ env.X }} of a secret variable is the secret; $X is not written into the script", () => {
    const env = "\n    env:\n      T: ${{ secrets.T }}";
    expect(found('curl -H "auth: ${{ env.T }}" https://x', env)).toEqual(["env.T"]);
    expect(found('curl -H "auth: $T" https://x', env)).toEqual([]);
  });

  test("identifier-named secrets are not credentials", () => {
    expect(found("gcloud config set project ${{ secrets.GCP_PROJECT_NAME }}")).toEqual([]);
    expect(found("aws s3 sync site s3://${{ secrets.DOCS_BUCKET }}/")).toEqual([]);
    expect(found('IMAGE="europe-docker.pkg.dev/x/${{ secrets.GAR_REPOSITORY }}/app"')).toEqual([]);
  });

  test("a secret variable in a git URL: on git's command line, and kept in .git/config by clone", () => {
    const env = "\n    env:\n      PAT: ${{ secrets.DOCS_PAT }}";
    const [finding, ...rest] = findingsOf(
      ID,
      workflow("git clone https://${PAT}@github.com/acme/docs.git docs", env),
    );
    expect(rest).toEqual([]);
    expect(finding?.message).toMatch(
      /^\$PAT \(secrets\.DOCS_PAT\) is written into a git URL: .* in \.git\/config/,
    );
    expect(found("git push https://x-access-token:$PAT@github.com/acme/docs.git HEAD", env)).toEqual([
      "$PAT",
    ]);
    // A variable that is not a secret, or a URL without a user part, is nothing to report.
    expect(found("git clone https://${HOST}/acme/docs.git", env)).toEqual([]);
    expect(found('git clone "https://github.com/acme/docs.git"', env)).toEqual([]);
  });

  test("secrets in the command line an action runs a tool with (cloud.gov's cf_command)", () => {
    const text = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: cloud-gov/cg-cli-tools@main
        env:
          SECRET_KEY: \${{ secrets.SECRET_KEY }}
        with:
          cf_space: prod
          cf_command: >-
            push -f manifest.yml
            --var SECRET_KEY="$SECRET_KEY"
            --var API_TOKEN=\${{ secrets.API_TOKEN }}
            --strategy rolling
`;
    const [finding, ...rest] = findingsOf(ID, text);
    expect(rest).toEqual([]);
    expect(finding?.region.startLine).toBe(13);
    expect(finding?.message).toMatch(
      /^secrets\.API_TOKEN, secrets\.SECRET_KEY are written into the command line cloud-gov\/cg-cli-tools runs/,
    );
  });
});

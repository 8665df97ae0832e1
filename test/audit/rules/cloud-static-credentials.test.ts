import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "cloud-static-credentials";

const step = (uses: string, inputs: string) =>
  `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n        with:\n${inputs
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n")}\n`;

describe("cloud-static-credentials", () => {
  test("older setup-gcloud's service_account_key and a key from vars count too", () => {
    expect(
      findingsOf(
        ID,
        step("google-github-actions/setup-gcloud@v0", "service_account_key: ${{ secrets.KEY }}"),
      ),
    ).toHaveLength(1);
    expect(
      findingsOf(ID, step("google-github-actions/auth@v2", "credentials_json: ${{ vars.KEY }}")),
    ).toHaveLength(1);
  });

  test("a key an earlier step produced is not stored: not reported", () => {
    expect(
      findingsOf(
        ID,
        step("google-github-actions/auth@v2", "credentials_json: ${{ steps.key.outputs.json }}"),
      ),
    ).toEqual([]);
  });

  test("`creds` is an Azure secret on Azure's actions only", () => {
    expect(findingsOf(ID, step("Azure/login@v2", "creds: ${{ secrets.AZURE_CREDENTIALS }}"))).toHaveLength(1);
    expect(findingsOf(ID, step("example/login@v1", "creds: ${{ secrets.REGISTRY_CREDS }}"))).toEqual([]);
  });

  test("in a composite action, a key input given the action's own input is the caller's secret", () => {
    const action = (creds: string) =>
      auditWorkflows({
        files: [
          {
            path: ".github/actions/deploy/action.yml",
            text: `name: deploy\ninputs:\n  credentials:\n    required: true\nruns:\n  using: composite\n  steps:\n    - uses: azure/login@v2\n      with:\n        creds: ${creds}\n`,
          },
        ],
      }).findings.filter((f) => f.ruleId === ID);
    expect(action("${{ inputs.credentials }}")).toHaveLength(1);
    expect(action("${{ steps.token.outputs.json }}")).toEqual([]);
  });

  test("the finding names the cloud and what to use instead", () => {
    const [finding] = findingsOf(ID, step("azure/login@v2", "creds: ${{ secrets.AZURE_CREDENTIALS }}"));
    expect(finding!.message).toMatch(/Azure service-principal secret \(creds\): use OIDC instead/);
  });

  test("a secret named for a key, given whole to any input, is one; a script that mentions it is not", () => {
    expect(
      findingsOf(ID, step("./.github/actions/build", "azure_creds: ${{ secrets.AZURE_CREDENTIALS }}")),
    ).toHaveLength(1);
    expect(
      findingsOf(
        ID,
        step(
          "appleboy/ssh-action@v1",
          'script: echo "GOOGLE_CREDENTIALS=${{ secrets.GOOGLE_CREDENTIALS }}" >> .env',
        ),
      ),
    ).toEqual([]);
  });

  test("AZURE_CLIENT_SECRET beside a redirect URI is an app's sign-in, not the workflow's login", () => {
    const env = (extra: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      AZURE_CLIENT_SECRET: \${{ secrets.AZURE_CLIENT_SECRET }}\n${extra}    steps:\n      - run: ./deploy.sh\n`;
    expect(findingsOf(ID, env(""))).toHaveLength(1);
    expect(findingsOf(ID, env("      AZURE_REDIRECT_URI: https://app.example.org/callback\n"))).toEqual([]);
  });

  test("an Azure publish profile is a long-lived credential on Azure's deploy actions only", () => {
    const step = (uses: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n        with:\n          app-name: web\n          publish-profile: \${{ secrets.AZURE_WEBAPP_PUBLISH_PROFILE }}\n`;
    expect(findingsOf(ID, step("azure/webapps-deploy@v3")).map((f) => f.region.startLine)).toEqual([9]);
    expect(findingsOf(ID, step("someone/ftp-deploy@v1"))).toEqual([]);
  });

  test("a key file's JSON in a variable named for it", () => {
    const text =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$GCLOUD_KEY_FILE_JSON" > key.json\n        env:\n          GCLOUD_KEY_FILE_JSON: ${{ secrets.GCLOUD_KEY_FILE_JSON }}\n';
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([8]);
  });
});

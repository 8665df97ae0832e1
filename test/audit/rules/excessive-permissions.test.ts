import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "excessive-permissions";

const jobs = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n`,
  ).join("");

describe("excessive-permissions", () => {
  test("write-all is reported at any level, whatever the trigger", () => {
    expect(findingsOf(ID, `on: push\npermissions: write-all\njobs:\n${jobs(1)}`)).toHaveLength(1);
  });

  test("workflow-level write scopes are fine for triggers outsiders cannot start", () => {
    // (The jobs push, so the scope is used; unused scopes are the last tests' concern.)
    const text = `on: push\npermissions:\n  contents: write\njobs:\n${jobs(2).replaceAll("run: make", "run: make && git push")}`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("workflow_run and issue_comment count as fork-influenced triggers", () => {
    for (const on of ["workflow_run:\n    workflows: [CI]\n    types: [completed]", "issue_comment:"]) {
      const text = `on:\n  ${on}\npermissions:\n  statuses: write\n  contents: read\njobs:\n${jobs(2)}`;
      expect(
        findingsOf(ID, text).map((f) => f.region.startLine),
        on,
      ).toHaveLength(1);
    }
  });

  test("with a single job, a workflow-level grant is as narrow as a job-level one", () => {
    const job =
      "  label:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr edit --add-label triage\n";
    const text = `on: pull_request_target\npermissions:\n  pull-requests: write\njobs:\n${job}`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("a write scope nothing can use is a warning; an unknown action or a program handed the token may use any", () => {
    const withStep = (step: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      deployments: write\n    steps:\n      - ${step}\n`;
    const [finding] = findingsOf(ID, withStep("run: make deploy"));
    expect(finding).toMatchObject({ severity: "warning" });
    expect(finding!.message).toMatch(/^deployments: write is granted but job "a" runs nothing that uses it/);
    expect(findingsOf(ID, withStep("uses: chrnorm/deployment-action@v2"))).toEqual([]);
    expect(findingsOf(ID, withStep("uses: example/anything@v1"))).toEqual([]);
    expect(findingsOf(ID, withStep("run: gh api -X POST repos/o/r/deployments -f ref=main"))).toEqual([]);
    // Reading deployments needs no write scope; neither does an action given another token.
    expect(findingsOf(ID, withStep("run: gh api repos/o/r/deployments"))).toHaveLength(1);
    expect(
      findingsOf(
        ID,
        withStep("uses: example/anything@v1\n        with:\n          token: ${{ secrets.BOT_PAT }}"),
      ),
    ).toHaveLength(1);
    // The token in the workflow's env reaches every script: ./report.sh may use it.
    const shared = withStep("run: ./report.sh").replace(
      "on: push\n",
      "on: push\nenv:\n  GH_TOKEN: ${{ github.token }}\n",
    );
    expect(findingsOf(ID, shared)).toEqual([]);
    // … but the CLI and shell built-ins are read for what they write.
    expect(findingsOf(ID, shared.replace("./report.sh", "gh pr comment 1 --body done"))).toHaveLength(1);
  });

  test("a workflow-wide grant only some of its jobs use is reported at the grant, naming them", () => {
    const text = (release: string) =>
      `on: push\npermissions:\n  contents: write\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - ${release}\n`;
    const [finding, ...rest] = findingsOf(ID, text("run: git tag v1 && git push origin v1"));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: "warning", region: expect.objectContaining({ startLine: 3 }) });
    expect(finding!.message).toMatch(
      /^contents: write is granted to every job, but only job "release" uses it: job "test" gets it/,
    );
    // A job that may use the token for anything may be the user: nothing is said.
    expect(findingsOf(ID, text("uses: example/anything@v1"))).toEqual([]);
  });

  test("scripts, github-script calls, installers and notifiers are read for the scopes they write", () => {
    const withSteps = (scope: string, ...steps: string[]) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      ${scope}: write\n    steps:\n${steps.map((s) => `      - ${s}\n`).join("")}`;
    const installers = [
      "uses: mamezou-tech/setup-helmfile@v2",
      "uses: sigstore/cosign-installer@v3",
      "uses: slackapi/slack-github-action@v2",
      "uses: actions/download-artifact@v4\n        with:\n          github-token: ${{ github.token }}\n          run-id: 1",
    ];
    expect(findingsOf(ID, withSteps("pull-requests", ...installers))).toHaveLength(1);
    expect(
      findingsOf(
        ID,
        withSteps("pull-requests", ...installers, "uses: marocchino/sticky-pull-request-comment@v2"),
      ),
    ).toEqual([]);
    const script = (code: string) =>
      `uses: actions/github-script@v7\n        with:\n          script: ${JSON.stringify(code)}`;
    expect(
      findingsOf(ID, withSteps("actions", script("await github.rest.issues.createComment({})"))),
    ).toHaveLength(1);
    expect(
      findingsOf(ID, withSteps("actions", script("await github.rest.actions.reRunWorkflow({})"))),
    ).toEqual([]);
    expect(findingsOf(ID, withSteps("actions", script("await github.graphql('mutation {}')")))).toEqual([]);
    // The token as a git credential reaches the repository's contents, nothing else.
    const credential =
      'run: git config --global url."https://x-access-token:${{ secrets.GITHUB_TOKEN }}@github.com/".insteadOf "https://github.com/"';
    expect(findingsOf(ID, withSteps("pull-requests", credential))).toHaveLength(1);
    expect(findingsOf(ID, withSteps("contents", credential))).toEqual([]);
    // Widely used actions that only read with the token, or take their own credentials.
    const readers = [
      "uses: step-security/harden-runner@v2",
      "uses: dorny/paths-filter@v3",
      "uses: codecov/codecov-action@v5",
      "uses: cypress-io/github-action@v6",
    ];
    expect(findingsOf(ID, withSteps("pull-requests", ...readers))).toHaveLength(1);
    // A retag on ghcr.io uses the job's token for packages.
    const retag = "uses: shrink/actions-docker-registry-tag@v5\n        with:\n          registry: ghcr.io";
    expect(findingsOf(ID, withSteps("packages", retag))).toEqual([]);
  });

  test("contents: write is used by pushes, tags and release actions, and is reported when nothing writes", () => {
    const withStep = (step: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - uses: actions/checkout@v4\n      - ${step}\n`;
    expect(findingsOf(ID, withStep("run: make deploy")).map((f) => f.message)).toEqual([
      expect.stringMatching(/^contents: write is granted but job "a" runs nothing that uses it/),
    ]);
    for (const step of [
      "run: git tag v1 && git push origin v1",
      "run: poetry run mike deploy --push 1.2 latest",
      "uses: softprops/action-gh-release@v2",
    ])
      expect(findingsOf(ID, withStep(step)), step).toEqual([]);
  });

  test("a call to a workflow of the repository uses what its jobs use and what they ask for", () => {
    const caller = (scope: string) =>
      `on: push\njobs:\n  docs:\n    permissions:\n      ${scope}: write\n    uses: ./.github/workflows/docs.yml\n`;
    const callee = (permissions: string, step: string) =>
      `on: workflow_call\njobs:\n  publish:\n    runs-on: ubuntu-latest\n${permissions}    steps:\n      - ${step}\n`;
    const findings = (scope: string, permissions: string, step: string) =>
      auditWorkflows({
        files: [
          { path: ".github/workflows/release.yml", text: caller(scope) },
          { path: ".github/workflows/docs.yml", text: callee(permissions, step) },
        ],
      }).findings.filter((f) => f.ruleId === ID && f.file.endsWith("release.yml"));
    expect(findings("deployments", "", "run: make docs")).toHaveLength(1);
    // The called job asks for it: GitHub refuses to start the call without the grant.
    expect(findings("pages", "    permissions:\n      pages: write\n", "run: make docs")).toEqual([]);
    expect(findings("deployments", "", "uses: example/anything@v1")).toEqual([]);
  });
});

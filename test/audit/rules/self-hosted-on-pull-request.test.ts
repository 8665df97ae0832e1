import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "self-hosted-on-pull-request";

const workflow = (on: string, runsOn: string) => `on: ${on}
jobs:
  build:
    runs-on: ${runsOn}
    steps:
      - run: make
`;

describe(ID, () => {
  test("pull_request_target, and the list form of on:", () => {
    expect(findingsOf(ID, workflow("pull_request_target", "self-hosted"))).toHaveLength(1);
    expect(findingsOf(ID, workflow("[push, pull_request]", "[self-hosted, x64]"))).toHaveLength(1);
  });

  test("an AWS CodeBuild-hosted runner is the owner's machine too", () => {
    const codebuild = "codebuild-orders-ci-${{ github.run_id }}-${{ github.run_attempt }}";
    expect(findingsOf(ID, workflow("pull_request", codebuild))).toHaveLength(1);
    expect(findingsOf(ID, workflow("push", codebuild))).toEqual([]);
    expect(findingsOf(ID, workflow("pull_request", "codebuild-docs"))).toEqual([]);
  });

  test("other triggers, hosted runners and reusable-workflow calls are not reported", () => {
    expect(findingsOf(ID, workflow("push", "self-hosted"))).toEqual([]);
    expect(findingsOf(ID, workflow("[workflow_dispatch, schedule]", "[self-hosted]"))).toEqual([]);
    expect(findingsOf(ID, workflow("pull_request", "ubuntu-latest"))).toEqual([]);
    expect(findingsOf(ID, workflow("pull_request", "my-self-hosted-pool"))).toEqual([]);
    const call = "on: pull_request\njobs:\n  ci:\n    uses: ./.github/workflows/ci.yml\n";
    expect(findingsOf(ID, call)).toEqual([]);
  });

  test("workflow_run: a fork's pull request starts it, unless the job (or one it needs) runs only after pushes", () => {
    const on = "\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\n    branches: [release-*]";
    expect(findingsOf(ID, workflow(on, "[self-hosted, deployment]"))).toHaveLength(1);
    const guarded = workflow(on, "[self-hosted, deployment]").replace(
      "    runs-on:",
      "    if: github.event.workflow_run.event == 'push'\n    runs-on:",
    );
    expect(findingsOf(ID, guarded)).toEqual([]);
    const after = `on:${on}
jobs:
  gate:
    if: github.event.workflow_run.event == 'push'
    runs-on: ubuntu-latest
    steps:
      - run: echo ok
  deploy:
    needs: gate
    runs-on: self-hosted
    steps:
      - run: make deploy
`;
    expect(findingsOf(ID, after)).toEqual([]);
  });

  test("the related location is the pull request trigger", () => {
    const [finding] = findingsOf(ID, workflow("pull_request", "self-hosted"));
    expect(finding!.region.startLine).toBe(4);
    expect(finding!.related[0]!.region.startLine).toBe(1);
  });
});

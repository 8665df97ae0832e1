import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "deploy-missing-concurrency";

const workflow = (on: string, top: string, job: string) => `on: ${on}
${top}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
  deploy:
    needs: test
    runs-on: ubuntu-latest
    environment: production
${job}
    steps:
      - run: ./deploy.sh
`;

describe(ID, () => {
  test("reported at the first deploy job for every deploying trigger", () => {
    for (const on of [
      "push",
      "workflow_dispatch",
      "release",
      "[schedule]",
      "workflow_run",
      "repository_dispatch",
    ]) {
      const findings = findingsOf(ID, workflow(on, "", ""));
      expect(
        findings.map((f) => f.region.startLine),
        on,
      ).toEqual([8]);
    }
  });

  test("pull-request previews and reusable workflows are left to their callers", () => {
    expect(findingsOf(ID, workflow("pull_request", "", ""))).toEqual([]);
    expect(findingsOf(ID, workflow("workflow_call", "", ""))).toEqual([]);
  });

  test("a group at either level is enough, in any form", () => {
    expect(findingsOf(ID, workflow("push", "concurrency: deploy-production", ""))).toEqual([]);
    expect(findingsOf(ID, workflow("push", "", "    concurrency: deploy-production"))).toEqual([]);
    expect(
      findingsOf(ID, workflow("push", "", "    concurrency:\n      group: deploy-${{ github.ref_name }}")),
    ).toEqual([]);
  });

  test("a group that changes with every run or commit is reported at the group", () => {
    const job = findingsOf(ID, workflow("push", "", "    concurrency: deploy-${{ github.sha }}"));
    expect(job.map((f) => f.region.startLine)).toEqual([12]);
    expect(job[0]!.message).toMatch(/changes with every run/);
    const top = findingsOf(ID, workflow("push", "concurrency:\n  group: ${{ github.run_id }}", ""));
    expect(top.map((f) => f.region.startLine)).toEqual([3]);
  });
});

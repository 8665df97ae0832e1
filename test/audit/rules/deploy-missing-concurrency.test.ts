import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
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

  test("pull-request previews are not reported; a reusable workflow is judged with its callers", () => {
    expect(findingsOf(ID, workflow("pull_request", "", ""))).toEqual([]);
    // Alone, with no caller in the repository, it takes the group itself (more below).
    expect(findingsOf(ID, workflow("workflow_call", "", "")).map((f) => f.region.startLine)).toEqual([8]);
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

  test("a reusable deploy workflow none of whose callers queues it: reported in it, at its deploy job", () => {
    const callee = (group = "") =>
      `on: workflow_call\n${group}jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: flyctl deploy --remote-only\n`;
    const caller = (group = "") =>
      `on: push\n${group}jobs:\n  ship:\n    uses: ./.github/workflows/deploy.yml\n`;
    const audit = (files: Record<string, string>) =>
      auditWorkflows({
        files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
      }).findings.filter((f) => f.ruleId === ID);
    const at = (files: Record<string, string>) => audit(files).map((f) => [f.file, f.region.startLine]);
    // The caller's job and the reusable workflow's deploy job: either place can take the group.
    expect(at({ "ci.yml": caller(), "deploy.yml": callee() })).toEqual([
      [".github/workflows/ci.yml", 3],
      [".github/workflows/deploy.yml", 3],
    ]);
    expect(at({ "ci.yml": caller("concurrency: deploy\n"), "deploy.yml": callee() })).toEqual([]);
    expect(at({ "ci.yml": caller(), "deploy.yml": callee("concurrency: deploy\n") })).toEqual([]);
    // No caller in the repository: a shared workflow whose callers are elsewhere takes the group.
    expect(at({ "deploy.yml": callee() })).toEqual([[".github/workflows/deploy.yml", 3]]);
    expect(audit({ "deploy.yml": callee() })[0]!.message).toContain(
      "no workflow of this repository calls it",
    );
    expect(at({ "deploy.yml": callee("concurrency: deploy\n") })).toEqual([]);
  });

  test("a reusable workflow called through another is queued by the top callers' groups", () => {
    const middle = "on: workflow_call\njobs:\n  run-deploy:\n    uses: ./.github/workflows/deploy.yml\n";
    const top = (group = "") =>
      `on: push\n${group}jobs:\n  run:\n    uses: ./.github/workflows/pipeline.yml\n`;
    const callee =
      "on: workflow_call\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: flyctl deploy --remote-only\n";
    const files = (group: string) =>
      Object.entries({ "production.yml": top(group), "pipeline.yml": middle, "deploy.yml": callee }).map(
        ([name, text]) => ({ path: `.github/workflows/${name}`, text }),
      );
    const found = (group: string) =>
      auditWorkflows({ files: files(group) })
        .findings.filter((f) => f.ruleId === ID)
        .map((f) => f.file);
    expect(found("concurrency: production\n")).toEqual([]);
    expect(found("")).toContain(".github/workflows/deploy.yml");
  });

  test("a tag's release published through another repository's release workflow is a note", () => {
    const release = (on: string, uses: string) =>
      `on:\n${on}\njobs:\n  release:\n    uses: org/workflows/.github/workflows/${uses}@v1\n    with:\n      environment: production\n`;
    const tags = "  push:\n    tags: ['v*']\n  workflow_dispatch:";
    expect(findingsOf(ID, release(tags, "controller-release.yaml")).map((f) => f.severity)).toEqual(["note"]);
    // A branch push, or a called workflow that says it deploys, stays an error.
    expect(
      findingsOf(ID, release("  push:\n    branches: [main]", "controller-release.yaml")).map(
        (f) => f.severity,
      ),
    ).toEqual(["error"]);
    expect(findingsOf(ID, release(tags, "deploy-release.yaml")).map((f) => f.severity)).toEqual(["error"]);
  });
});

import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "deploy-after-failure";

const followed = (jobs: string, types = "[completed]") => `on:
  workflow_run:
    workflows: [Test]
    branches: [release]
    types: ${types}
jobs:
${jobs}`;

const deploy = (condition = "") => `  deploy:
    runs-on: ubuntu-latest${condition ? `\n    if: ${condition}` : ""}
    steps:
      - run: kubectl set image deployment/web web=registry.example.org/web:\${{ github.sha }}
`;

describe(ID, () => {
  test("a workflow_run deploy that never checks the conclusion of the run it follows", () => {
    expect(findingsOf(ID, followed(deploy())).map((f) => f.region.startLine)).toEqual([7]);
    expect(findingsOf(ID, followed(deploy(), "[completed, requested]"))).toHaveLength(1);
  });

  test("checked in the job, a job it needs or a step; or only on request: not reported", () => {
    expect(findingsOf(ID, followed(deploy("github.event.workflow_run.conclusion == 'success'")))).toEqual([]);
    const gate = `  gate:
    runs-on: ubuntu-latest
    if: \${{ github.event.workflow_run.conclusion == 'success' }}
    steps:
      - run: echo ok
`;
    const after = deploy().replace("runs-on: ubuntu-latest", "needs: gate\n    runs-on: ubuntu-latest");
    expect(findingsOf(ID, followed(gate + after))).toEqual([]);
    expect(findingsOf(ID, followed(deploy(), "[requested]"))).toEqual([]);
    const notify = "  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo done\n";
    expect(findingsOf(ID, followed(notify))).toEqual([]);
    const artifacts = deploy().replace(
      "    steps:\n",
      "    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n",
    );
    expect(findingsOf(ID, followed(artifacts))).toEqual([]);
  });
});

import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";

const ID = "workflow-run-head-checkout";

const release = (ref: string) => `on:
  workflow_run:
    workflows: [Tests]
    types: [completed]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/webapp
        with:
          branch: ${ref}
`;

const action = `name: webapp
inputs:
  branch:
    required: true
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
      with:
        ref: \${{ inputs.branch }}
    - run: az webapp deploy --name web --src-path app.zip
      shell: bash
`;

const findings = (ref: string) =>
  auditWorkflows({
    files: [
      { path: ".github/workflows/release.yml", text: release(ref) },
      { path: ".github/actions/webapp/action.yml", text: action },
    ],
  }).findings.filter((f) => f.ruleId === ID && f.file.endsWith("release.yml"));

describe(ID, () => {
  test("a local action's checkout is read with the inputs the step passes", () => {
    const lines = findings("${{ github.event.workflow_run.head_branch }}").map((f) => f.region.startLine);
    // The action's checkout of the branch by name; the workflow's own checkout only brings the action.
    expect(lines).toEqual([11]);
    expect(findings("${{ github.event.workflow_run.head_sha }}")).toEqual([]);
  });

  test("a database migration run from the checked-out branch counts as shipping it", () => {
    const migrate = action.replace(
      "az webapp deploy --name web --src-path app.zip",
      "npm ci && npm run db:migrate",
    );
    const found = auditWorkflows({
      files: [
        {
          path: ".github/workflows/release.yml",
          text: release("${{ github.event.workflow_run.head_branch }}"),
        },
        { path: ".github/actions/webapp/action.yml", text: migrate },
      ],
    }).findings.filter((f) => f.ruleId === ID && f.file.endsWith("release.yml"));
    expect(found.map((f) => f.region.startLine)).toEqual([11]);
  });
});

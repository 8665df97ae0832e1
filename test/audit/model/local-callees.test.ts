import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";

/** A repository's own composite action that ships an image to ECS, then waits or checks. */
const ecsAction = (after: string) => `name: Roll the service
inputs:
  cluster: { required: true }
  service: { required: true }
runs:
  using: composite
  steps:
    - shell: bash
      run: aws ecs update-service --cluster \${{ inputs.cluster }} --service \${{ inputs.service }} --force-new-deployment
${after}`;
const WAIT = `    - shell: bash
      run: aws ecs wait services-stable --cluster \${{ inputs.cluster }} --services \${{ inputs.service }}
`;
const CHECK = `    - shell: bash
      run: curl --fail --retry 10 --retry-all-errors https://orders.example.com/health
`;

const WORKFLOW = `name: Release
on:
  push:
    branches: [main]
permissions:
  contents: read
concurrency: { group: release, cancel-in-progress: false }
jobs:
  release:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: ./.github/actions/roll-service
        with:
          cluster: orders-production
          service: orders
`;

const audit = (action: string, workflow = WORKFLOW) =>
  auditWorkflows({
    files: [
      { path: ".github/workflows/release.yml", text: workflow },
      { path: ".github/actions/roll-service/action.yml", text: action },
    ],
  }).findings.filter((f) => f.file === ".github/workflows/release.yml");

describe("steps that use the repository's composite actions are judged by what the action does", () => {
  test("a deploy inside the action makes the job a production deploy, whatever the folder is called", () => {
    const findings = audit(ecsAction(""));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual(
      expect.arrayContaining([
        ["production-without-environment", "error"],
        ["no-post-deploy-check", "warning"],
      ]),
    );
    // Without the action's file, the folder's name says nothing: no deploy is seen.
    const alone = auditWorkflows({ files: [{ path: ".github/workflows/release.yml", text: WORKFLOW }] });
    expect(alone.findings.map((f) => f.ruleId)).not.toContain("production-without-environment");
  });

  test("a stability wait inside the action is a wait; a health check inside it is a check", () => {
    const waits = audit(ecsAction(WAIT)).filter((f) => f.ruleId === "no-post-deploy-check");
    expect(waits.map((f) => f.severity)).toEqual(["note"]);
    expect(audit(ecsAction(`${WAIT}${CHECK}`)).map((f) => f.ruleId)).not.toContain("no-post-deploy-check");
  });

  test("an action that checks out what a pull_request_target workflow hands it", () => {
    const checkout = `name: Check out
inputs:
  ref: { required: true }
runs:
  using: composite
  steps:
    - uses: actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955
      with:
        ref: \${{ inputs.ref }}
        persist-credentials: false
`;
    const workflow = `on: pull_request_target
permissions: {}
jobs:
  label:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: ./.github/actions/roll-service
        with:
          ref: \${{ github.event.pull_request.head.sha }}
`;
    const found = audit(checkout, workflow).filter((f) => f.ruleId === "untrusted-checkout");
    expect(found).toHaveLength(1);
    expect(found[0]!.region.startLine).toBe(8);
    expect(found[0]!.message).toContain("the local action ./.github/actions/roll-service checks out");
    const base = workflow.replace("github.event.pull_request.head.sha", "github.event.pull_request.base.sha");
    expect(audit(checkout, base).map((f) => f.ruleId)).not.toContain("untrusted-checkout");
  });
});

describe("jobs that call the repository's reusable workflows are judged by what the workflow does", () => {
  const caller = `on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  k8s:
    uses: ./.github/workflows/apply-manifests.yml
`;
  const callee = (concurrency: string) => `on:
  workflow_call: {}
permissions:
  contents: read
${concurrency}jobs:
  apply:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: kubectl -n production apply -f k8s/
`;
  const concurrencyFindings = (files: Array<{ path: string; text: string }>) =>
    auditWorkflows({ files })
      .findings.filter((f) => f.ruleId === "deploy-missing-concurrency")
      .map((f) => [f.file, f.region.startLine]);
  const CALLER = ".github/workflows/main.yml";
  const CALLEE = ".github/workflows/apply-manifests.yml";

  test("a call to a workflow that deploys is a deploy: it needs a concurrency group", () => {
    expect(
      concurrencyFindings([
        { path: CALLER, text: caller },
        { path: CALLEE, text: callee("") },
      ]),
    ).toEqual([
      [CALLEE, 6],
      [CALLER, 7],
    ]);
    // Without the called file, the call's path says nothing: no deploy is seen.
    expect(concurrencyFindings([{ path: CALLER, text: caller }])).toEqual([]);
  });

  test("the called workflow's own group queues the deploy", () => {
    expect(
      concurrencyFindings([
        { path: CALLER, text: caller },
        { path: CALLEE, text: callee("concurrency: { group: production, cancel-in-progress: false }\n") },
      ]),
    ).toEqual([]);
  });
});

import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "deploy-without-ci";

const audit = (files: Record<string, string>) =>
  auditWorkflows({
    files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
  }).findings.filter((f) => f.ruleId === ID);

const deploy = (gate: string, on = "push") => `on: ${on}
jobs:
  gate:
    uses: ${gate}
  deploy:
    needs: gate
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: flyctl deploy
`;

const REUSABLE = (run: string) => `on: workflow_call
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: ${run}
`;

describe(ID, () => {
  test("a local reusable workflow is read: it gates only when it runs checks", () => {
    expect(
      audit({ "deploy.yml": deploy("./.github/workflows/build.yml"), "build.yml": REUSABLE("npm test") }),
    ).toEqual([]);
    const findings = audit({
      "deploy.yml": deploy("./.github/workflows/build.yml"),
      "build.yml": REUSABLE("npm run build"),
    });
    expect(findings.map((f) => f.region.startLine)).toEqual([5]);
  });

  test("a reusable workflow that cannot be read gates when its file name says CI", () => {
    expect(findingsOf(ID, deploy("org/shared/.github/workflows/ci.yml@v1"))).toEqual([]);
    expect(findingsOf(ID, deploy("./.github/workflows/test.yaml"))).toEqual([]);
    expect(findingsOf(ID, deploy("org/shared/.github/workflows/docker-build.yml@v1"))).toHaveLength(1);
  });

  test("workflows not triggered by push are not reported", () => {
    expect(findingsOf(ID, deploy("./.github/workflows/build.yml", "workflow_dispatch"))).toEqual([]);
    expect(findingsOf(ID, deploy("./.github/workflows/build.yml", "[push, workflow_dispatch]"))).toHaveLength(
      1,
    );
  });

  test("pull-request CI elsewhere turns the finding into a note that names it", () => {
    const pr =
      "on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
    const findings = audit({
      "deploy.yml": deploy("org/shared/.github/workflows/docker-build.yml@v1"),
      "pr.yml": pr,
    });
    expect(findings.map((f) => f.severity)).toEqual(["note"]);
    expect(findings[0]!.message).toContain(".github/workflows/pr.yml checks pull requests");
    // A pull-request workflow that only builds gates nothing.
    const build = pr.replace("npm test", "npm run build");
    expect(
      audit({
        "deploy.yml": deploy("org/shared/.github/workflows/docker-build.yml@v1"),
        "pr.yml": build,
      }).map((f) => f.severity),
    ).toEqual(["warning"]);
  });

  test("a plan of the change on pull requests, or a local action that runs tests, is CI too", () => {
    const severity = (pr: string) =>
      audit({ "deploy.yml": deploy("org/shared/.github/workflows/docker-build.yml@v1"), "pr.yml": pr }).map(
        (f) => f.severity,
      );
    const pr = (step: string) =>
      `on: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n${step}`;
    expect(severity(pr("      - run: terragrunt run-all plan\n"))).toEqual(["note"]);
    expect(severity(pr("      - run: helmfile -e production diff\n"))).toEqual(["note"]);
    expect(severity(pr("      - uses: ./.github/actions/run-tests\n"))).toEqual(["note"]);
  });

  test("CI that tests the same pushes beside the deploy is a note that names it", () => {
    const ci = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n";
    const findings = audit({
      "deploy.yml": deploy("org/shared/.github/workflows/docker-build.yml@v1"),
      "ci.yml": ci,
    });
    expect(findings.map((f) => f.severity)).toEqual(["note"]);
    expect(findings[0]!.message).toContain(".github/workflows/ci.yml, which tests the same pushes");
  });
});

import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "no-staging-environment";

const audit = (files: Record<string, string>) =>
  auditWorkflows({
    files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
  }).findings.filter((f) => f.ruleId === ID);

const deployTo = (environment: string, name = "Deploy") => `name: ${name}
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: ${environment}
    steps:
      - run: helm upgrade --install app ./chart --wait > /dev/null
`;

describe(ID, () => {
  test("a staging deploy in another workflow counts", () => {
    expect(audit({ "production.yml": deployTo("production"), "staging.yml": deployTo("staging") })).toEqual(
      [],
    );
    expect(audit({ "production.yml": deployTo("production"), "uat.yml": deployTo("UAT") })).toEqual([]);
  });

  test("the deploy model's stage names count: gamma, integration, review apps", () => {
    for (const pre of ["Gamma", "integration", "review-app", "dev-eu"])
      expect(audit({ "production.yml": deployTo("production"), "pre.yml": deployTo(pre) })).toEqual([]);
    expect(
      audit({ "production.yml": deployTo("production"), "docs.yml": deployTo("github-pages") }),
    ).toHaveLength(1);
  });

  test("a dispatch input with staging among its options counts", () => {
    const text = `on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.environment }}
    steps:
      - run: helm upgrade --install app ./chart
`;
    expect(audit({ "production.yml": deployTo("production"), "choose.yml": text })).toEqual([]);
  });

  test("reported once per repository, at the first production deploy", () => {
    const findings = audit({ "a.yml": deployTo("production"), "b.yml": deployTo("prod-eu") });
    expect(findings.map((f) => [f.file, f.region.startLine])).toEqual([[".github/workflows/a.yml", 4]]);
  });

  test("a matrix of environments including staging counts", () => {
    const text = `on: push
jobs:
  deploy:
    strategy:
      matrix:
        target: [staging, production]
      max-parallel: 1
    runs-on: ubuntu-latest
    environment: \${{ matrix.target }}
    steps:
      - run: helm upgrade --install app ./chart --wait
  deploy-production:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: helm upgrade --install app ./chart --wait
`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("without an environment, job names and commands say where a deploy goes; /dev/null is not dev", () => {
    const noEnv = (id: string, command: string) =>
      `name: Release\non: push\njobs:\n  ${id}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${command}\n`;
    const production = noEnv("deploy-production", "kubectl apply -n production -f k8s/ > /dev/null");
    expect(findingsOf(ID, production)).toHaveLength(1);
    expect(
      audit({ "p.yml": production, "s.yml": noEnv("deploy", "kubectl apply -n staging -f k8s/") }),
    ).toEqual([]);
  });

  test("one job that deploys two environments, or runs for two branches, deploys somewhere first", () => {
    const chosen = deployTo("${{ startsWith(github.ref, 'refs/tags/') && 'app-org' || 'app-net' }}").replace(
      "on: push",
      "on:\n  push:\n    branches: [main]\n    tags: ['v*']",
    );
    expect(audit({ "deploy.yml": chosen })).toEqual([]);
    const branches = `on: push
jobs:
  heroku:
    if: github.ref == 'refs/heads/develop' || github.ref == 'refs/heads/master'
    runs-on: ubuntu-latest
    steps:
      - uses: akhileshns/heroku-deploy@v3.13.15
`;
    expect(audit({ "ci.yml": branches })).toEqual([]);
    // Only the default branch: production, with nothing before it.
    expect(audit({ "ci.yml": branches.replace("github.ref == 'refs/heads/develop' || ", "") })).toHaveLength(
      1,
    );
  });

  test("no production deploy, nothing to report", () => {
    expect(findingsOf(ID, deployTo("staging"))).toEqual([]);
    expect(findingsOf(ID, deployTo("docs"))).toEqual([]);
  });
});

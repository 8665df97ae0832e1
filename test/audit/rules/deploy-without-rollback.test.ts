import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "deploy-without-rollback";

const audit = (files: Record<string, string>) =>
  auditWorkflows({
    files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
  }).findings.filter((f) => f.ruleId === ID);

const deploy = (steps: string, on = "push") => `name: Deploy
on: ${on}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
${steps}`;

const PLAIN = "      - run: helm upgrade --install app ./chart --wait\n";

describe(ID, () => {
  test("reported once per workflow, at its first deploy job", () => {
    const findings = audit({ "a.yml": deploy(PLAIN), "b.yml": deploy(PLAIN) });
    expect(findings.map((f) => [f.file, f.region.startLine])).toEqual([
      [".github/workflows/a.yml", 8],
      [".github/workflows/b.yml", 8],
    ]);
  });

  test("a rollback workflow anywhere in the repository is a way back", () => {
    const manual =
      "name: Manual rollback\non: workflow_dispatch\njobs:\n  go:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./scripts/restore.sh\n";
    expect(audit({ "deploy.yml": deploy(PLAIN), "manual.yml": manual })).toEqual([]);
    const byFile = manual.replace("Manual rollback", "Restore");
    expect(audit({ "deploy.yml": deploy(PLAIN), "roll-back.yml": byFile })).toEqual([]);
  });

  test("ways back inside the workflow", () => {
    for (const steps of [
      "      - run: helm upgrade --install app ./chart --atomic --timeout 10m\n",
      "      - run: kubectl apply -f k8s/\n      - if: failure()\n        run: kubectl rollout undo deployment/app\n",
      '      - run: aws ecs update-service --cluster c --service s --task-definition "$NEW"\n      - if: ${{ failure() }}\n        run: aws ecs update-service --cluster c --service s --task-definition "$PREVIOUS_TASK_DEF"\n',
      "      # The ECS deployment circuit breaker rolls back tasks that fail their health checks.\n      - run: aws ecs update-service --cluster c --service s --force-new-deployment\n",
      "      - run: npx shipgate deploy production\n      - run: npx shipgate rollback production\n        if: failure()\n",
    ]) {
      expect(findingsOf(ID, deploy(steps)), steps).toEqual([]);
    }
  });

  test("platforms that put the previous version back by themselves", () => {
    for (const steps of [
      "      - run: aws cloudformation deploy --stack-name app --template-file out.yml\n",
      "      - run: npx cdk deploy --all --require-approval never\n",
      "      - run: sam deploy --no-confirm-changeset\n",
      "      - run: kamal deploy\n",
      "      # stack.yml sets update_config.failure_action: rollback on every service\n      - run: docker stack deploy -c stack.yml app\n",
      "      - uses: aws-actions/aws-cloudformation-github-deploy@v1\n        with:\n          name: app\n          template: out.yml\n",
    ]) {
      expect(findingsOf(ID, deploy(steps)), steps).toEqual([]);
    }
    // Turned off, or only part of what the workflow deploys.
    expect(
      findingsOf(ID, deploy("      - run: aws cloudformation deploy --stack-name a --disable-rollback\n")),
    ).toHaveLength(1);
    expect(
      findingsOf(ID, deploy("      - run: sam deploy\n      - run: kubectl apply -f k8s/\n")),
    ).toHaveLength(1);
    expect(findingsOf(ID, deploy("      - run: docker stack deploy -c stack.yml app\n"))).toHaveLength(1);
  });

  test("staging deploys are not reported; infrastructure applies are a note", () => {
    expect(findingsOf(ID, deploy(PLAIN).replace("environment: production", "environment: staging"))).toEqual(
      [],
    );
    const apply = findingsOf(ID, deploy("      - run: terraform apply -auto-approve tfplan\n"));
    expect(apply.map((f) => f.severity)).toEqual(["note"]);
  });

  test("pull-request previews are not reported", () => {
    expect(findingsOf(ID, deploy(PLAIN, "pull_request"))).toEqual([]);
  });

  test("platforms that keep the previous release make the finding a note", () => {
    for (const steps of [
      PLAIN,
      "      - run: kubectl set image deployment/app app=$IMAGE\n",
      "      - run: flyctl deploy --remote-only\n",
      "      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n        with:\n          task-definition: td.json\n",
    ]) {
      const findings = audit({ "deploy.yml": deploy(steps) });
      expect(
        findings.map((f) => f.severity),
        steps,
      ).toEqual(["note"]);
      expect(findings[0]!.message).toContain("previous release can still be had");
    }
    // Static files: an older commit's run puts them back.
    expect(
      audit({ "deploy.yml": deploy("      - run: aws s3 sync ./site s3://www.example.com --delete\n") }).map(
        (f) => f.severity,
      ),
    ).toEqual(["note"]);
    // Releases cut from tags or GitHub releases: the previous release's run redeploys it.
    const ssh = "      - run: rsync -az dist/ deploy@web:/srv/app\n";
    expect(
      audit({ "deploy.yml": deploy(ssh, "\n  push:\n    tags: ['v*']") }).map((f) => f.severity),
    ).toEqual(["note"]);
    expect(
      audit({ "deploy.yml": deploy(ssh, "\n  release:\n    types: [published]") }).map((f) => f.severity),
    ).toEqual(["note"]);
    expect(
      audit({ "deploy.yml": deploy(ssh, "\n  push:\n    branches: [main]\n    tags: ['v*']") }).map(
        (f) => f.severity,
      ),
    ).toEqual(["warning"]);
    // One deploy that keeps nothing (a copy over SSH) keeps the warning.
    const mixed = audit({
      "deploy.yml": deploy(`${PLAIN}      - run: rsync -az dist/ deploy@web:/srv/app\n`),
    });
    expect(mixed.map((f) => f.severity)).toEqual(["warning"]);
  });

  test("a dispatch workflow that deploys a chosen version is the way back", () => {
    const redeploy = deploy(
      PLAIN,
      "\n  workflow_dispatch:\n    inputs:\n      version:\n        required: true",
    );
    expect(audit({ "deploy.yml": deploy(PLAIN), "redeploy.yml": redeploy })).toEqual([]);
    // An input that chooses nothing to deploy is not.
    const other = redeploy.replace("version:", "dry_run:");
    expect(audit({ "deploy.yml": deploy(PLAIN), "redeploy.yml": other })).toHaveLength(2);
  });

  test("a call to the repository's own deploy workflow is judged by what the callee deploys", () => {
    const caller =
      "name: Release\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: production\n";
    const callee = (steps: string) =>
      `on: workflow_call\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n${steps}`;
    const severities = (steps: string) =>
      audit({ "release.yml": caller, "deploy.yml": callee(steps) })
        .filter((f) => f.file.endsWith("release.yml"))
        .map((f) => f.severity);
    expect(
      severities(
        "      - uses: cloudflare/wrangler-action@v3\n        with:\n          command: pages deploy dist\n",
      ),
    ).toEqual(["note"]);
    expect(severities("      - run: rsync -az dist/ deploy@web:/srv/app\n")).toEqual(["warning"]);
  });

  test("a rollback workflow GitHub refuses to run is no way back", () => {
    const broken =
      "name: Rollback\non:\n  workflow_dispatch:\n    inputs:\n      region:\n        type: choice\n        options:\n          - [eu, us]\njobs:\n  go:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./scripts/restore.sh\n";
    const findings = audit({
      "deploy.yml": deploy("      - run: rsync -az dist/ deploy@web:/srv/app\n"),
      "rollback.yml": broken,
    });
    expect(findings.map((f) => [f.file, f.severity])).toEqual([[".github/workflows/deploy.yml", "warning"]]);
    expect(findings[0]!.message).toContain(".github/workflows/rollback.yml, which GitHub refuses to run");
    // Once it is valid, it is the way back again.
    expect(audit({ "deploy.yml": deploy(PLAIN), "rollback.yml": broken.replace("[eu, us]", "eu") })).toEqual(
      [],
    );
  });
});

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

  test("with no failing check and no moving tag, a deploy with no prepared way back is a note", () => {
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
    // A copy over SSH keeps nothing: going back is re-running an older commit's deploy by hand.
    const ssh = "      - run: rsync -az dist/ deploy@web:/srv/app\n";
    const copied = audit({ "deploy.yml": deploy(ssh, "\n  push:\n    branches: [main]") });
    expect(copied.map((f) => f.severity)).toEqual(["note"]);
    expect(copied[0]!.message).toContain("re-running an older commit's deploy by hand");
  });

  test("a check whose failure puts nothing back strands the release it checked", () => {
    const checked = `${PLAIN}      - name: Smoke test\n        run: curl -fsS https://app.example.com/health\n`;
    const findings = audit({ "deploy.yml": deploy(checked) });
    expect(findings.map((f) => [f.severity, f.region.startLine])).toEqual([["warning", 14]]);
    expect(findings[0]!.message).toContain("the failing release keeps serving");
    // A failure step that only tells people is not a way back; one that restores is.
    const announced = `${checked}      - if: failure()\n        run: ./scripts/announce-broken-build\n`;
    expect(audit({ "deploy.yml": deploy(announced) }).map((f) => f.severity)).toEqual(["warning"]);
    const restored = `${checked}      - if: failure()\n        run: helm rollback app\n`;
    expect(audit({ "deploy.yml": deploy(restored) })).toEqual([]);
    // A check in a job after the deploy counts, at that job.
    const later = `${deploy(PLAIN)}  smoke:\n    needs: deploy\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n`;
    expect(audit({ "deploy.yml": later }).map((f) => [f.severity, f.region.startLine])).toEqual([
      ["warning", 14],
    ]);
    // Printing the word is not a check.
    const printed = `${PLAIN}      - run: echo "Running e2e tests against the release"\n`;
    expect(audit({ "deploy.yml": deploy(printed) }).map((f) => f.severity)).toEqual(["note"]);
  });

  test("a check before the release takes traffic is a gate, not a stranded release", () => {
    // Deploy to a slot, check it, then swap.
    const slot =
      "      - run: az webapp deploy --name app --slot staging --src-path app.zip\n      - run: curl -f https://app-staging.azurewebsites.net/health\n      - run: az webapp deployment slot swap --name app --slot staging --target-slot production\n";
    expect(audit({ "deploy.yml": deploy(slot) }).map((f) => f.severity)).toEqual(["note"]);
    // A later job promotes the checked candidate.
    const candidate = `${deploy(`${PLAIN}      - run: curl -f https://candidate.example.com/health\n`)}  promote:\n    needs: deploy\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: gcloud app services set-traffic api --splits v2=1\n      - run: helm upgrade --install app ./chart\n`;
    expect(audit({ "deploy.yml": candidate }).filter((f) => f.severity === "warning")).toEqual([]);
  });

  test("a production deploy of a moving tag leaves no previous image to go back to", () => {
    const latest = "      - run: kubectl set image deployment/web web=registry.example.com/web:latest\n";
    const findings = audit({ "deploy.yml": deploy(latest) });
    expect(findings.map((f) => [f.severity, f.region.startLine])).toEqual([["warning", 13]]);
    expect(findings[0]!.message).toContain("moving tag");
    // Pushing :latest and restarting the service in place, or rendering it into the task definition.
    const restart =
      "      - run: docker push $REGISTRY/api:latest\n      - run: aws ecs update-service --cluster c --service api --force-new-deployment\n";
    expect(audit({ "deploy.yml": deploy(restart) }).map((f) => f.severity)).toEqual(["warning"]);
    const rendered =
      "      - run: docker push 1234.dkr.ecr.us-east-1.amazonaws.com/api:latest\n      - uses: aws-actions/amazon-ecs-render-task-definition@v1\n        with:\n          task-definition: td.json\n          image: 1234.dkr.ecr.us-east-1.amazonaws.com/api:latest\n      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n        with:\n          task-definition: td.json\n";
    expect(audit({ "deploy.yml": deploy(rendered) }).map((f) => f.severity)).toEqual(["warning"]);
    // A vendor's image by tag, in a job that pushes no :latest of its own, is not this case.
    expect(
      audit({ "deploy.yml": deploy(rendered.replace(/ {6}- run: docker push[^\n]*\n/, "")) }).map(
        (f) => f.severity,
      ),
    ).toEqual(["note"]);
    // Staging runs of the same are not reported.
    expect(audit({ "deploy.yml": deploy(latest).replace("production", "staging") })).toEqual([]);
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
    // The callee checks the release and restores nothing: the caller's production job strands it.
    const checked =
      "      - run: rsync -az dist/ deploy@web:/srv/app\n      - run: curl -f https://app.example.com/health\n";
    expect(severities(checked)).toEqual(["warning"]);
    expect(
      severities(`${checked}      - if: failure()\n        run: ./scripts/restore-previous.sh\n`),
    ).toEqual([]);
    // A call to a workflow the audit did not read is not judged.
    expect(audit({ "release.yml": caller })).toEqual([]);
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

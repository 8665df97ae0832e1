import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { findingsOf } from "../harness.js";

const ID = "production-rebuild";

const audit = (files: Record<string, string>) =>
  auditWorkflows({
    files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
  }).findings.filter((f) => f.ruleId === ID);

/** The requirements' pipeline: the staging branch builds and deploys; main builds again for production. */
const STAGING = `name: Deploy Staging
on:
  push:
    branches: [staging]
jobs:
  deploy-backend:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: registry.example.com/backend:\${{ github.sha }}
      - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
        with:
          task-definition: task-def.json
          service: backend-staging
`;

const PRODUCTION = (build: string) => `name: Deploy Production
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
${build}
  deploy-backend:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
        with:
          task-definition: task-def.json
          service: backend
`;

const REBUILD = `      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: registry.example.com/backend:\${{ github.sha }}`;

const PROMOTE = `      - run: crane copy registry.example.com/backend:\${{ github.sha }} registry.example.com/backend:production`;

describe(ID, () => {
  test("production on main rebuilding what the staging branch built is reported at its build", () => {
    const findings = audit({ "deploy-staging.yml": STAGING, "deploy-production.yml": PRODUCTION(REBUILD) });
    expect(findings.map((f) => [f.file, f.region.startLine])).toEqual([
      [".github/workflows/deploy-production.yml", 9],
    ]);
    expect(findings[0]!.message).toContain('for the production deploy "deploy-backend"');
  });

  test("promoting the staging image is not a rebuild", () => {
    expect(audit({ "deploy-staging.yml": STAGING, "deploy-production.yml": PRODUCTION(PROMOTE) })).toEqual(
      [],
    );
  });

  test("without any pre-production deploy, the one build production waits for is not a rebuild", () => {
    expect(audit({ "deploy-production.yml": PRODUCTION(REBUILD) })).toEqual([]);
  });

  test("a build inside the production deploy job is reported even without staging", () => {
    const text = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: |
          docker buildx build --push -t registry.example.com/app:\${{ github.sha }} .
          kubectl set image deployment/app app=registry.example.com/app:\${{ github.sha }}
`;
    expect(findingsOf(ID, text).map((f) => [f.region.startLine, f.region.startColumn])).toEqual([[8, 11]]);
  });

  test("a build that runs only when the registry lacks this commit's image is build-once", () => {
    const job = (steps: string) => `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
${steps}      - run: kubectl set image deployment/app app=r/app:\${{ github.sha }}
`;
    const inline =
      '      - run: docker manifest inspect "r/app:$GITHUB_SHA" >/dev/null || { docker build -t "r/app:$GITHUB_SHA" . && docker push "r/app:$GITHUB_SHA"; }\n';
    const gated = `      - id: lookup
        run: echo "exists=$(aws ecr describe-images --repository-name app --image-ids imageTag=$GITHUB_SHA >/dev/null 2>&1 && echo true || echo false)" >> "$GITHUB_OUTPUT"
      - if: steps.lookup.outputs.exists != 'true'
        run: docker build -t r/app:$GITHUB_SHA . && docker push r/app:$GITHUB_SHA
`;
    expect(findingsOf(ID, job(inline))).toEqual([]);
    expect(findingsOf(ID, job(gated))).toEqual([]);
    // A lookup that gates nothing does not make the build conditional.
    const ungated = gated.replace(
      "      - if: steps.lookup.outputs.exists != 'true'\n        run:",
      "      - run:",
    );
    expect(findingsOf(ID, job(ungated))).toHaveLength(1);
  });

  test("parallel services each built once for staging and production are not rebuilds", () => {
    const service = (name: string) => `
  build-${name}:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t r/${name}:\${{ github.sha }} ${name} && docker push r/${name}:\${{ github.sha }}
  staging-${name}:
    needs: build-${name}
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: kubectl -n staging set image deployment/${name} ${name}=r/${name}:\${{ github.sha }}
  production-${name}:
    needs: [build-${name}, staging-${name}]
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: kubectl -n production set image deployment/${name} ${name}=r/${name}:\${{ github.sha }}`;
    const text = `on: push\njobs:${service("web")}${service("api")}\n`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("production deployed with a command that has the platform build from source, while a pre-production stage exists", () => {
    const staging = `on: { push: { branches: [develop] } }
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: flyctl deploy --config fly.staging.toml
`;
    const production = (deploy: string) => `on: { push: { branches: [main] } }
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
${deploy}`;
    const fromSource = [
      "      - run: flyctl deploy --remote-only --config fly.production.toml\n",
      "      - run: gcloud app deploy app.yaml --quiet\n",
      "      - run: gcloud run deploy api --source . --region europe-west1\n",
      "      - run: git push https://heroku:$KEY@git.heroku.com/app.git HEAD:main\n",
      "      - run: railway up --service api\n",
      "      - uses: akhileshns/heroku-deploy@v3\n        with:\n          heroku_app_name: app\n",
      "      - uses: cloud-gov/cg-cli-tools@main\n        with:\n          cf_command: push -f manifest.yml --strategy rolling\n",
    ];
    for (const deploy of fromSource) {
      const found = audit({ "staging.yml": staging, "production.yml": production(deploy) });
      // At the command: the script line, or the action's `cf_command:` input.
      const line = deploy.includes("cf_command") ? 9 : 7;
      expect(
        found.map((f) => [f.file, f.region.startLine]),
        deploy,
      ).toEqual([[".github/workflows/production.yml", line]]);
      expect(found[0]!.message).toMatch(/has the platform build the release from source/);
    }
    // Deploying a built image is promotion; with no pre-production stage there is nothing to promote.
    for (const deploy of [
      "      - run: flyctl deploy --image registry.fly.io/app:${{ github.sha }}\n",
      '      - run: gcloud run deploy api --image "$IMAGE"\n',
      "      - run: cf push app --docker-image r/app:${{ github.sha }}\n",
    ])
      expect(audit({ "staging.yml": staging, "production.yml": production(deploy) }), deploy).toEqual([]);
    expect(audit({ "production.yml": production(fromSource[0]!) })).toEqual([]);
  });

  test("a reusable deploy workflow that builds in every run, called for production and an earlier stage", () => {
    const reusable = `on:
  workflow_call:
    inputs:
      env:
        type: string
jobs:
  build-deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.env }}
    steps:
      - uses: acme/actions/build-push-ecr@v2
      - uses: aws-actions/amazon-ecs-deploy-task-definition@v1
        with:
          task-definition: td.json
`;
    const caller = (stage: string, on: string) =>
      `on: ${on}\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy-base.yml\n    with:\n      env: ${stage}\n    environment: ${stage}\n`;
    const findings = audit({
      "deploy-base.yml": reusable,
      "deploy-dev.yml": caller("dev", "push"),
      "deploy-prod.yml": caller("prod", "release"),
    });
    expect(findings.map((f) => [f.file, f.region.startLine])).toEqual([
      [".github/workflows/deploy-base.yml", 11],
    ]);
    expect(findings[0]!.message).toContain("builds the image in every run of this reusable workflow");
    // Called for production only, or with the build behind an input, it is not reported.
    expect(audit({ "deploy-base.yml": reusable, "deploy-prod.yml": caller("prod", "release") })).toEqual([]);
    const gated = reusable.replace(
      "      - uses: acme/actions/build-push-ecr@v2",
      "      - if: inputs.build\n        uses: acme/actions/build-push-ecr@v2",
    );
    expect(
      audit({
        "deploy-base.yml": gated,
        "deploy-dev.yml": caller("dev", "push"),
        "deploy-prod.yml": caller("prod", "release"),
      }),
    ).toEqual([]);
  });

  test("pull-request previews are not an earlier stage of what main ships", () => {
    const preview = STAGING.replace("push:\n    branches: [staging]", "pull_request:").replace(
      "staging",
      "preview",
    );
    expect(audit({ "preview.yml": preview, "production.yml": PRODUCTION(REBUILD) })).toEqual([]);
  });
});

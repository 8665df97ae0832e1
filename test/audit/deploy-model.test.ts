import { describe, expect, test } from "vitest";
import { isDeployJob, stageOf, stepDeploys } from "../../src/audit/deploy-model.js";
import { SourceFile } from "../../src/audit/model/source.js";
import { readWorkflow } from "../../src/audit/model/workflow.js";

function workflow(text: string, path = ".github/workflows/w.yml") {
  return readWorkflow(new SourceFile(path, text))!;
}
const one = (text: string, path?: string) => {
  const w = workflow(text, path);
  return { w, j: w.jobs[0]! };
};

describe("what deploys", () => {
  test.each([
    ["helmfile -e production apply", true],
    ["helmfile --environment prod sync", true],
    ["git push https://heroku:$KEY@git.heroku.com/app.git HEAD:main", true],
    ["docker stack deploy -c stack.yml web", true],
    ["cf push notify-api --strategy rolling", true],
    ["cf7 push -f manifest.yml", true],
    ["npx sst deploy --stage prod", true],
    ["git push origin main", false],
    ["rsync -az ./dist/ deploy@$HOST:/srv/app/", true],
    ['rsync --archive "$GITHUB_WORKSPACE/output/" "deploy@$SERVER:/var/www/html"', true],
    ["datasette publish fly tils.db --app tils", true],
    ["quarto publish netlify --no-render", true],
    ["aws lambda update-function-code --function-name api --zip-file fileb://a.zip", true],
    ["aws s3 sync ./build s3://www.example.com --delete", true],
    ["aws --profile=deploy s3 sync --acl=public-read dist/ s3://releases/app", true],
    ["aws s3 --profile=deploy sync --acl public-read dist/ s3://releases/app", true],
    ["gcloud app deploy app.yaml", true],
    ["az containerapp update --name web --image $IMAGE", true],
    ["flyctl scale count 0", false],
    ["fly suspend --app web", false],
    ["fly apps destroy web-pr-12 --yes", false],
    ["terraform destroy -auto-approve", false],
    ["kubectl delete namespace preview-12", false],
    ["helm uninstall preview", false],
    ["aws s3 sync s3://bucket ./local", false],
    ["aws s3 cp --recursive ./build s3://www.example.com", true],
    ["aws s3 cp ./report.json s3://reports/ci/", false],
    ["aws s3 cp --recursive .terraform/modules/ s3://state/plan/modules/", false],
    ["terragrunt run --non-interactive -- apply -auto-approve", true],
    ["terragrunt run-all apply", true],
    ["terragrunt run-all destroy", false],
    ["terragrunt plan", false],
    ["yarn workspace backend deploy:prod", true],
    ["npm run deploy", true],
    ["pnpm deploy:staging", true],
    ["npm run deployment-notes", false],
    ["make deploy ENV=prod", true],
    ["./scripts/deploy_ecs_service.sh api", true],
    ["bash util/deploy-staging.sh", true],
    ["./scripts/build.sh", false],
    ["./bin/deploy prod", true],
    ["./deploy_to_production", true],
    ["./bin/predeploy-checks", false],
    ["npx @railway/cli up --service api", true],
    ["railway up --detach", true],
    ["bunx trigger.dev@4.1.2 deploy", true],
    ['ssh -o "StrictHostKeyChecking=no" "dokku@$HOST" git:from-image app "$IMAGE_DIGEST"', true],
    ["bash scripts/terraform-apply.sh core-vpc", true],
    ["bash scripts/terraform-plan.sh core-vpc", false],
    ["sam build -t deploy/template.yaml", false],
    ["sam deploy --no-fail-on-empty-changeset", true],
  ])("%s → %s", (script, deploys) => {
    const { j } = one(`on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: ${script}\n`);
    expect(stepDeploys(j.steps[0]!)).toBe(deploys);
  });

  test("containers started on a remote Docker daemon deploy to that machine", () => {
    const step = (env: string, run: string) =>
      one(`on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: ${run}${env}\n`).j.steps[0]!;
    const remote = '\n        env:\n          DOCKER_HOST: "ssh://deploy@example.com"';
    expect(stepDeploys(step(remote, "docker compose --file compose.yaml up --detach"))).toBe(true);
    expect(stepDeploys(step("", "docker -H ssh://deploy@example.com compose up -d"))).toBe(true);
    expect(stepDeploys(step("", "docker compose up -d && npm test"))).toBe(false);
    expect(stepDeploys(step(remote, "docker compose pull"))).toBe(false);
  });

  test("a command continued over lines is read whole", () => {
    const { j } = one(`on: push
jobs:
  j:
    runs-on: x
    steps:
      - run: |
          rsync --archive --delete \\
                "$GITHUB_WORKSPACE/out/" "deploy@$SERVER:/var/www/site"
`);
    expect(stepDeploys(j.steps[0]!)).toBe(true);
  });

  test("an action given the service it redeploys deploys, whoever wrote it", () => {
    const { j } = one(`on: merge_group
jobs:
  j:
    runs-on: x
    steps:
      - uses: example-org/infra/actions/upload-docker-image@v2
        with:
          image: bot
          redeploy_ecs_service: bot
      - uses: example-org/infra/actions/upload-docker-image@v2
        with:
          image: bot
      - uses: example-org/ecs-rollout@v1
        with:
          ecs-service: api
`);
    expect(j.steps.map(stepDeploys)).toEqual([true, false, true]);
  });

  test("deploy actions deploy; their setup sub-actions do not", () => {
    const { j } = one(`on: push
jobs:
  j:
    runs-on: x
    steps:
      - uses: superfly/flyctl-actions/setup-flyctl@v1
      - uses: akhileshns/heroku-deploy@v3.13.15
      - uses: superfly/flyctl-actions@1.5
        with: { args: "deploy --remote-only" }
      - uses: superfly/flyctl-actions@1.5
        with: { args: "status" }
`);
    expect(j.steps.map(stepDeploys)).toEqual([false, true, true, false]);
  });

  test("a deploying sub-action deploys; its siblings do not", () => {
    const { j } = one(`on: push
jobs:
  j:
    runs-on: x
    steps:
      - uses: quarto-dev/quarto-actions/setup@v2
      - uses: quarto-dev/quarto-actions/render@v2
      - uses: quarto-dev/quarto-actions/publish@v2
        with: { target: netlify }
      - uses: nwtgck/actions-netlify@v4
`);
    expect(j.steps.map(stepDeploys)).toEqual([false, false, true, true]);
  });

  test("a reusable workflow call deploys by its path or the environment it passes", () => {
    const w = workflow(`on: push
jobs:
  a: { uses: ./.github/workflows/deploy.yml, secrets: inherit }
  b: { uses: ./.github/workflows/ship.yml, with: { environment: production } }
  c: { uses: ./.github/workflows/lint.yml }
  d: { uses: ./.github/workflows/just.yml, with: { environment: test, command: test backend } }
  e: { uses: ./.github/workflows/image_build.yml, with: { environment: "\${{ github.ref_name }}" } }
  f: { uses: ./.github/workflows/api-tests-image.yml, with: { environment: dev01 } }
  g: { uses: ./.github/workflows/run.yml, with: { environment: "\${{ inputs.env }}" } }
`);
    // A test environment, or a workflow named for building or testing, takes it for its secrets.
    expect(w.jobs.map(isDeployJob)).toEqual([true, true, false, false, false, false, true]);
  });

  test("a migration is a deploy when the job names production, not before the tests", () => {
    const w = workflow(`on: workflow_dispatch
jobs:
  migrate-production:
    runs-on: x
    steps:
      - run: bundle exec kamal app exec --reuse "bin/rails db:migrate"
  database-job:
    runs-on: x
    steps:
      - uses: ./.github/actions/setup-cluster-access
        with: { environment: production }
      - uses: ./.github/actions/db-migration
  test:
    runs-on: x
    steps:
      - run: python manage.py migrate && pytest
  staging-migrate:
    runs-on: x
    steps:
      - run: npx prisma migrate deploy
`);
    expect(w.jobs.map((j) => isDeployJob(j))).toEqual([true, true, false, false]);
    expect(stageOf(w.jobs[0]!, w).stage).toBe("production");
  });

  test("a folder under .github/workflows used by a step is a local action, named for a deploy", () => {
    const { j } = one(`on: push
jobs:
  j:
    runs-on: x
    steps:
      - uses: ./.github/workflows/request-ecs-service-to-use-new-image
      - uses: ./.github/actions/update-lambda
      - uses: ./.github/actions/setup-deploy-tools
`);
    expect(j.steps[0]!.uses?.kind).toBe("local");
    expect(j.steps.map(stepDeploys)).toEqual([true, true, false]);
  });
});

describe("which stage a deploy is for", () => {
  test("an environment expression takes the values its input or matrix can have", () => {
    const { w, j } = one(`on:
  workflow_dispatch:
    inputs:
      target: { type: choice, options: [staging, production] }
jobs:
  ship:
    runs-on: x
    environment: \${{ inputs.target }}
    steps: [{ run: kubectl apply -f k8s/ }]
`);
    expect(stageOf(j, w).stage).toBe("production");
  });

  test("an environment a set-up job picks: the values its step writes to the output", () => {
    const w = workflow(`on: push
jobs:
  setup:
    runs-on: x
    outputs:
      environment: \${{ steps.pick.outputs.environment }}
    steps:
      - id: pick
        run: |
          if [[ "$BRANCH" =~ -rc$ ]]; then
            echo "environment=prod" >> "$GITHUB_OUTPUT"
          else
            echo "environment=staging" >> $GITHUB_OUTPUT
          fi
  ship:
    needs: setup
    runs-on: x
    environment: \${{ needs.setup.outputs.environment }}
    steps: [{ run: kubectl apply -f k8s/ }]
`);
    expect(stageOf(w.jobs[1]!, w)).toEqual({ stage: "production", reason: "environment prod | staging" });
  });

  test("a GitOps release (an image tag rewritten in a manifest and pushed) is a deploy", () => {
    const job = (steps: string) => one(`on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${steps}`).j;
    const edit = "      - run: yq -i '.spec.values.web.containerImage.tag = strenv(TAG)' envs/prod.yaml\n";
    const push = '      - run: git commit -am "deploy $TAG" && git push\n';
    expect(isDeployJob(job(edit + push))).toBe(true);
    expect(
      isDeployJob(job("      - run: cd overlays/prod && kustomize edit set image app=$IMAGE\n" + push)),
    ).toBe(true);
    // An edit never pushed, or a push of anything else, is not one.
    expect(isDeployJob(job(edit))).toBe(false);
    expect(isDeployJob(job("      - run: npm version patch\n" + push))).toBe(false);
  });

  test("an environment named for a tool's secrets is a deploy only when its steps deploy", () => {
    const job = (env: string, run: string) =>
      one(`on: push\njobs:\n  a:\n    runs-on: x\n    environment: ${env}\n    steps: [{ run: ${run} }]\n`).j;
    for (const env of ["image-publishing", "pytest-upload-django-db-queries", "build", "Docs"]) {
      expect(isDeployJob(job(env, "make upload")), env).toBe(false);
      expect(isDeployJob(job(env, "kubectl apply -f k8s/")), env).toBe(true);
    }
    // Stage words and app or platform names still make the environment a deploy on its own.
    for (const env of ["build-staging", "heroku", "orders-api", "prod-docs"])
      expect(isDeployJob(job(env, "make upload")), env).toBe(true);
  });

  test("pre-production names include test and gamma stages", () => {
    for (const env of ["test", "gamma", "uat", "preview-42"]) {
      const { w, j } = one(
        `on: push\njobs:\n  ship:\n    runs-on: x\n    environment: ${env}\n    steps: [{ run: kubectl apply -f k8s/ }]\n`,
      );
      expect(stageOf(j, w).stage, env).toBe("pre-production");
    }
  });

  test("a deploy of pushes to main, of releases or of tags, naming no stage, is production", () => {
    const main = one(
      `on: { push: { branches: [main] } }\njobs:\n  deploy:\n    runs-on: x\n    steps: [{ run: flyctl deploy --remote-only }]\n`,
    );
    expect(stageOf(main.j, main.w)).toMatchObject({ stage: "production" });
    const release = one(
      `on: { release: { types: [published] } }\njobs:\n  ship:\n    runs-on: x\n    steps: [{ run: kubectl apply -f k8s/ }]\n`,
    );
    expect(stageOf(release.j, release.w).stage).toBe("production");
    const anyPush = one(
      `on: push\njobs:\n  ship:\n    runs-on: x\n    steps: [{ run: kubectl apply -f k8s/ }]\n`,
    );
    expect(stageOf(anyPush.j, anyPush.w).stage).toBe("unknown");
  });

  test("the .dev top-level domain of a host or a tool names no stage", () => {
    const text = (script: string) =>
      `name: Production\non: workflow_dispatch\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: ${script}\n`;
    const tool = one(text("bunx trigger.dev@4.1.2 deploy"));
    expect(stageOf(tool.j, tool.w).stage).toBe("production");
    const host = one(text("flyctl deploy --app web && curl https://web.fly.dev/health"));
    expect(stageOf(host.j, host.w).stage).toBe("production");
    const stage = one(text("flyctl deploy --app web-dev"));
    expect(stageOf(stage.j, stage.w).stage).toBe("pre-production");
  });

  test("deploy arguments and the file name name the stage too", () => {
    const args = one(
      `on: workflow_dispatch\njobs:\n  ship:\n    runs-on: x\n    steps: [{ run: aws ecs update-service --cluster prod-cluster --service api }]\n`,
    );
    expect(stageOf(args.j, args.w).stage).toBe("production");
    const file = one(
      `on: workflow_dispatch\njobs:\n  ship:\n    runs-on: x\n    steps: [{ run: kubectl apply -f k8s/ }]\n`,
      ".github/workflows/deploy-staging.yml",
    );
    expect(stageOf(file.j, file.w).stage).toBe("pre-production");
  });
});

describe("actions that run a tool with arguments", () => {
  test("helmfile-action deploys when its arguments apply or sync", () => {
    const step = (args: string) =>
      one(`on: push
jobs:
  j:
    runs-on: x
    steps:
      - uses: helmfile/helmfile-action@v2
        with:
          helmfile-args: ${args}
`).j.steps[0]!;
    expect(stepDeploys(step("apply -l environment=prod"))).toBe(true);
    expect(stepDeploys(step("sync"))).toBe(true);
    expect(stepDeploys(step("diff"))).toBe(false);
  });
});

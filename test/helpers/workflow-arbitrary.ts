import fc from "fast-check";
import {
  type Chomp,
  type DocumentStyle,
  emitDocument,
  type ScalarStyle,
  type YEntry,
  type YMap,
  type YNode,
  type YScalar,
  type YSeq,
} from "./yaml-model.js";

/**
 * A seeded generator of GitHub Actions files in the shapes real repositories write: every
 * trigger form, matrices, services, reusable workflows and their callers, composite actions,
 * deploy jobs for the usual clouds, long `run:` scripts with heredocs and quoting; written with
 * comments, anchors, odd indentation, every scalar style and CRLF line breaks; and damaged
 * copies of them. The tests that once read a third-party corpus read these instead.
 */

export interface GeneratedFile {
  path: string;
  text: string;
  /** The tree the text was written from; absent for damaged copies. */
  model?: YNode;
}

// ---- scalars ------------------------------------------------------------------------------

const styleArb: fc.Arbitrary<ScalarStyle> = fc.constantFrom("plain", "plain", "plain", "single", "double");
/** `arbitrary`'s value with probability `p`, else undefined. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  const weight = Math.round(p * 100);
  return fc.oneof({ weight: 100 - weight, arbitrary: fc.constant(undefined) }, { weight, arbitrary });
}

const commentArb = sometimes(
  fc.constantFrom(
    "pinned",
    "keep in sync with the Dockerfile",
    "TODO: drop after the migration",
    "see docs/deploy.md",
    "é ✓ 🚀",
    "key: value # not a key",
  ),
  0.12,
);

function str(values: fc.Arbitrary<string>): fc.Arbitrary<YScalar> {
  return fc
    .record({ value: values, style: styleArb, comment: commentArb })
    .map(({ value, style, comment }) => ({ kind: "scalar", value, style, comment }));
}
const lit = (value: string | number | boolean | null): YScalar => ({ kind: "scalar", value, style: "plain" });
/** `true`, `false` and numbers as people write them: typed, or quoted as strings. */
const typedOrStr = (value: string): fc.Arbitrary<YScalar> =>
  /^(true|false|\d+)$/.test(value)
    ? fc.oneof(
        fc.constant(lit(value === "true" ? true : value === "false" ? false : Number(value))),
        str(fc.constant(value)),
      )
    : str(fc.constant(value));

/** A mapping from generated entries; keys are unique (the parsers reject duplicates differently). */
function mapOf(entries: fc.Arbitrary<Array<[string, YNode] | undefined>>): fc.Arbitrary<YMap> {
  return fc
    .record({
      entries,
      // Quoted keys are rare in real files (`'on':` is the usual one).
      keyStyles: fc.array(
        fc.oneof(
          { weight: 38, arbitrary: fc.constant<YEntry["keyStyle"]>("plain") },
          { weight: 1, arbitrary: fc.constantFrom<YEntry["keyStyle"]>("single", "double") },
        ),
        { minLength: 12, maxLength: 12 },
      ),
      comments: fc.array(commentArb, { minLength: 12, maxLength: 12 }),
      indent: fc.constantFrom(2, 2, 2, 4, 3, 1),
    })
    .map(({ entries, keyStyles, comments, indent }) => {
      const seen = new Set<string>();
      const out: YEntry[] = [];
      entries.forEach((e, i) => {
        if (!e || seen.has(e[0])) return;
        seen.add(e[0]);
        out.push({ key: e[0], keyStyle: keyStyles[i % 12]!, value: e[1], comment: comments[i % 12] });
      });
      return { kind: "map", entries: out, indent };
    });
}

function seqOf(items: fc.Arbitrary<YNode[]>): fc.Arbitrary<YSeq> {
  return fc
    .record({ items, flow: fc.boolean(), compact: fc.boolean(), indent: fc.constantFrom(2, 2, 4, 3) })
    .map(({ items, flow, compact, indent }) => ({
      kind: "seq",
      items,
      // Flow sequences only of one-line scalars, as people write them.
      flow: flow && items.every((i) => i.kind === "scalar" && !/\n/.test(String(i.value))),
      compact,
      indent,
    }));
}

const entry = (key: string, value: fc.Arbitrary<YNode>): fc.Arbitrary<[string, YNode]> =>
  value.map((v) => [key, v] as [string, YNode]);
/** An optional entry, present with probability `p`. */
const maybe = (key: string, value: fc.Arbitrary<YNode>, p = 0.5): fc.Arbitrary<[string, YNode] | undefined> =>
  sometimes(entry(key, value), p);

// ---- vocabulary ---------------------------------------------------------------------------

const branches = fc.constantFrom("main", "master", "develop", "release/*", "staging", "v*", "feature/**");
const paths = fc.constantFrom(
  "docs/**",
  "*.md",
  "src/**",
  ".github/ISSUE_TEMPLATE/**",
  "!src/generated/**",
  "**/*.ts",
);
const expressions = [
  "${{ github.sha }}",
  "${{ github.ref_name }}",
  "${{ github.event.pull_request.title }}",
  "${{ github.event.pull_request.head.ref }}",
  "${{ github.head_ref }}",
  "${{ github.event.issue.body }}",
  "${{ inputs.environment }}",
  "${{ inputs.image_tag }}",
  "${{ secrets.AWS_ACCESS_KEY_ID }}",
  "${{ secrets.DEPLOY_TOKEN }}",
  "${{ secrets.SLACK_WEBHOOK_URL }}",
  "${{ env.IMAGE }}:${{ github.sha }}",
  "${{ steps.meta.outputs.tags }}",
  "${{ needs.build.outputs.image }}",
  "${{ matrix.node }}",
  "${{ vars.AWS_REGION }}",
  "${{ fromJSON(needs.plan.outputs.matrix) }}",
  "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}",
];
const expression = fc.constantFrom(...expressions);

const actions = [
  "actions/checkout@v4",
  "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
  "actions/checkout@main",
  "actions/setup-node@v4",
  "actions/setup-python@v5",
  "actions/setup-go@v5",
  "actions/setup-java@v4",
  "actions/cache@v4",
  "actions/upload-artifact@v4",
  "actions/download-artifact@v4",
  "aws-actions/configure-aws-credentials@v4",
  "aws-actions/amazon-ecr-login@v2",
  "aws-actions/amazon-ecs-render-task-definition@v1",
  "aws-actions/amazon-ecs-deploy-task-definition@v1",
  "docker/setup-buildx-action@v3",
  "docker/login-action@v3",
  "docker/build-push-action@v5",
  "docker/metadata-action@v5",
  "azure/login@v2",
  "azure/k8s-deploy@v5",
  "google-github-actions/auth@v2",
  "google-github-actions/deploy-cloudrun@v2",
  "superfly/flyctl-actions/setup-flyctl@master",
  "akhileshns/heroku-deploy@v3.13.15",
  "appleboy/ssh-action@v1.0.3",
  "hashicorp/setup-terraform@v3",
  "aquasecurity/trivy-action@master",
  "github/codeql-action/upload-sarif@v3",
  "slackapi/slack-github-action@v1",
  "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.0.0",
  "docker://alpine:3.19",
  "./.github/actions/setup",
  "./",
];
const withKeys: Record<string, string[]> = {
  "node-version": ["20", "22", "${{ matrix.node }}", "lts/*"],
  cache: ["npm", "pnpm", "pip", "yarn"],
  "role-to-assume": ["arn:aws:iam::123456789012:role/deploy", "${{ secrets.AWS_ROLE_ARN }}"],
  "aws-access-key-id": ["${{ secrets.AWS_ACCESS_KEY_ID }}", "AKIAIOSFODNN7EXAMPLE"],
  "aws-secret-access-key": ["${{ secrets.AWS_SECRET_ACCESS_KEY }}"],
  "aws-region": ["us-east-1", "${{ env.AWS_REGION }}", "${{ vars.AWS_REGION }}"],
  "persist-credentials": ["false", "true"],
  "fetch-depth": ["0", "1"],
  ref: ["${{ github.event.pull_request.head.sha }}", "${{ github.head_ref }}", "main"],
  push: ["true", "${{ github.event_name != 'pull_request' }}"],
  tags: ["${{ env.IMAGE }}:${{ github.sha }}", "ghcr.io/acme/app:latest", "${{ steps.meta.outputs.tags }}"],
  "cache-from": ["type=gha", "type=registry,ref=acme/app:cache"],
  "cache-to": ["type=gha,mode=max"],
  "exit-code": ["1", "0"],
  severity: ["CRITICAL,HIGH", "HIGH,CRITICAL"],
  "wait-for-service-stability": ["true", "false"],
  "task-definition": ["task-def.json", "${{ steps.task-def.outputs.task-definition }}"],
  service: ["app-service"],
  cluster: ["production", "${{ env.ECS_CLUSTER }}"],
  password: ["${{ secrets.GITHUB_TOKEN }}", "${{ secrets.DOCKERHUB_TOKEN }}", "hunter2"],
  username: ["${{ github.actor }}"],
  heroku_api_key: ["${{ secrets.HEROKU_API_KEY }}"],
  script: ["cd /srv/app && git pull && docker compose up -d", "./deploy.sh ${{ github.sha }}"],
  key: ["${{ runner.os }}-node-${{ hashFiles('**/package-lock.json') }}"],
  path: ["~/.npm", "dist/", "coverage/lcov.info"],
  "retention-days": ["7"],
  sarif_file: ["trivy-results.sarif"],
  payload: ['{"text": "Deployed ${{ github.sha }}"}'],
  secret: ["prod-db-password", "${{ secrets.KEY_VAULT_SECRET }}"],
};
const withEntry = fc.constantFrom(...Object.keys(withKeys)).chain((k) =>
  fc
    .constantFrom(...withKeys[k]!)
    .chain(typedOrStr)
    .map((v) => [k, v] as [string, YNode]),
);

/** Lines scripts are made of; several are the start of multi-line constructs. */
const scriptLines = [
  "npm ci",
  "npm install",
  "npm run lint",
  "npm test -- --coverage",
  "pnpm install --frozen-lockfile",
  "yarn install --immutable",
  "pip install -r requirements.txt",
  "python -m pytest -q --junitxml=report.xml",
  "go test ./... -race",
  "cargo test --locked",
  "./gradlew build --no-daemon",
  'echo "Deploying ${{ github.sha }} to ${{ inputs.environment }}"',
  'echo "${{ github.event.pull_request.title }}"',
  "echo ${{ secrets.DEPLOY_TOKEN }}",
  'echo "::set-output name=tag::${{ github.sha }}"',
  'echo "tag=${GITHUB_SHA::7}" >> "$GITHUB_OUTPUT"',
  'echo "IMAGE=$REGISTRY/app:$TAG" >> $GITHUB_ENV',
  "printf '%s\\n' \"$PAYLOAD\" | jq -r '.items[] | select(.name == \"app\") | .id'",
  "echo 'it''s quoted' \"and \\\"escaped\\\"\" `date`",
  'docker build -t "$IMAGE" .',
  "docker build --build-arg NPM_TOKEN=${{ secrets.NPM_TOKEN }} -t app .",
  'docker push "$IMAGE"',
  'docker login -u "$USER" -p ${{ secrets.DOCKER_PASSWORD }}',
  'aws ecs update-service --cluster "$CLUSTER" --service app --force-new-deployment',
  'aws ecs wait services-stable --cluster "$CLUSTER" --services app',
  "aws s3 sync ./build s3://acme-site --delete",
  "kubectl set image deployment/app app=$IMAGE",
  "kubectl rollout status deployment/app --timeout=5m",
  "kubectl apply -f k8s/",
  "helm upgrade --install app ./chart --namespace prod --set image.tag=${{ github.sha }} --wait",
  "helmfile -e production apply",
  "flyctl deploy --remote-only",
  "terraform apply -auto-approve tfplan",
  "serverless deploy --stage prod",
  'curl -sf "https://staging.example.com/health" || exit 1',
  "curl -fsSL https://get.example.sh | bash",
  "wget -qO- http://example.com/install.sh | sh",
  'curl -H "Authorization: Bearer ${{ secrets.API_TOKEN }}" https://api.example.com/deploy',
  "ssh -o StrictHostKeyChecking=no deploy@host 'bash -s' < scripts/deploy.sh",
  'git config --global url."https://${{ secrets.GH_PAT }}@github.com/".insteadOf "https://github.com/"',
  "sleep 30",
  "# wait for the load balancer",
  "exit 0",
  "set -euo pipefail",
  "   echo indented continuation",
  "\techo tab-indented",
  'echo "é ✓ 🚀 — unicode"',
];
/** Multi-line constructs: a heredoc, an if block, a for loop, a continued command. */
const scriptBlocks = [
  ["cat <<EOF > .env", "DATABASE_URL=${{ secrets.DATABASE_URL }}", "API_KEY=$API_KEY", "EOF"],
  ["cat > config.json <<'JSON'", '{ "region": "us-east-1", "quote": "it\'s" }', "JSON"],
  [
    "for i in $(seq 1 10); do",
    '  if curl -sf "$URL/health"; then exit 0; fi',
    "  sleep 10",
    "done",
    "exit 1",
  ],
  ['if [ "${{ github.ref }}" = "refs/heads/main" ]; then', "  ENV=production", "else", "  ENV=staging", "fi"],
  ["aws ecs register-task-definition \\", "  --family app \\", "  --cli-input-json file://task-def.json"],
  ["python - <<'PY'", "import json, os", "print(json.dumps({'sha': os.environ['GITHUB_SHA']}))", "PY"],
  ["", "echo after a blank line"],
];
const script = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...scriptLines).map((l) => [l]) },
      { weight: 1, arbitrary: fc.constantFrom(...scriptBlocks) },
    ),
    { minLength: 1, maxLength: 14 },
  )
  .map((parts) => parts.flat())
  .map((lines) => {
    // A block scalar's first line cannot start with blanks (that needs an indentation indicator).
    while (lines.length && /^(\s|$)/.test(lines[0]!)) lines.shift();
    return lines.length ? lines : ["true"];
  });

const runValue: fc.Arbitrary<YNode> = fc
  .record({
    lines: script,
    chomp: fc.constantFrom<Chomp>("clip", "clip", "strip", "keep"),
    oneLine: fc.boolean(),
    folded: fc.boolean(),
    indent: fc.constantFrom(2, 2, 4, 3, 1),
    trailingBlank: fc.boolean(),
  })
  .chain(({ lines, chomp, oneLine, folded, indent, trailingBlank }) => {
    if (oneLine) {
      const line = lines[0]!.trim() || "true";
      return str(fc.constant(line)).map(
        (s): YNode => (folded && !/^\t/.test(line) ? { ...s, style: "folded" } : s),
      );
    }
    const text = lines.join("\n") + (trailingBlank ? "\n\n" : "\n");
    return fc.constant<YNode>({ kind: "scalar", value: text, style: "literal", chomp, indent });
  });

// ---- workflow parts -----------------------------------------------------------------------

const triggerEvents = [
  "push",
  "pull_request",
  "pull_request_target",
  "workflow_dispatch",
  "workflow_call",
  "schedule",
  "release",
  "merge_group",
  "workflow_run",
  "repository_dispatch",
  "issue_comment",
  "issues",
  "deployment",
  "create",
];
const inputDef = mapOf(
  fc.tuple(
    maybe(
      "description",
      str(fc.constantFrom("Environment to deploy", "Image tag (e.g. abc1234)", "Dry run?")),
    ),
    maybe("required", fc.boolean().map(lit)),
    maybe("type", str(fc.constantFrom("string", "boolean", "choice", "environment", "number"))),
    maybe("default", str(fc.constantFrom("staging", "false", "latest"))),
    maybe(
      "options",
      seqOf(fc.array(str(fc.constantFrom("staging", "production")), { minLength: 1, maxLength: 2 })),
    ),
  ),
);
const eventBody: Record<string, fc.Arbitrary<YNode>> = {
  push: mapOf(
    fc.tuple(
      maybe("branches", seqOf(fc.array(str(branches), { minLength: 1, maxLength: 3 }))),
      maybe(
        "tags",
        seqOf(fc.array(str(fc.constantFrom("v*", "v[0-9]+.[0-9]+.[0-9]+")), { minLength: 1, maxLength: 2 })),
      ),
      maybe("paths-ignore", seqOf(fc.array(str(paths), { minLength: 1, maxLength: 3 }))),
    ),
  ),
  pull_request: mapOf(
    fc.tuple(
      maybe("branches", seqOf(fc.array(str(branches), { minLength: 1, maxLength: 2 }))),
      maybe(
        "types",
        seqOf(
          fc.array(str(fc.constantFrom("opened", "synchronize", "labeled", "closed")), {
            minLength: 1,
            maxLength: 3,
          }),
        ),
      ),
      maybe("paths", seqOf(fc.array(str(paths), { minLength: 1, maxLength: 2 }))),
    ),
  ),
  workflow_dispatch: mapOf(
    fc.tuple(
      maybe(
        "inputs",
        mapOf(
          fc.tuple(
            maybe("environment", inputDef, 0.7),
            maybe("image_tag", inputDef, 0.7),
            maybe("dry-run", inputDef),
          ),
        ),
      ),
    ),
  ),
  workflow_call: mapOf(
    fc.tuple(
      maybe("inputs", mapOf(fc.tuple(maybe("environment", inputDef, 0.7), maybe("version", inputDef)))),
      maybe(
        "secrets",
        mapOf(
          fc.tuple(maybe("DEPLOY_TOKEN", mapOf(fc.tuple(maybe("required", fc.boolean().map(lit), 0.7))))),
        ),
      ),
      maybe(
        "outputs",
        mapOf(fc.tuple(maybe("image", mapOf(fc.tuple(maybe("value", str(expression), 0.7)))))),
      ),
    ),
  ),
  schedule: seqOf(
    fc.array(
      mapOf(
        fc.tuple(
          entry("cron", str(fc.constantFrom("0 3 * * *", "30 5 * * 1-5", "*/15 * * * *"))).map((e) => e),
        ),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  ),
  release: mapOf(
    fc.tuple(
      maybe(
        "types",
        seqOf(fc.array(str(fc.constantFrom("published", "created")), { minLength: 1, maxLength: 2 })),
      ),
    ),
  ),
  workflow_run: mapOf(
    fc.tuple(
      entry(
        "workflows",
        seqOf(fc.array(str(fc.constantFrom("CI", "Build")), { minLength: 1, maxLength: 2 })),
      ),
      maybe("types", seqOf(fc.constant([lit("completed")]))),
    ),
  ),
};
const emptyTrigger: fc.Arbitrary<YNode> = fc.constantFrom<YNode>(lit(null), { kind: "map", entries: [] });
const triggers: fc.Arbitrary<YNode> = fc.oneof(
  str(fc.constantFrom(...triggerEvents)),
  seqOf(
    fc
      .uniqueArray(fc.constantFrom(...triggerEvents), { minLength: 1, maxLength: 4 })
      .map((es) => es.map((e) => lit(e))),
  ),
  mapOf(
    fc
      .uniqueArray(fc.constantFrom(...triggerEvents), { minLength: 1, maxLength: 5 })
      .chain((events) =>
        fc.tuple(
          ...events.map((e) => entry(e, eventBody[e] ? fc.oneof(eventBody[e]!, emptyTrigger) : emptyTrigger)),
        ),
      ),
  ),
);

const permissionScopes = [
  "contents",
  "id-token",
  "packages",
  "pull-requests",
  "security-events",
  "actions",
  "deployments",
  "issues",
  "checks",
  "statuses",
];
const permissions: fc.Arbitrary<YNode> = fc.oneof(
  str(fc.constantFrom("read-all", "write-all")),
  fc.constant<YNode>({ kind: "map", entries: [], flow: true }),
  mapOf(
    fc
      .uniqueArray(fc.constantFrom(...permissionScopes), { minLength: 1, maxLength: 4 })
      .chain((scopes) =>
        fc.tuple(...scopes.map((s) => entry(s, str(fc.constantFrom("read", "write", "none"))))),
      ),
  ),
);

const envVars = [
  "NODE_VERSION",
  "AWS_REGION",
  "IMAGE",
  "ECR_REGISTRY",
  "ECS_CLUSTER",
  "DATABASE_URL",
  "API_TOKEN",
  "SLACK_WEBHOOK_URL",
  "FORCE_COLOR",
  "CI",
  "GH_TOKEN",
  "TF_VAR_db_password",
];
const envValues = [
  "20",
  "us-east-1",
  "ghcr.io/acme/app",
  "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  "production",
  "postgres://test:test@localhost:5432/test",
  "1",
  "true",
  "${{ secrets.GITHUB_TOKEN }}",
  "${{ secrets.SLACK_WEBHOOK_URL }}",
  "${{ github.event.pull_request.head.ref }}",
  "${{ vars.AWS_REGION }}",
];
const env: fc.Arbitrary<YNode> = mapOf(
  fc
    .uniqueArray(fc.constantFrom(...envVars), { minLength: 1, maxLength: 6 })
    .chain((names) =>
      fc.tuple(...names.map((n) => entry(n, fc.constantFrom(...envValues).chain(typedOrStr)))),
    ),
);

const concurrency: fc.Arbitrary<YNode> = fc.oneof(
  str(fc.constantFrom("deploy-production", "${{ github.workflow }}-${{ github.ref }}")),
  mapOf(
    fc.tuple(
      entry(
        "group",
        str(
          fc.constantFrom(
            "ci-${{ github.head_ref || github.ref_name }}",
            "deploy-${{ inputs.environment }}",
            "production",
          ),
        ),
      ),
      maybe(
        "cancel-in-progress",
        fc.oneof(fc.boolean().map(lit), str(fc.constant("${{ github.event_name == 'pull_request' }}"))),
        0.7,
      ),
    ),
  ),
);

const step: fc.Arbitrary<YMap> = fc.oneof(
  // a `uses:` step
  mapOf(
    fc.tuple(
      maybe(
        "name",
        str(
          fc.constantFrom(
            "Checkout",
            "Set up Node",
            "Configure AWS credentials (OIDC)",
            "Build and push",
            "Deploy",
            "Notify Slack",
          ),
        ),
      ),
      maybe("id", str(fc.constantFrom("meta", "build", "task-def", "login-ecr"))),
      entry("uses", str(fc.constantFrom(...actions))),
      maybe("with", mapOf(fc.array(withEntry, { minLength: 1, maxLength: 5 }))),
      maybe("env", env, 0.7),
      maybe(
        "if",
        str(
          fc.constantFrom(
            "always()",
            "${{ failure() }}",
            "github.ref == 'refs/heads/main'",
            "success() && github.event_name == 'push'",
          ),
        ),
        0.7,
      ),
      maybe("continue-on-error", fc.boolean().map(lit), 0.7),
      maybe("timeout-minutes", fc.integer({ min: 1, max: 60 }).map(lit), 0.7),
    ),
  ),
  // a `run:` step
  mapOf(
    fc.tuple(
      maybe(
        "name",
        str(fc.constantFrom("Install", "Test", "Deploy to ECS", "Smoke test", "Health check", "Roll back")),
      ),
      maybe("id", str(fc.constantFrom("deploy", "tag", "health"))),
      maybe(
        "if",
        str(fc.constantFrom("failure()", "${{ always() }}", "steps.deploy.outcome == 'failure'")),
        0.7,
      ),
      entry("run", runValue),
      maybe("shell", str(fc.constantFrom("bash", "pwsh", "python", "bash -euxo pipefail {0}")), 0.7),
      maybe("working-directory", str(fc.constantFrom("src/backend", "./app", "infra/terraform")), 0.7),
      maybe("env", env),
      maybe("timeout-minutes", fc.integer({ min: 1, max: 30 }).map(lit), 0.7),
    ),
  ),
);

const services: fc.Arbitrary<YNode> = mapOf(
  fc.tuple(
    maybe(
      "postgres",
      mapOf(
        fc.tuple(
          entry("image", str(fc.constantFrom("postgres:16-alpine", "postgres:15", "postgis/postgis:16-3.4"))),
          maybe(
            "env",
            mapOf(
              fc.tuple(
                entry("POSTGRES_USER", str(fc.constant("test"))),
                entry("POSTGRES_PASSWORD", str(fc.constantFrom("test", "${{ secrets.PG_PASSWORD }}"))),
                maybe("POSTGRES_DB", str(fc.constant("test"))),
              ),
            ),
          ),
          maybe(
            "ports",
            seqOf(fc.constant([{ kind: "scalar", value: "5432:5432", style: "single" } as YNode])),
          ),
          maybe(
            "options",
            fc.constant<YNode>({
              kind: "scalar",
              value:
                '--health-cmd "pg_isready -U test" --health-interval 10s --health-timeout 5s --health-retries 5',
              style: "folded",
            }),
          ),
        ),
      ),
      1,
    ),
    maybe(
      "redis",
      mapOf(
        fc.tuple(
          entry("image", str(fc.constantFrom("redis:7-alpine", "redis"))),
          maybe("ports", seqOf(fc.constant([lit(6379)]))),
        ),
      ),
    ),
    maybe(
      "mongodb",
      mapOf(
        fc.tuple(
          entry("image", str(fc.constant("mongo:7"))),
          maybe(
            "ports",
            seqOf(fc.constant([{ kind: "scalar", value: "27017:27017", style: "double" } as YNode])),
          ),
        ),
      ),
    ),
  ),
);

const matrix: fc.Arbitrary<YNode> = fc.oneof(
  mapOf(
    fc.tuple(
      maybe("node", seqOf(fc.constant([lit(18), lit(20), lit(22)])), 0.7),
      maybe("os", seqOf(fc.constant([lit("ubuntu-latest"), lit("windows-latest"), lit("macos-14")]))),
      maybe(
        "python-version",
        seqOf(fc.constant([{ kind: "scalar", value: "3.10", style: "double" } as YNode, lit("3.12")])),
      ),
      maybe(
        "include",
        seqOf(
          fc.array(
            mapOf(
              fc.tuple(entry("node", fc.constant(lit(23))), maybe("experimental", fc.constant(lit(true)))),
            ),
            { minLength: 1, maxLength: 2 },
          ),
        ),
      ),
      maybe(
        "exclude",
        seqOf(fc.array(mapOf(fc.tuple(entry("os", fc.constant(lit("windows-latest"))))), { maxLength: 1 })),
      ),
    ),
  ),
  str(fc.constant("${{ fromJSON(needs.plan.outputs.matrix) }}")),
);

const jobIds = [
  "build",
  "test",
  "lint",
  "deploy",
  "deploy-staging",
  "deploy-production",
  "release",
  "notify",
  "security",
  "e2e",
  "plan",
  "rollback",
  "publish",
  "docker",
];
const runsOn: fc.Arbitrary<YNode> = fc.oneof(
  str(
    fc.constantFrom(
      "ubuntu-latest",
      "ubuntu-22.04",
      "ubuntu-18.04",
      "windows-latest",
      "macos-latest",
      "${{ matrix.os }}",
    ),
  ),
  seqOf(fc.constant([lit("self-hosted"), lit("linux"), lit("x64")])),
  mapOf(
    fc.tuple(entry("group", str(fc.constant("deploy-runners"))), maybe("labels", str(fc.constant("linux")))),
  ),
);
const environment: fc.Arbitrary<YNode> = fc.oneof(
  str(fc.constantFrom("production", "staging", "prod", "${{ inputs.environment }}", "github-pages")),
  mapOf(
    fc.tuple(
      entry("name", str(fc.constantFrom("production", "staging"))),
      maybe("url", str(fc.constantFrom("https://app.example.com", "${{ steps.deploy.outputs.url }}"))),
    ),
  ),
);

const normalJob: fc.Arbitrary<YMap> = mapOf(
  fc.tuple(
    maybe("name", str(fc.constantFrom("Build", "Deploy (production)", "Test on ${{ matrix.os }}", "Lint"))),
    entry("runs-on", runsOn),
    maybe(
      "needs",
      fc.oneof(
        str(fc.constantFrom(...jobIds)),
        seqOf(
          fc
            .uniqueArray(fc.constantFrom(...jobIds), { minLength: 1, maxLength: 3 })
            .map((ids) => ids.map((i) => lit(i))),
        ),
      ),
      0.7,
    ),
    maybe(
      "if",
      str(
        fc.constantFrom(
          "github.event_name == 'push'",
          "${{ github.ref == 'refs/heads/main' }}",
          "contains(github.event.head_commit.message, '[deploy]')",
        ),
      ),
      0.7,
    ),
    maybe("environment", environment, 0.7),
    maybe("permissions", permissions, 0.7),
    maybe("concurrency", concurrency, 0.7),
    maybe("timeout-minutes", fc.integer({ min: 5, max: 120 }).map(lit), 0.7),
    maybe("continue-on-error", fc.boolean().map(lit)),
    maybe(
      "strategy",
      mapOf(
        fc.tuple(
          entry("matrix", matrix),
          maybe("fail-fast", fc.boolean().map(lit)),
          maybe("max-parallel", fc.integer({ min: 1, max: 4 }).map(lit)),
        ),
      ),
    ),
    maybe("services", services),
    maybe(
      "container",
      fc.oneof(
        str(fc.constantFrom("node:20", "python:3.12-slim")),
        mapOf(
          fc.tuple(
            entry("image", str(fc.constant("node:20-alpine"))),
            maybe("options", str(fc.constant("--user root"))),
          ),
        ),
      ),
    ),
    maybe(
      "outputs",
      mapOf(fc.tuple(maybe("image", str(expression), 0.7), maybe("version", str(expression)))),
    ),
    maybe("env", env),
    maybe(
      "defaults",
      mapOf(
        fc.tuple(
          entry(
            "run",
            mapOf(
              fc.tuple(
                maybe("working-directory", str(fc.constant("src/backend")), 0.7),
                maybe("shell", str(fc.constant("bash"))),
              ),
            ),
          ),
        ),
      ),
    ),
    entry("steps", seqOf(fc.array(step, { minLength: 1, maxLength: 9 }))),
  ),
);

const reusableCaller: fc.Arbitrary<YMap> = mapOf(
  fc.tuple(
    maybe("needs", str(fc.constantFrom(...jobIds))),
    entry(
      "uses",
      str(
        fc.constantFrom(
          "./.github/workflows/deploy.yml",
          "acme/pipelines/.github/workflows/deploy.yml@v1",
          "acme/pipelines/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567",
        ),
      ),
    ),
    maybe(
      "with",
      mapOf(
        fc.tuple(
          maybe("environment", str(fc.constantFrom("production", "staging")), 0.7),
          maybe("image", str(expression)),
        ),
      ),
    ),
    maybe(
      "secrets",
      fc.oneof(
        str(fc.constant("inherit")),
        mapOf(fc.tuple(entry("DEPLOY_TOKEN", str(fc.constant("${{ secrets.DEPLOY_TOKEN }}"))))),
      ),
    ),
    maybe("permissions", permissions),
    maybe(
      "strategy",
      mapOf(
        fc.tuple(
          entry(
            "matrix",
            mapOf(fc.tuple(entry("env", seqOf(fc.constant([lit("staging"), lit("production")]))))),
          ),
        ),
      ),
    ),
  ),
);

const jobs: fc.Arbitrary<YNode> = mapOf(
  fc
    .uniqueArray(fc.constantFrom(...jobIds), { minLength: 1, maxLength: 5 })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          entry(id, fc.oneof({ weight: 5, arbitrary: normalJob }, { weight: 1, arbitrary: reusableCaller })),
        ),
      ),
    ),
);

/** A whole workflow file's tree, with anchors on some nodes and aliases to them. */
export const workflowModel: fc.Arbitrary<YMap> = mapOf(
  fc.tuple(
    maybe(
      "name",
      str(
        fc.constantFrom(
          "CI",
          "Deploy",
          "Deploy Production",
          "Release",
          "CI/CD Pipeline with Quality Gates",
          "é ✓ build",
        ),
      ),
    ),
    maybe("run-name", str(fc.constantFrom("Deploy ${{ inputs.environment }} by @${{ github.actor }}")), 0.7),
    entry("on", triggers),
    maybe("permissions", permissions),
    maybe("env", env),
    maybe("concurrency", concurrency),
    maybe(
      "defaults",
      mapOf(fc.tuple(entry("run", mapOf(fc.tuple(entry("shell", str(fc.constant("bash")))))))),
      0.7,
    ),
    entry("jobs", jobs),
  ),
).chain((model) => fc.integer({ min: 0, max: 1_000_000 }).map((salt) => withAnchors(model, salt)));

/** A composite action (`action.yml`). */
export const compositeActionModel: fc.Arbitrary<YMap> = mapOf(
  fc.tuple(
    entry("name", str(fc.constantFrom("Setup", "Deploy to ECS"))),
    maybe(
      "description",
      str(
        fc.constantFrom(
          "Installs the toolchain and restores caches",
          "Renders and deploys the task definition",
        ),
      ),
    ),
    maybe("inputs", mapOf(fc.tuple(maybe("token", inputDef, 0.7), maybe("environment", inputDef)))),
    maybe(
      "outputs",
      mapOf(
        fc.tuple(
          maybe(
            "image",
            mapOf(
              fc.tuple(entry("description", str(fc.constant("Image ref"))), entry("value", str(expression))),
            ),
          ),
        ),
      ),
    ),
    entry(
      "runs",
      mapOf(
        fc.tuple(
          entry("using", str(fc.constant("composite"))),
          entry(
            "steps",
            seqOf(
              fc.array(
                step.map((s) => withShell(s)),
                { minLength: 1, maxLength: 6 },
              ),
            ),
          ),
        ),
      ),
    ),
  ),
);

/** Composite actions need `shell:` on run steps. */
function withShell(s: YMap): YMap {
  if (!s.entries.some((e) => e.key === "run") || s.entries.some((e) => e.key === "shell")) return s;
  return { ...s, entries: [...s.entries, { key: "shell", keyStyle: "plain", value: lit("bash") }] };
}

/**
 * Puts an anchor on one step list or env map and replaces a later equal-shaped spot with an
 * alias to it, as workflows that share steps between jobs do (GitHub accepts anchors).
 */
function withAnchors(model: YMap, salt: number): YMap {
  if (salt % 4 !== 0) return model;
  const jobsEntry = model.entries.find((e) => e.key === "jobs");
  if (jobsEntry?.value.kind !== "map") return model;
  const withSteps = jobsEntry.value.entries.filter(
    (j) => j.value.kind === "map" && j.value.entries.some((e) => e.key === "steps"),
  );
  if (withSteps.length < 2) return model;
  const name = `steps${salt % 97}`;
  const [first, second] = [withSteps[0]!, withSteps[1]!];
  const firstSteps = (first.value as YMap).entries.find((e) => e.key === "steps")!;
  firstSteps.value = { ...(firstSteps.value as YSeq), anchor: name };
  const secondSteps = (second.value as YMap).entries.find((e) => e.key === "steps")!;
  secondSteps.value = { kind: "alias", name };
  return model;
}

export const documentStyle: fc.Arbitrary<DocumentStyle> = fc.record({
  crlf: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  documentStart: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  header: sometimes(
    fc.constantFrom(
      "Deploys the API to ECS.\nOwned by the platform team.",
      "yaml-language-server: $schema=https://json.schemastore.org/github-workflow.json",
    ),
    0.3,
  ),
});

// ---- damage -------------------------------------------------------------------------------

const damagePieces = [
  " ",
  "  ",
  "\t",
  "\n",
  ":",
  ": ",
  "- ",
  "#",
  " #",
  "'",
  '"',
  "|",
  ">",
  "|-",
  "[",
  "]",
  ",",
  "{",
  "}",
  "&a ",
  "*a",
  "!",
  "~",
  "null",
  "${{",
  "}}",
  "\r",
  "\uFEFF",
  "\u0000",
  "é",
  "🚀",
  "<<: ",
  "?",
  "---\n",
  "...\n",
];
export const damage = fc.array(
  fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    op: fc.constantFrom("insert", "delete", "replace", "truncate", "indent", "dedent", "duplicate-line"),
    piece: fc.constantFrom(...damagePieces),
    length: fc.integer({ min: 1, max: 6 }),
  }),
  { minLength: 1, maxLength: 3 },
);

export function applyDamage(
  text: string,
  edits: Array<{ at: number; op: string; piece: string; length: number }>,
): string {
  let out = text;
  for (const { at, op, piece, length } of edits) {
    const i = Math.floor(at * out.length);
    const lineStart = out.lastIndexOf("\n", i - 1) + 1;
    const lineEnd = out.indexOf("\n", i) === -1 ? out.length : out.indexOf("\n", i) + 1;
    switch (op) {
      case "insert":
        out = out.slice(0, i) + piece + out.slice(i);
        break;
      case "delete":
        out = out.slice(0, i) + out.slice(i + length);
        break;
      case "replace":
        out = out.slice(0, i) + piece + out.slice(i + piece.length);
        break;
      case "truncate":
        out = out.slice(0, i);
        break;
      case "indent":
        out = `${out.slice(0, lineStart)}${" ".repeat(length)}${out.slice(lineStart)}`;
        break;
      case "dedent":
        out = out.slice(0, lineStart) + out.slice(lineStart).replace(new RegExp(`^ {1,${length}}`), "");
        break;
      case "duplicate-line":
        out = out.slice(0, lineEnd) + out.slice(lineStart, lineEnd) + out.slice(lineEnd);
        break;
    }
  }
  return out;
}

// ---- files --------------------------------------------------------------------------------

/** A failing case prints as its path and text (the model would bury them). */
function file(path: string, text: string, model?: YNode): GeneratedFile {
  return {
    path,
    text,
    model,
    [fc.toStringMethod]: () => `${path}:\n${text}\n(as a string: ${JSON.stringify(text)})`,
  } as GeneratedFile;
}

/** One generated file: a workflow (most), a composite action, or a damaged copy of either. */
export const generatedFile: fc.Arbitrary<GeneratedFile> = fc
  .record({
    kind: fc.constantFrom("workflow", "workflow", "workflow", "workflow", "workflow", "action", "damaged"),
    workflow: workflowModel,
    action: compositeActionModel,
    style: documentStyle,
    edits: damage,
    name: fc.integer({ min: 0, max: 99_999 }),
  })
  .map(({ kind, workflow, action, style, edits, name }) => {
    if (kind === "action")
      return file(`.github/actions/a${name}/action.yml`, emitDocument(action, style), action);
    const text = emitDocument(workflow, style);
    if (kind === "damaged") return file(`.github/workflows/damaged-${name}.yml`, applyDamage(text, edits));
    return file(`.github/workflows/w${name}.yml`, text, workflow);
  });

/** A repository's worth of generated files, with unique paths. */
export const generatedRepository = (size: { minLength: number; maxLength: number }) =>
  fc.uniqueArray(generatedFile, { ...size, selector: (f) => f.path });

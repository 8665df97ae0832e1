import { type Job, jobText, type Step, triggerInputs, type Value, type Workflow } from "./model/workflow.js";

/**
 * What deploys, and where to: the one reading of a workflow that every delivery rule shares.
 *
 * A step deploys when it runs a command or an action that ships a release (`kubectl apply`,
 * `helm upgrade`, `helmfile sync`, `aws ecs update-service`, `git push heroku`, the Heroku,
 * Fly, Cloud Run or Azure deploy actions, an rsync or ssh deploy, …); installing a tool
 * (`setup-flyctl`), scaling, suspending or destroying is not a deploy. A job deploys when a
 * step does, when it targets a GitHub environment that is not CI-ish, when it calls a
 * reusable workflow that deploys (by its path, or the environment it is given), or when it
 * migrates a database it names as production (a migration before the tests is not a deploy).
 *
 * A deploy is to production when its environment says so; when the environment is an
 * expression, by the values it can take (dispatch inputs, matrix); otherwise by the names
 * around it (job, workflow, file, the deploy commands' stage, cluster or app arguments); and,
 * where nothing names any stage, when it deploys on pushes to the default branch, on releases
 * or on tags — the common "merge to main is production" set-up.
 */

/**
 * A Dokku release, on the host or over ssh (`ssh dokku@host git:from-image app image@sha256:…`):
 * a deploy, and one Dokku's zero-downtime checks gate.
 */
export const DOKKU_RELEASE = /\bdokku\b[^\n|;&]*?\s(git:from-image|git:sync|ps:rebuild|tags:deploy)\b/;

// Options may stand between a tool and its subcommand (`kubectl -n prod apply`), but not a
// pipe or another command.
const ARGS = "[^\\n|;&]*?\\s";
export const DEPLOY_COMMAND = new RegExp(
  [
    `\\baws\\b${ARGS}ecs\\s+(update-service|deploy)\\b`,
    `\\baws\\b${ARGS}lambda\\s+update-function-code\\b`,
    `\\baws\\b${ARGS}cloudformation\\s+deploy\\b`,
    // Upload to a bucket (a static site): the destination, the second argument, is s3://.
    // Options may come anywhere (`aws --profile=x s3 sync --acl=public-read dist/ s3://…`).
    `\\baws\\b${ARGS}s3\\b[^\\n|;&]*?\\ssync\\b[^\\n|;&]*?\\s(?!s3:)[^\\s-]\\S*\\s+s3:\\/\\/`,
    // …or a site's build folder copied up whole (`aws s3 cp --recursive ./build s3://…`).
    `\\baws\\b${ARGS}s3\\s+cp\\b(?=[^\\n|;&]*\\s--recursive\\b)[^\\n|;&]*?\\s["']?(\\.\\/)?([\\w.-]+\\/)*(build|dist|public|out|site|_site|www|html|static)\\/?["']?\\s+s3:\\/\\/`,
    `\\bkubectl\\b${ARGS}(apply|set\\s+image|rollout\\s+restart|replace|patch)\\b`,
    `\\bhelm\\b${ARGS}(upgrade|install)\\b`,
    `\\bhelmfile\\b${ARGS}(apply|sync|deploy)\\b|\\bhelmfile\\s+(apply|sync|deploy)\\b`,
    "\\bargocd\\s+app\\s+(sync|set)\\b",
    // Global options may come first: terraform -chdir=infra apply.
    `\\b(terraform|tofu)\\b${ARGS}apply\\b`,
    // terragrunt apply, run-all apply, and `terragrunt run … -- apply`.
    "\\bterragrunt\\b[^\\n|;&]*?\\sapply\\b",
    // A package script or Make target named deploy (`yarn workspace api deploy:prod`, `make deploy`).
    "\\b(npm|yarn|pnpm|bun)\\b(\\s+run)?(\\s+workspace\\s+\\S+)?\\s+deploy(:[\\w-]+)?(?=\\s|$)",
    // make deploy, make deploy-prod, make release-deploy (not predeploy or undeploy).
    "\\bmake\\b[^\\n|;&]*?\\s([\\w]+-)?deploy([\\w-]*)(?=\\s|$)",
    // A deploy script of the repository (`./scripts/deploy_ecs_service.sh`, `./util/deploy-staging.sh`).
    "(^|\\s)(bash\\s+|sh\\s+)?\\.?\\/?[\\w./-]*(deploy|(terraform|tf|tofu|terragrunt)[-_]apply)[\\w.-]*\\.sh\\b",
    // …or without an extension, run by its path (`./bin/deploy prod`).
    "(^|\\s)\\.\\/([\\w.-]+\\/)*deploy([-_][\\w-]+)?(?=\\s|$)",
    "\\bpulumi\\s+up\\b",
    "\\b(serverless|sls|sst|flyctl|fly|netlify|eb|cdk|kamal|sam|copilot|firebase|wrangler|railway|cap|trigger\\.dev)\\b[^\\n|;&]*?\\sdeploy(?![\\w/.-])",
    // Railway's CLI, also run from its npm package (`npx @railway/cli up`).
    "(@railway\\/cli|\\brailway)(@\\S+)?\\s+up\\b",
    DOKKU_RELEASE.source,
    `\\bvercel\\b${ARGS}--prod\\b`,
    "\\bgcloud\\s+(run|app|functions)\\s+(services\\s+update|deploy)\\b",
    `\\bgcloud\\b${ARGS}(run|app|functions)\\s+deploy\\b`,
    `\\baz\\s+(webapp|functionapp|containerapp|spring)\\b${ARGS}(deploy|up|update|create)\\b`,
    "\\bdocker\\s+stack\\s+deploy\\b",
    // Cloud Foundry (cf push, cf7/cf8 push), as government PaaS such as cloud.gov run it.
    "\\bcf[78]?\\b[^\\n|;&]*?\\spush\\b",
    "\\bgit\\s+push\\b[^\\n|;&]*\\b(heroku|dokku|production|prod)\\b",
    "\\bheroku\\s+(container:release|releases:rollback)\\b",
    // To a host (`deploy@$SERVER:/var/www`, quoted or not).
    "\\brsync\\b[^\\n|;&]*\\s[\"']?[\\w.$@{}-]+@[\\w.${}-]+:",
    "\\bscp\\b[^\\n|;&]*\\s[\"']?[\\w.$@{}-]+@[\\w.${}-]+:",
    // Publishing tools that deploy a site or an app to a host they name (`quarto publish netlify`,
    // `datasette publish fly`).
    "\\b(quarto|datasette)\\s+publish\\b",
    "\\bansible-playbook\\b",
    "\\bshipgate(@\\S+)?\\s+(deploy|promote|rollback)\\b",
  ].join("|"),
);

/** Schema migrations, by the tools that run them. */
const MIGRATION_COMMAND = new RegExp(
  [
    "\\b(rails|rake)\\b[^\\n|;&]*\\bdb:migrate\\b",
    "\\bmanage\\.py\\s+migrate\\b",
    "\\balembic\\b[^\\n|;&]*\\supgrade\\b",
    "\\bflask\\s+db\\s+upgrade\\b",
    "\\bprisma\\s+migrate\\s+deploy\\b",
    "\\bflyway\\b[^\\n|;&]*\\smigrate\\b",
    "\\bliquibase\\b[^\\n|;&]*\\supdate\\b",
    "\\bknex\\s+migrate:latest\\b",
    "\\bsequelize(-cli)?\\s+db:migrate\\b",
    "\\btypeorm\\b[^\\n|;&]*\\smigration:run\\b",
    "\\bgoose\\b[^\\n|;&]*\\sup\\b",
    "\\bdbmate\\b[^\\n|;&]*\\s(up|migrate)\\b",
    "\\bmigrate\\b[^\\n|;&]*\\s-database\\b[^\\n|;&]*\\sup\\b",
    // A package script for them (`npm run db:migrate`, `yarn migrate:deploy`).
    "\\b(npm|yarn|pnpm|bun)\\s+(run\\s+)?(db:)?migrat(e|ion|ions)(:[\\w-]+)?(?=\\s|$)",
  ].join("|"),
);
/** A local action named for migrations (`./.github/actions/db-migration`). */
const LOCAL_MIGRATION_ACTION = /migrat/i;

export function stepMigrates(step: Step): boolean {
  if (step.run) return step.run.value.split("\n").some((l) => !/^\s*#/.test(l) && MIGRATION_COMMAND.test(l));
  if (step.localSteps) return step.localSteps.some(stepMigrates);
  return step.uses?.kind === "local" && LOCAL_MIGRATION_ACTION.test(step.uses.raw);
}

/**
 * A job that migrates a database and names production — in its id, name or environment, a
 * step's name or inputs, or its variables — changes production as a release does, and needs
 * the same gate, queue and time limit.
 */
function migratesProduction(job: Job): boolean {
  if (!job.steps.some(stepMigrates)) return false;
  const named = [
    job.id,
    job.name ?? "",
    job.environment?.value ?? "",
    ...job.steps.flatMap((s) => [s.name ?? "", ...[...s.with.values()].map((v) => v.value)]),
    ...[...job.env.values()].map((v) => v.value),
  ];
  return PRODUCTION_WORDS.test(words(named.join(" ")));
}

/** Operations on a running app that are not a release: scaling, pausing, tearing down. */
const NOT_A_RELEASE =
  /\b(fly|flyctl)\s+(scale|suspend|resume|apps\s+destroy|destroy|secrets)\b|\bkubectl\b[^\n|;&]*\s(scale|delete)\b|\bterraform\s+destroy\b|\bhelm\s+(uninstall|delete)\b|\bpulumi\s+destroy\b|\bterragrunt\b[^\n|;&]*\sdestroy\b/;

/** Actions that ship a release (by repository; a few only at their root, not their setup sub-actions). */
const DEPLOY_ACTIONS = new Set([
  "aws-actions/amazon-ecs-deploy-task-definition",
  "aws-actions/aws-cloudformation-github-deploy",
  "azure/k8s-deploy",
  "azure/webapps-deploy",
  "azure/functions-action",
  "azure/container-apps-deploy-action",
  "google-github-actions/deploy-cloudrun",
  "google-github-actions/deploy-appengine",
  "google-github-actions/deploy-cloud-functions",
  "appleboy/ssh-action",
  "appleboy/scp-action",
  "easingthemes/ssh-deploy",
  "burnett01/rsync-deployments",
  "amondnet/vercel-action",
  "cloudflare/wrangler-action",
  "cloudflare/pages-action",
  "akhileshns/heroku-deploy",
  "deliverybot/helm",
  "koslib/helm-eks-action",
  "bitovi/github-actions-deploy-eks-helm",
  "serverless/github-action",
  "firebaseextended/action-hosting-deploy",
  "w9jds/firebase-action",
  "dokku/github-action",
  "samber/kamal-action",
  "nwtgck/actions-netlify",
]);
/** Sub-actions that deploy, by their path (their repository's other actions do not). */
const DEPLOY_SUB_ACTIONS = new Set(["quarto-dev/quarto-actions/publish"]);
/**
 * Actions that run a deploy tool with an input as its arguments (`args: deploy --remote-only`
 * is `flyctl deploy --remote-only`): a deploy when that command line is. Only their root runs
 * the tool; their sub-actions install it.
 */
const COMMAND_ACTIONS: Record<string, { tool: string; inputs: readonly string[] }> = {
  "superfly/flyctl-actions": { tool: "flyctl", inputs: ["args"] },
  "helmfile/helmfile-action": { tool: "helmfile", inputs: ["helmfile-args"] },
  // cloud.gov's CLI action: `cf_command: push -f manifest.yml`.
  "cloud-gov/cg-cli-tools": { tool: "cf", inputs: ["cf_command"] },
};

/**
 * The command line a tool-running action runs (see COMMAND_ACTIONS), with the input that holds
 * its arguments, when the step is one.
 */
export function actionCommand(step: Step): { command: string; input?: Value<string> } | undefined {
  const uses = step.uses;
  if (uses?.kind !== "action" || !uses.repository) return undefined;
  const repository = uses.repository.toLowerCase();
  const action = COMMAND_ACTIONS[repository];
  if (!action || uses.raw.split("@")[0]!.toLowerCase() !== repository) return undefined;
  const input = action.inputs.map((name) => step.with.get(name)).find((v) => v !== undefined);
  return { command: `${action.tool} ${(input?.value ?? "").replace(/\s+/g, " ").trim()}`, input };
}
/** Setting up a tool is not a deploy, even under a deploy action's repository. */
const SETUP_ACTION = /\/setup-/i;

/** Actions that run a script on a remote host, and the input that holds it. */
const REMOTE_SCRIPT_INPUT: Record<string, string> = {
  "appleboy/ssh-action": "script",
  "garygrossgarten/github-action-ssh": "command",
  "fifsky/ssh-action": "command",
};
/**
 * Remote-script lines that release nothing: checks of what runs, clean-up and shell set-up.
 * A remote step made only of these (a live check, `docker system prune`) is not a deploy.
 */
const REMOTE_NOT_A_RELEASE =
  /^\s*(#.*|set\s.*|cd\s.*|sleep\s.*|echo\s.*|export\s.*|(for|while)\s.*|(then|else|fi|do|done|break|continue|exit|return)\b.*|if\s+\[.*|\w+=("[^"]*"|'[^']*'|\([^)]*\)|[^\s$`]*)\s*|\w+=\$\((sudo\s+)?docker\s+(inspect|ps)\b.*|(sudo\s+)?docker\s+(system|image|container|volume|builder|network)\s+prune\b.*|(sudo\s+)?docker\s+(ps|logs|images|inspect)\b.*|make\s+(livecheck|health\w*|check\w*|status|smoke\w*|prune|clean\w*)\b.*|(curl|wget)\s.*|df\b.*|du\b.*|ls\b.*|)$/;

/** The script a remote-shell action runs, when it is one. */
export function remoteScript(step: Step): string | undefined {
  const repository = step.uses?.kind === "action" ? step.uses.repository?.toLowerCase() : undefined;
  const input = repository ? REMOTE_SCRIPT_INPUT[repository] : undefined;
  return input ? step.with.get(input)?.value : undefined;
}

/**
 * A local action's path that names a deploy (not `setup-deploy-tools`): `deploy-app`,
 * `request-ecs-service-to-use-new-image`, `update-lambda`.
 */
const LOCAL_DEPLOY_ACTION =
  /^(?!.*\bsetup)(.*[/_-])?(deploy|rollout|release-to|ship|use-new-image|update-(ecs|lambda|service|function)s?)\b/i;

/** GitHub environments that are not deployments of the app. */
const NOT_AN_APP_ENVIRONMENT =
  /^(ci|test|github-pages|pypi|testpypi|npm|release|releases|publish|docs|documentation|codecov)$/i;

export const PRODUCTION_WORDS = /\b(prod|production|prd|live)\b/i;
export const PRE_PRODUCTION_WORDS =
  /\b(stag(e|ing)|stg|pre[\s_-]?prod(uction)?|non[\s_-]?prod(uction)?|qa|uat|dev|develop|development|test(ing)?|sandbox|preview|review|beta|gamma|demo|nightly|canary|int|integration)\b/i;

function actionDeploys(step: Step): boolean {
  const uses = step.uses;
  // A composite action of the repository deploys when one of its steps does, when the audit read
  // it (by path, or by the repository's full name), or else when its folder says so
  // (`./.github/actions/deploy-app`).
  if (step.localSteps) return step.localSteps.some(stepDeploys);
  if (uses?.kind === "local")
    return LOCAL_DEPLOY_ACTION.test(uses.raw.replace(/^\.\/(\.github\/actions\/)?/, ""));
  if (!uses?.repository || uses.kind !== "action") return false;
  const repository = uses.repository.toLowerCase();
  const path = uses.raw.split("@")[0]!.toLowerCase();
  if (COMMAND_ACTIONS[repository]) {
    const command = actionCommand(step)?.command;
    return command !== undefined && deployLines(command).length > 0;
  }
  if (SETUP_ACTION.test(path.slice(repository.length))) return false;
  const remote = remoteScript(step);
  if (remote !== undefined) return !remote.split("\n").every((line) => REMOTE_NOT_A_RELEASE.test(line));
  if (DEPLOY_ACTIONS.has(repository) || DEPLOY_SUB_ACTIONS.has(path)) return true;
  return [...step.with].some(([name, value]) => DEPLOY_INPUT.test(name) && value.value.trim() !== "");
}

/**
 * Inputs that name the service an action redeploys (`redeploy_ecs_service: triagebot`,
 * `ecs-service: api`): the action deploys, whoever wrote it.
 */
const DEPLOY_INPUT = /(^|[-_])(redeploy[-_][\w-]+|ecs[-_]service)$/i;

/** The lines of a script that deploy (a release, not scaling or teardown). */
export function deployLines(script: string): string[] {
  // A command continued over several lines (`rsync … \` then its destination) is one line.
  return script
    .replace(/\\\r?\n\s*/g, " ")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line) && DEPLOY_COMMAND.test(line) && !NOT_A_RELEASE.test(line));
}

export function stepDeploys(step: Step): boolean {
  if (step.run && (deployLines(step.run.value).length > 0 || deploysToRemoteDocker(step))) return true;
  return actionDeploys(step);
}

/** Containers started or replaced: `docker compose up`, `docker-compose up`, `docker run`. */
const DOCKER_START =
  /\bdocker\b[^\n|;&]*?\scompose\b[^\n|;&]*\sup\b|\bdocker-compose\b[^\n|;&]*\sup\b|\bdocker\s+(?:-\S+\s+\S+\s+)*run\b/;
/** A Docker daemon on another machine: `DOCKER_HOST=ssh://…`, `docker -H ssh://…`, `--context`. */
const REMOTE_DAEMON = /^(ssh|tcp):\/\//;

/**
 * A step that starts containers on a remote Docker daemon — `DOCKER_HOST: ssh://deploy@host`
 * beside `docker compose up -d` — deploys to that machine, though every command runs here.
 */
function deploysToRemoteDocker(step: Step): boolean {
  const script = step.run!.value;
  if (!DOCKER_START.test(script)) return false;
  if (REMOTE_DAEMON.test(step.env.get("DOCKER_HOST")?.value.trim() ?? "")) return true;
  return /\bDOCKER_HOST=["']?(ssh|tcp):\/\/|\bdocker\b[^\n|;&]*\s(-H|--host)[\s=]["']?(ssh|tcp):\/\//.test(
    script,
  );
}

/** A called workflow's file named for a deploy (`deploy-ecs.yml`, `release.yml`, `rollout.yml`). */
const CALLED_DEPLOY_NAME = /deploy|release|rollout|publish-?(app|service)/i;
/**
 * Release chores that ship nothing: tagging, drafting, notes (`tag-release-devcontainer.yml`),
 * and checks run before a deploy (`validate-deployment.yml`).
 */
const NOT_A_RELEASE_NAME =
  /(tag|draft|create|cut|prepare)[-_]release|release[-_](notes|drafter|please|tag)|(validate|check|verify|lint)[-_]?(deploy(ment)?|release)s?/gi;

/**
 * A reusable-workflow call that deploys: by the called file's name, by what the called workflow
 * does when the audit read it, or by an environment it passes.
 */
export function callDeploys(job: Job): boolean {
  if (!job.uses) return false;
  if (CALLED_DEPLOY_NAME.test(job.uses.raw.split("@")[0]!.replace(NOT_A_RELEASE_NAME, ""))) return true;
  // Its jobs' deploy steps count, not their environments alone: a build job often takes an
  // environment only for its secrets.
  if (job.callee?.jobs.some((j) => j.steps.some(stepDeploys) || migratesProduction(j))) return true;
  // An input named for the environment, not an expression that merely reads one
  // (`fail_on_vulns: ${{ … inputs.environment … }}`); `env:` alone is often a build's config.
  const withNode = job.node.get("with", true) as { toJSON?: () => unknown } | undefined;
  const inputs = (withNode?.toJSON?.() as Record<string, unknown> | null) ?? {};
  const file = job.uses.raw.split("@")[0]!.split("/").pop() ?? "";
  // A workflow named for building or testing takes the environment for its secrets.
  if (CALLED_BUILD_NAME.test(file)) return false;
  return Object.entries(inputs).some(([key, value]) => {
    if (!/\benvironment\b/i.test(key.replace(/_/g, " "))) return false;
    // A literal names the environment (`environment: test` runs the tests with its secrets).
    return typeof value !== "string" || value.includes("${{") || environmentMeansDeploy(value.trim());
  });
}

/** Reusable workflows named for building, testing or scanning (`image_build.yml`, `test_pnpm.yml`). */
const CALLED_BUILD_NAME = /(^|[-_.])(build|test|tests|lint|scan|check)([-_.]|$)/i;

/**
 * Words of GitHub environments that hold a tool's secrets rather than stand for a running app
 * (`image-publishing`, `pytest-upload-django-db-queries`, `Docs`): a job in one deploys only
 * when its steps do.
 */
const TOOLING_ENVIRONMENT_WORD =
  /(^|[-_\s])(build|builds|docs?|documentation|publish(ing)?|uploads?|pytest|coverage|bench(marks?)?|packages?|images?|registry|signing|scans?)([-_\s]|$)/i;

function environmentMeansDeploy(name: string): boolean {
  if (NOT_AN_APP_ENVIRONMENT.test(name)) return false;
  if (name.includes("${{") || PRODUCTION_WORDS.test(name) || PRE_PRODUCTION_WORDS.test(name)) return true;
  return !TOOLING_ENVIRONMENT_WORD.test(name);
}

/**
 * A GitOps release: the job rewrites the image tag a manifest deploys (`kustomize edit set
 * image`, `yq` on an image tag, `sed -i` on an `image:` line) and pushes the commit for Flux or
 * Argo CD to apply.
 */
const IMAGE_TAG_EDIT =
  /\bkustomize\s+edit\s+set\s+image\b|\byq\b[^\n]*\s-i\b[^\n]*\b(image|tag)\b|\byq\b[^\n]*\b(containerImage|image)\.tag\b|\bsed\s+-i\b[^\n]*\bimage:/i;
export function updatesGitOpsManifest(job: Job): boolean {
  const scripts = job.steps.map((s) => s.run?.value ?? "");
  return scripts.some((s) => IMAGE_TAG_EDIT.test(s)) && scripts.some((s) => /\bgit\s+push\b/.test(s));
}

export function isDeployJob(job: Job): boolean {
  if (job.environment && environmentMeansDeploy(job.environment.value.trim())) return true;
  if (job.uses) return callDeploys(job);
  return job.steps.some(stepDeploys) || migratesProduction(job) || updatesGitOpsManifest(job);
}

/** What a job's environment names: the literal name, or the values an expression can take. */
export function environmentNames(job: Job, workflow: Workflow): string[] {
  const environment = job.environment?.value ?? environmentInput(job);
  if (!environment) return [];
  if (!environment.includes("${{")) return [environment];
  const values: string[] = [];
  const input = /\b(?:inputs|github\.event\.inputs)\.([\w-]+)/.exec(environment)?.[1];
  if (input) {
    for (const trigger of ["workflow_dispatch", "workflow_call"]) {
      const inputs = (workflow.on.get(trigger)?.value as { inputs?: Record<string, unknown> } | null)?.inputs;
      const definition = inputs?.[input] as { options?: unknown[]; default?: unknown } | undefined;
      for (const v of [...(definition?.options ?? []), definition?.default])
        if (typeof v === "string") values.push(v);
    }
  }
  const matrixKey = /\bmatrix\.([\w-]+)/.exec(environment)?.[1];
  if (matrixKey) {
    const matrix = (job.node.toJSON() as { strategy?: { matrix?: Record<string, unknown> } }).strategy
      ?.matrix;
    const list = matrix?.[matrixKey];
    if (Array.isArray(list)) for (const v of list) if (typeof v === "string") values.push(v);
    for (const include of Array.isArray(matrix?.include)
      ? (matrix.include as Array<Record<string, unknown>>)
      : []) {
      if (typeof include[matrixKey] === "string") values.push(include[matrixKey] as string);
    }
  }
  const output = /\bneeds\.([\w-]+)\.outputs\.([\w-]+)/.exec(environment);
  if (output) values.push(...jobOutputChoices(workflow, output[1]!, output[2]!));
  values.push(...expressionChoices(environment));
  // A matrix value can itself choose: `${{ startsWith(github.ref, 'refs/tags/') && 'app-org' || 'app-net' }}`.
  return values.flatMap((v) => (v.includes("${{") ? expressionChoices(v) : [v]));
}

/**
 * The literal values a job's output can take, when a step of that job writes them itself
 * (`echo "environment=prod" >> "$GITHUB_OUTPUT"` in the step the output reads): a set-up job
 * that picks the environment from the branch.
 */
function jobOutputChoices(workflow: Workflow, jobId: string, name: string): string[] {
  const job = workflow.jobs.find((j) => j.id === jobId);
  const outputs = (job?.node.toJSON() as { outputs?: Record<string, unknown> } | undefined)?.outputs;
  const expression = outputs?.[name];
  if (!job || typeof expression !== "string") return [];
  const read = /\bsteps\.([\w-]+)\.outputs\.([\w-]+)/.exec(expression);
  if (!read) return expressionChoices(expression);
  const script = job.steps.find((s) => s.id === read[1])?.run?.value ?? "";
  const key = read[2]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const written = new RegExp(String.raw`\b${key}=["']?([\w.-]+)["']?\s*>>\s*"?\$\{?GITHUB_OUTPUT`, "g");
  return [...script.matchAll(written)].map((m) => m[1]!);
}

/** The literals an `a && 'x' || 'y'` expression chooses between. */
export function expressionChoices(expression: string): string[] {
  return [...expression.matchAll(/(?:&&|\|\|)\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** A reusable-workflow call's `with: environment:` (or `env:`/`stage:`), as its environment. */
function environmentInput(job: Job): string | undefined {
  if (!job.uses) return undefined;
  const withNode = job.node.toJSON() as { with?: Record<string, unknown> };
  for (const key of ["environment", "env", "stage", "environment-name", "environment_name"]) {
    const value = withNode.with?.[key];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/**
 * Device paths are not environments (`> /dev/null`), nor is the `.dev` top-level domain of a
 * host or a tool (`app.fly.dev`, `trigger.dev`).
 */
const NOT_A_STAGE = /\/dev\/(null|stdout|stderr|tty|zero|u?random|fd\/\d+)|\.dev(?![\w.-])/g;
const words = (text: string) => text.replace(NOT_A_STAGE, " ").replace(/[-_./]/g, " ");

export type Stage = "production" | "pre-production" | "unknown";

/**
 * Where a deploy job deploys to, with the reason. Its environment decides when it names a
 * stage; then its own names; then the deploy commands' arguments; then the workflow's names;
 * and last, deploying on pushes to the default branch, releases or tags without naming any
 * stage reads as production.
 */
export function stageOf(job: Job, workflow: Workflow): { stage: Stage; reason: string } {
  const names = environmentNames(job, workflow);
  if (names.length > 0) {
    if (names.some((n) => PRODUCTION_WORDS.test(words(n))))
      return { stage: "production", reason: `environment ${names.join(" | ")}` };
    if (names.every((n) => PRE_PRODUCTION_WORDS.test(words(n))))
      return { stage: "pre-production", reason: `environment ${names.join(" | ")}` };
  }
  const own = words([job.id, job.name ?? ""].join(" "));
  if (PRODUCTION_WORDS.test(own)) return { stage: "production", reason: `job ${job.id}` };
  if (PRE_PRODUCTION_WORDS.test(own)) return { stage: "pre-production", reason: `job ${job.id}` };
  const commands = words(
    [
      ...job.steps.flatMap((s) => (s.run ? deployLines(s.run.value) : [])),
      ...job.steps.filter(actionDeploys).flatMap((s) => [...s.with.values()].map((v) => v.value)),
      ...[...job.env.values()].map((v) => v.value),
    ].join(" "),
  );
  if (PRODUCTION_WORDS.test(commands)) return { stage: "production", reason: "deploy arguments" };
  if (PRE_PRODUCTION_WORDS.test(commands)) return { stage: "pre-production", reason: "deploy arguments" };
  const file = workflow.source.path.split("/").pop() ?? "";
  const around = words(
    [workflow.name ?? "", file, ...[...workflow.env.values()].map((v) => v.value)].join(" "),
  );
  if (PRODUCTION_WORDS.test(around)) return { stage: "production", reason: "workflow name" };
  if (PRE_PRODUCTION_WORDS.test(around)) return { stage: "pre-production", reason: "workflow name" };
  if (deploysFromMainline(workflow))
    return { stage: "production", reason: "deploys the default branch, releases or tags" };
  // A job that runs for pushes to the default branch by its own condition (`if: github.ref ==
  // 'refs/heads/master'`), in a workflow every push starts.
  if (MAINLINE_CONDITION.test(job.if?.value ?? ""))
    return { stage: "production", reason: "runs for the default branch (its if:)" };
  return { stage: "unknown", reason: "nothing names a stage" };
}

/** A condition that selects pushes to the default branch. */
const MAINLINE_CONDITION =
  /github\.ref\s*==\s*['"]refs\/heads\/(main|master)['"]|github\.ref_name\s*==\s*['"](main|master)['"]/;

/** Triggered by pushes to main/master, by releases or by version tags: what ships to users. */
function deploysFromMainline(workflow: Workflow): boolean {
  if (workflow.on.has("release")) return true;
  const push = workflow.on.get("push");
  if (!push) return false;
  const config = push.value as { branches?: unknown; tags?: unknown } | null;
  // Every push, feature branches too: as often a preview or dev deploy as a production one.
  if (!config) return false;
  const branches = Array.isArray(config.branches) ? config.branches.map(String) : [];
  const tags = Array.isArray(config.tags) ? config.tags.map(String) : [];
  return branches.some((b) => /^(main|master|trunk|release.*)$/.test(b)) || tags.length > 0;
}

/** Inputs that pick the environment a job deploys to. */
const ENVIRONMENT_INPUT =
  /\b(?:github\.event\.)?inputs\.((?:[\w]+[-_])?(?:environment|env|stage)(?:[-_]name)?)\b/i;

/**
 * The input that picks where a job deploys (`make release ENVIRONMENT=${{ inputs.environment }}`),
 * when production is among what it can pick: one of its options, or any value of a free-text
 * input. `undefined` when no input picks it, or none of its options is production.
 */
export function productionByInput(job: Job, workflow: Workflow): string | undefined {
  const read = ENVIRONMENT_INPUT.exec(jobText(job))?.[1];
  if (!read) return workflowEnvironmentInput(workflow);
  for (const { name, definition } of inputDefinitions(workflow)) {
    if (name !== read) continue;
    const options = Array.isArray(definition.options) ? definition.options.map(String) : undefined;
    if (!options || options.some((o) => PRODUCTION_WORDS.test(words(o)))) return `inputs.${read}`;
  }
  return undefined;
}

/**
 * The environments an input can pick for a job (`ENVIRONMENT: staging | production`), from
 * the options of the input the job reads, or of the workflow's environment input.
 */
export function environmentChoices(job: Job, workflow: Workflow): string[] {
  const read = ENVIRONMENT_INPUT.exec(jobText(job))?.[1];
  return inputDefinitions(workflow)
    .filter(({ name }) => (read ? name === read : ENVIRONMENT_INPUT.test(`inputs.${name}`)))
    .flatMap(({ definition }) => (Array.isArray(definition.options) ? definition.options.map(String) : []));
}

interface InputDefinition {
  options?: unknown[];
  type?: unknown;
  description?: unknown;
}

/** The string and choice inputs of the workflow's dispatch and call triggers. */
function inputDefinitions(workflow: Workflow): Array<{ name: string; definition: InputDefinition }> {
  const out: Array<{ name: string; definition: InputDefinition }> = [];
  for (const trigger of ["workflow_dispatch", "workflow_call"] as const) {
    for (const [name, value] of Object.entries(triggerInputs(workflow, trigger))) {
      const definition = (value ?? {}) as InputDefinition;
      if (definition.type !== undefined && definition.type !== "string" && definition.type !== "choice")
        continue;
      out.push({ name, definition });
    }
  }
  return out;
}

/**
 * A workflow built to deploy to the environment its caller names (`deploy-env: dev | prod`,
 * said by the input's options or description): each of its deploys goes there, whether or not
 * the deploying job reads the input itself.
 */
function workflowEnvironmentInput(workflow: Workflow): string | undefined {
  for (const { name, definition } of inputDefinitions(workflow)) {
    if (!ENVIRONMENT_INPUT.test(`inputs.${name}`)) continue;
    const said = [
      ...(Array.isArray(definition.options) ? definition.options : []),
      definition.description ?? "",
    ];
    if (said.some((text) => PRODUCTION_WORDS.test(words(String(text))))) return `inputs.${name}`;
  }
  return undefined;
}

export function isProductionJob(job: Job, workflow: Workflow): boolean {
  return isDeployJob(job) && stageOf(job, workflow).stage === "production";
}

/** Everything the text of a file can say that any deploy reading might look at (a superset). */
export function mayDeploy(text: string): boolean {
  if (DEPLOY_COMMAND.test(text)) return true;
  const lower = text.toLowerCase();
  for (const action of [...DEPLOY_ACTIONS, ...Object.keys(COMMAND_ACTIONS)])
    if (lower.includes(action)) return true;
  return false;
}

/** Static files uploaded to a bucket or a pages host: nothing runs that could fail requests. */
const STATIC_SITE =
  /\baws\b[^\n|;&]*\ss3\s+(sync|cp)\b|\bgsutil\b[^\n|;&]*\b(rsync|cp)\b|\bwrangler\s+pages\s+deploy\b|\bnetlify(-cli)?\b[^\n|;&]*?\sdeploy\b|\bfirebase\s+deploy\b[^\n]*--only\s+hosting|\bmkdocs\s+gh-deploy\b|\bquarto\s+publish\s+(netlify|gh-pages|quarto-pub|connect)\b/;
const STATIC_ACTIONS =
  /^(actions\/deploy-pages|peaceiris\/actions-gh-pages|jamesives\/github-pages-deploy-action|cloudflare\/pages-action|nwtgck\/actions-netlify|quarto-dev\/quarto-actions\/publish)$/i;

/** A step that uploads a static site: a command, an action, wrangler-action's `pages deploy`, or a local action of those. */
function staticUpload(step: Step): boolean {
  if (step.localSteps) return deploysStaticSite([...step.localSteps]);
  if (step.run) return STATIC_SITE.test(step.run.value);
  if (/^cloudflare\/wrangler-action$/i.test(step.uses?.repository ?? ""))
    return /^\s*pages\s+deploy\b/.test(step.with.get("command")?.value ?? "");
  return STATIC_ACTIONS.test(step.uses?.raw.split("@")[0] ?? "");
}

/** Whether every deploy among the steps uploads a static site. */
export function deploysStaticSite(steps: Step[]): boolean {
  const deploys = steps.filter(stepDeploys);
  return deploys.length > 0 && deploys.every((s) => staticUpload(s));
}

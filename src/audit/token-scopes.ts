import type { Job, Step, Workflow } from "./model/workflow.js";
import { githubScriptScopes, JOB_TOKEN, type Scopes, scriptScopes } from "./token-script.js";

/**
 * Which GITHUB_TOKEN write scopes a job can be using, for the scopes whose users can be told
 * apart in a workflow: the actions that need a scope (listed below), the writes of its scripts'
 * `gh` commands, `gh api` calls, git credentials and `actions/github-script` calls (read in
 * ./token-script.ts), or anything, when something may use the token freely (a program handed
 * it, an action this list does not know, a reusable workflow the audit did not read).
 * `id-token` is not judged: every cloud login uses it in its own way.
 */
export const JUDGED_SCOPES = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "issues",
  "packages",
  "pages",
  "pull-requests",
  "security-events",
  "statuses",
] as const;
export type JudgedScope = (typeof JUDGED_SCOPES)[number];

/** Actions that need a scope, by repository (a prefix ends with `/`). */
const SCOPE_USERS: Record<JudgedScope, readonly string[]> = {
  actions: [
    "actions/delete-package-versions",
    "benc-uk/workflow-dispatch",
    "convictional/trigger-workflow-and-wait",
  ],
  attestations: ["actions/attest", "actions/attest-build-provenance", "actions/attest-sbom"],
  checks: [
    "dorny/test-reporter",
    "mikepenz/action-junit-report",
    "enricomi/publish-unit-test-result-action",
    "wearerequired/lint-action",
    "reviewdog/",
    "cds-snc/terraform-plan",
  ],
  // Releases, tags, commits and pages branches; a script's own `git push` or `git tag` is read below.
  contents: [
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "actions/upload-release-asset",
    "svenstaro/upload-release-action",
    "goreleaser/goreleaser-action",
    "cycjimmy/semantic-release-action",
    "changesets/action",
    "googleapis/release-please-action",
    "google-github-actions/release-please-action",
    "release-drafter/release-drafter",
    "peter-evans/",
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
    "jamesives/github-pages-deploy-action",
    "peaceiris/actions-gh-pages",
    "mathieudutour/github-tag-action",
    "anothrnick/github-tag-action",
    "rickstaa/action-create-tag",
    "py-cov-action/python-coverage-comment-action",
    "nwtgck/actions-netlify",
  ],
  deployments: [
    "chrnorm/deployment-action",
    "chrnorm/deployment-status",
    "bobheadxi/deployments",
    "nwtgck/actions-netlify",
    "cloudflare/pages-action",
  ],
  discussions: [],
  issues: [
    "actions/stale",
    "peter-evans/create-issue-from-file",
    "actions-ecosystem/",
    "jasonetco/create-an-issue",
  ],
  // setup-ko logs ko into ghcr.io with the job's token.
  packages: [
    "docker/login-action",
    "docker/build-push-action",
    "actions/delete-package-versions",
    "ko-build/setup-ko",
    // Retags on ghcr.io with the job's token by default.
    "shrink/actions-docker-registry-tag",
  ],
  pages: ["actions/deploy-pages"],
  "pull-requests": [
    "peter-evans/",
    "marocchino/sticky-pull-request-comment",
    "thollander/actions-comment-pull-request",
    "actions/labeler",
    "amannn/action-semantic-pull-request",
    "actions/stale",
    "dependabot/fetch-metadata",
    "borchero/terraform-plan-comment",
    "dflook/terraform-",
    "mshick/add-pr-comment",
    "py-cov-action/python-coverage-comment-action",
    "nwtgck/actions-netlify",
    "enricomi/publish-unit-test-result-action",
    "reviewdog/",
  ],
  "security-events": ["github/codeql-action/", "aquasecurity/trivy-action", "ossf/scorecard-action"],
  statuses: [
    "myrotvorets/set-commit-status-action",
    "ouzi-dev/commit-status-updater",
    "sibz/github-status-action",
  ],
};

/**
 * Actions that take no token input: notifiers that post through their own webhook or mail
 * account, and remote shells and copies that log in with the host's own key.
 */
export const TOKENLESS_ACTIONS =
  /^(slackapi\/slack-github-action|rtcamp\/action-slack-notify|appleboy\/(discord|telegram|ssh|scp)-action|sauravpanda\/discord-notify|dawidd6\/action-send-mail|easingthemes\/ssh-deploy|burnett01\/rsync-deployments|webfactory\/ssh-agent|shimataro\/ssh-key-action|garygrossgarten\/github-action-ssh)$/i;

/**
 * Widely used actions that read with the job's token at most (changed files, release downloads,
 * run status) or take their own credentials (Codecov, Sentry, Sonar, PyPI and crates.io trusted
 * publishing), and tools they install and run.
 */
const READ_ONLY_ACTIONS = [
  String.raw`step-security\/harden-runner`,
  String.raw`dorny\/paths-filter`,
  String.raw`tj-actions\/(changed-files|branch-names)`,
  String.raw`codecov\/codecov-action`,
  String.raw`getsentry\/action-release`,
  String.raw`swatinem\/rust-cache`,
  String.raw`pypa\/gh-action-pypi-publish`,
  String.raw`rust-lang\/crates-io-auth-action`,
  String.raw`golangci\/golangci-lint-action`,
  String.raw`cypress-io\/github-action`,
  String.raw`dsherret\/rust-toolchain-file`,
  String.raw`helmfile\/helmfile-action`,
  String.raw`gruntwork-io\/terragrunt-action`,
  String.raw`peaceiris\/actions-hugo`,
  String.raw`actions\/(configure-pages|create-github-app-token)`,
  String.raw`sonarsource\/sonarqube-scan-action`,
  String.raw`anchore\/sbom-action\/download-syft`,
  String.raw`dsaltares\/fetch-gh-release-asset`,
  String.raw`gamesight\/slack-workflow-status`,
  String.raw`ilshidur\/action-discord`,
  String.raw`useblacksmith\/build-push-action`,
  String.raw`einaregilsson\/beanstalk-deploy`,
  String.raw`pulumi\/esc-action`,
  String.raw`cloud-gov\/cg-cli-tools`,
  String.raw`fluxcd\/pkg\/actions\/[\w-]+`,
  String.raw`borales\/actions-yarn`,
  String.raw`josstorer\/get-current-time`,
];

/**
 * Actions that never use the GITHUB_TOKEN's write scopes: set-ups and installers, caches and
 * artifacts, cloud and VPN logins, secret stores, notifiers that post through their own webhook,
 * remote shells, and deploys that authenticate with their own credentials. A token they are
 * given (to download a release or another run's artifact) is read.
 */
const NO_TOKEN_WRITES = new RegExp(
  String.raw`^(actions\/(checkout|setup-[\w-]+|cache(\/\w+)?|upload-artifact|download-artifact|upload-pages-artifact)|aws-actions\/[\w-]+|google-github-actions\/(auth|setup-gcloud|deploy-cloudrun|deploy-appengine|get-gke-credentials|upload-cloud-storage)|azure\/[\w-]+|hashicorp\/[\w-]+|docker\/(setup-[\w-]+|metadata-action)|superfly\/flyctl-actions|pnpm\/action-setup|oven-sh\/setup-bun|astral-sh\/setup-uv|dtolnay\/rust-toolchain|ruby\/setup-ruby|gradle\/actions\/setup-gradle|asdf-vm\/actions\/[\w-]+|depot\/(setup-action|build-push-action)|tailscale\/github-action|cloudflare\/wrangler-action|${TOKENLESS_ACTIONS.source.slice(2, -2)}|kota65535\/github-openvpn-connect-action|1password\/load-secrets-action|${READ_ONLY_ACTIONS.join("|")})(\/[\w./-]+)?$`,
  "i",
);

/** A script that may use the token for anything: the GitHub CLI, an API call, the token itself. */
export const TOKEN_IN_SCRIPT =
  /(^|[\s;&|(])gh\s+|api\.github\.com|GITHUB_TOKEN|github\.token|ACTIONS_RUNTIME_TOKEN/;

/** An action, or a sub-action, whose name says it installs or sets up a tool. */
const INSTALLER = /(^|\/|-)(setup|install|installer)(-[\w.-]+)?$/i;

/** An input that hands an action a token: another one than the job's means the job's is not used. */
const TOKEN_INPUT = /(^|[-_])token$|[a-z]Token$/;

/** The scopes a job may use, reading it with the token the workflow's and job's env give it. */
export function scopesUsed(job: Job, workflow: Workflow): Scopes {
  if (job.uses) {
    // A workflow of the repository that the audit read: what its jobs can use.
    const callee = job.callee;
    if (!callee || callee.jobs.length === 0) return "any";
    // What the called workflow asks for must be granted, or GitHub refuses to start it.
    const used = new Set<JudgedScope>(writeScopes(callee.permissions?.value));
    for (const called of callee.jobs) {
      for (const scope of writeScopes(called.permissions?.value)) used.add(scope);
      const scopes = scopesUsed(called, callee);
      if (scopes === "any") return "any";
      for (const scope of scopes) used.add(scope);
    }
    return used;
  }
  const shared = [workflow.env, job.env];
  return stepsScopes(job.steps, shared);
}

/** Whether the workflow's or the job's env hands the token to every step of the job. */
export function tokenInSharedEnv(job: Job, workflow: Workflow): boolean {
  return [...workflow.env.values(), ...job.env.values()].some((v) => TOKEN_IN_SCRIPT.test(v.value));
}

type Env = ReadonlyMap<string, { value: string }>;

/** The scopes a run of steps may use: the union of each step's, or all when one may use any. */
function stepsScopes(steps: readonly Step[], shared: readonly Env[]): Scopes {
  const used = new Set<JudgedScope>();
  for (const step of steps) {
    const scopes = stepScopes(step, shared);
    if (scopes === "any") return "any";
    for (const scope of scopes) used.add(scope);
  }
  return used;
}

function stepScopes(step: Step, shared: readonly Env[]): Scopes {
  if (step.localSteps) return stepsScopes(step.localSteps, [...shared, step.env]);
  const envs = [...shared, step.env];
  if (step.run) {
    const tokenInEnv = envs.some((env) => [...env.values()].some((v) => JOB_TOKEN.test(v.value)));
    return scriptScopes(step.run.value, tokenInEnv, ghGetsJobToken(envs));
  }
  const uses = step.uses;
  if (!uses || uses.kind !== "action" || !uses.repository) return "any"; // docker:// or unreadable
  const repository = uses.raw.split("@")[0]!.toLowerCase(); // with the path of a sub-action
  const inputs = [...step.with.entries()];
  // Given another token (an app's, a personal one), the action does not use the job's.
  const tokens = inputs.filter(([name, v]) => TOKEN_INPUT.test(name) && v.value.trim());
  if (tokens.length && tokens.every(([, v]) => !JOB_TOKEN.test(v.value))) return new Set();
  if (repository === "actions/github-script") return githubScriptScopes(step.with.get("script")?.value ?? "");
  const needs = JUDGED_SCOPES.filter((scope) =>
    SCOPE_USERS[scope].some((user) =>
      user.endsWith("/") ? repository.startsWith(user) : repository === user,
    ),
  );
  if (needs.length) return new Set(needs);
  if (NO_TOKEN_WRITES.test(repository) || INSTALLER.test(repository)) {
    // The token as a `token:` input is read (downloads); named in a script input, it may do anything.
    const inScript = inputs.some(([name, v]) => !TOKEN_INPUT.test(name) && TOKEN_IN_SCRIPT.test(v.value));
    return inScript ? "any" : new Set();
  }
  return "any"; // an action this list does not know may use the token it is given by default
}

/**
 * Whether `gh` in a script runs with the job's token: the nearest `GH_TOKEN` or `GITHUB_TOKEN`
 * (step, then job, then workflow) names it; with neither set, assume it does (a token an
 * earlier step exported).
 */
function ghGetsJobToken(envs: readonly Env[]): boolean {
  for (const env of [...envs].reverse()) {
    const token = env.get("GH_TOKEN") ?? env.get("GITHUB_TOKEN");
    if (token) return JOB_TOKEN.test(token.value);
  }
  return true;
}

/** The judged scopes a permissions block grants write to. */
function writeScopes(permissions: unknown): JudgedScope[] {
  if (permissions === "write-all") return [...JUDGED_SCOPES];
  if (!permissions || typeof permissions !== "object") return [];
  return Object.entries(permissions as Record<string, unknown>)
    .filter(([scope, level]) => level === "write" && (JUDGED_SCOPES as readonly string[]).includes(scope))
    .map(([scope]) => scope as JudgedScope);
}

import type { Job, Step, Workflow } from "./model/workflow.js";

/**
 * Which GITHUB_TOKEN write scopes a job can be using, for the scopes whose users can be told
 * apart in a workflow: an action or command that needs the scope, or something that may use
 * the token for anything (a `gh` command, an API call, the token passed on, an action this list
 * does not know, a reusable workflow). `contents` and `id-token` are not judged: checkouts,
 * pushes, releases and every cloud login use them in too many ways to tell.
 */
export const JUDGED_SCOPES = [
  "actions",
  "attestations",
  "checks",
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
  checks: ["dorny/test-reporter", "mikepenz/action-junit-report", "enricomi/publish-unit-test-result-action"],
  deployments: ["chrnorm/deployment-action", "chrnorm/deployment-status", "bobheadxi/deployments"],
  discussions: [],
  issues: ["actions/stale", "peter-evans/create-issue-from-file", "actions-ecosystem/"],
  packages: ["docker/login-action", "docker/build-push-action", "actions/delete-package-versions"],
  pages: ["actions/deploy-pages"],
  "pull-requests": [
    "peter-evans/",
    "marocchino/sticky-pull-request-comment",
    "thollander/actions-comment-pull-request",
    "actions/labeler",
    "amannn/action-semantic-pull-request",
    "actions/stale",
    "dependabot/fetch-metadata",
  ],
  "security-events": ["github/codeql-action/", "aquasecurity/trivy-action", "ossf/scorecard-action"],
  statuses: ["myrotvorets/set-commit-status-action", "ouzi-dev/commit-status-updater"],
};

/**
 * Actions that never use the GITHUB_TOKEN's write scopes: set-ups, caches and artifacts, cloud
 * logins, builds and deploys that authenticate with their own credentials.
 */
const NO_TOKEN_WRITES =
  /^(actions\/(checkout|setup-[\w-]+|cache(\/\w+)?|upload-artifact|download-artifact)|aws-actions\/[\w-]+|google-github-actions\/(auth|setup-gcloud|deploy-cloudrun|get-gke-credentials)|azure\/(login|setup-[\w-]+|k8s-[\w-]+|webapps-deploy|arm-deploy|cli)|hashicorp\/setup-[\w-]+|docker\/(setup-[\w-]+|metadata-action)|superfly\/flyctl-actions|pnpm\/action-setup|oven-sh\/setup-bun|astral-sh\/setup-uv|dtolnay\/rust-toolchain|ruby\/setup-ruby|gradle\/actions\/setup-gradle|asdf-vm\/actions\/[\w-]+|depot\/(setup-action|build-push-action))(\/[\w./-]+)?$/i;

/** A script that may use the token for anything: the GitHub CLI, an API call, the token itself. */
export const TOKEN_IN_SCRIPT =
  /(^|[\s;&|(])gh\s+|api\.github\.com|GITHUB_TOKEN|github\.token|ACTIONS_RUNTIME_TOKEN/;

/**
 * The judged scopes a job may use: all of them when anything in it may use the token freely,
 * else the scopes of the actions it runs.
 */
export function scopesUsed(job: Job, workflow: Workflow): Set<JudgedScope> | "any" {
  if (job.uses) return "any";
  // The token in the workflow's or job's env reaches every script, whatever it runs.
  if (tokenInSharedEnv(job, workflow) && job.steps.some((step) => step.run)) return "any";
  return stepsScopes(job.steps);
}

/** Whether the workflow's or the job's env hands the token to every step of the job. */
export function tokenInSharedEnv(job: Job, workflow: Workflow): boolean {
  return [...workflow.env.values(), ...job.env.values()].some((v) => TOKEN_IN_SCRIPT.test(v.value));
}

/** The scopes a run of steps may use: the union of each step's, or all when one may use any. */
function stepsScopes(steps: readonly Step[]): Set<JudgedScope> | "any" {
  const used = new Set<JudgedScope>();
  for (const step of steps) {
    const scopes = stepScopes(step);
    if (scopes === "any") return "any";
    for (const scope of scopes) used.add(scope);
  }
  return used;
}

function stepScopes(step: Step): Set<JudgedScope> | "any" {
  if (step.localSteps) return stepsScopes(step.localSteps);
  const text = [
    step.run?.value ?? "",
    ...[...step.env.values()].map((v) => v.value),
    ...[...step.with.values()].map((v) => v.value),
  ].join("\n");
  if (step.run && TOKEN_IN_SCRIPT.test(text)) return "any";
  const uses = step.uses;
  if (!uses) return new Set();
  if (uses.kind !== "action" || !uses.repository) return "any"; // docker:// or unreadable: may do anything
  const repository = uses.raw.split("@")[0]!.toLowerCase(); // with the path of a sub-action
  const needs = JUDGED_SCOPES.filter((scope) =>
    SCOPE_USERS[scope].some((user) =>
      user.endsWith("/") ? repository.startsWith(user) : repository === user,
    ),
  );
  if (needs.length) return new Set(needs);
  if (NO_TOKEN_WRITES.test(repository)) return TOKEN_IN_SCRIPT.test(text) ? "any" : new Set();
  return "any"; // an action this list does not know may use the token it is given by default
}

import type { Job, Step, Workflow } from "./model/workflow.js";

/**
 * Which GITHUB_TOKEN write scopes a job can be using, for the scopes whose users can be told
 * apart in a workflow: an action or command that needs the scope, or something that may use
 * the token for anything (a `gh` command, an API call, the token passed on, an action this list
 * does not know, a reusable workflow the audit did not read). `contents` is used by a script's
 * `git push` or `git tag` and by release, tag, commit and pages actions. `id-token` is not
 * judged: every cloud login uses it in its own way.
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
  checks: ["dorny/test-reporter", "mikepenz/action-junit-report", "enricomi/publish-unit-test-result-action"],
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
  ],
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

/** A script that writes to the repository through the checkout's credentials. */
const CONTENTS_IN_SCRIPT =
  /\bgit\b[^\n|;&]*\s(push|tag)\b|\bmike\s+(deploy|set-default|delete)\b|\bmkdocs\s+gh-deploy\b|\bghp-import\b|\bgh-pages\b|\bsemantic-release\b|\blerna\s+(publish|version)\b|\bchangeset\s+(publish|tag)\b|\brelease-it\b|\bgoreleaser\b/;

/** A script that may use the token for anything: the GitHub CLI, an API call, the token itself. */
export const TOKEN_IN_SCRIPT =
  /(^|[\s;&|(])gh\s+|api\.github\.com|GITHUB_TOKEN|github\.token|ACTIONS_RUNTIME_TOKEN/;

/**
 * The judged scopes a job may use: all of them when anything in it may use the token freely,
 * else the scopes of the actions it runs.
 */
export function scopesUsed(job: Job, workflow: Workflow): Set<JudgedScope> | "any" {
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
  if (!uses) return new Set(step.run && CONTENTS_IN_SCRIPT.test(step.run.value) ? ["contents"] : []);
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

/** The judged scopes a permissions block grants write to. */
function writeScopes(permissions: unknown): JudgedScope[] {
  if (permissions === "write-all") return [...JUDGED_SCOPES];
  if (!permissions || typeof permissions !== "object") return [];
  return Object.entries(permissions as Record<string, unknown>)
    .filter(([scope, level]) => level === "write" && (JUDGED_SCOPES as readonly string[]).includes(scope))
    .map(([scope]) => scope as JudgedScope);
}

import { isPair, isScalar, type Node } from "yaml";
import type { Job, Workflow } from "../model/workflow.js";
import { calledWorkflow, callsLocalWorkflow } from "../reusable.js";
import { TOKEN_IN_SCRIPT, TOKENLESS_ACTIONS, tokenInSharedEnv } from "../token-scopes.js";
import { defineRule, type Fix, type Report } from "../types.js";

/**
 * Actions that need nothing from the job's GITHUB_TOKEN beyond reading the repository (they
 * use the runtime token, their own credentials, or a token passed explicitly — which the
 * GITHUB_TOKEN check below sees). A workflow using only these is not broken by `contents: read`.
 */
const READ_ONLY_ACTIONS = new Set([
  "actions/checkout",
  "actions/setup-node",
  "actions/setup-python",
  "actions/setup-go",
  "actions/setup-java",
  "actions/setup-dotnet",
  "actions/cache",
  "actions/upload-artifact",
  "actions/download-artifact",
  "docker/setup-buildx-action",
  "docker/setup-qemu-action",
  "docker/build-push-action",
  "docker/login-action",
  "docker/metadata-action",
  "aws-actions/configure-aws-credentials",
  "aws-actions/amazon-ecr-login",
  "aws-actions/amazon-ecs-render-task-definition",
  "aws-actions/amazon-ecs-deploy-task-definition",
  "pnpm/action-setup",
  "oven-sh/setup-bun",
  "astral-sh/setup-uv",
  "ruby/setup-ruby",
  "dtolnay/rust-toolchain",
  "swatinem/rust-cache",
  "hashicorp/setup-terraform",
  "azure/setup-kubectl",
  "azure/setup-helm",
  "google-github-actions/setup-gcloud",
  "codecov/codecov-action",
]);

export const missingPermissions = defineRule({
  meta: {
    id: "missing-permissions",
    name: "Default token permissions",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports workflows without a top-level `permissions` block that have jobs without their own, so those jobs get the repository's default GITHUB_TOKEN permissions.",
    fixable: true,
  },
  workflow(workflow, ctx) {
    if (!judged(workflow)) return;
    const lacking = workflow.jobs.filter((job) => !job.permissions);
    const without = lacking.filter((job) => reachesToken(job, workflow));
    if (without.length === 0) return;
    const allLack = lacking.length === workflow.jobs.length;
    // Calls to the repository's own workflows are judged with the callee in view (below).
    if (without.some(callsLocalWorkflow)) {
      if (!allLack)
        for (const job of without) if (!callsLocalWorkflow(job)) ctx.report(jobFinding(job, true));
      return;
    }
    report(workflow, without, allLack, ctx.report);
  },
  /**
   * A job calling the repository's own workflow gets the token that workflow's jobs ask for
   * when each of them sets permissions (a called workflow can only narrow the caller's). With
   * the callee unread, or one of its jobs setting none, the default token reaches it.
   */
  repository(ctx) {
    for (const workflow of ctx.workflows) {
      if (!judged(workflow)) continue;
      const lacking = workflow.jobs.filter((job) => !job.permissions);
      const without = lacking.filter((job) => reachesToken(job, workflow));
      if (!without.some(callsLocalWorkflow)) continue;
      const exposed = without.filter(
        (job) => !callsLocalWorkflow(job) || !narrowedByCallee(job, ctx.workflows),
      );
      if (exposed.length === 0) continue;
      if (lacking.length < workflow.jobs.length) {
        // The non-callers were reported with the workflow's own findings.
        for (const job of exposed) if (callsLocalWorkflow(job)) ctx.report(workflow, jobFinding(job));
        continue;
      }
      // One finding for the workflow unless a called workflow narrows some job's token.
      const narrowed = without.length - exposed.length;
      report(workflow, exposed, narrowed === 0, (r) => ctx.report(workflow, r));
    }
  },
});

/**
 * Whether anything in the job can use the GITHUB_TOKEN: an action (actions get it as a default
 * input), a called workflow, or a script or variable that names it. A job of scripts that never
 * name it (computing outputs, printing results) cannot reach the token, whatever its scopes.
 */
function reachesToken(job: Job, workflow: Workflow): boolean {
  if (job.uses || job.steps.some((step) => step.uses && !TOKENLESS_ACTIONS.test(step.uses.repository ?? "")))
    return true;
  if (tokenInSharedEnv(job, workflow)) return true;
  return job.steps.some((step) =>
    [step.run?.value ?? "", ...[...step.env.values()].map((v) => v.value)].some((text) =>
      TOKEN_IN_SCRIPT.test(text),
    ),
  );
}

/** Reusable workflows get the caller's token: the calling workflow is where to restrict it. */
function judged(workflow: Workflow): boolean {
  if (workflow.permissions || workflow.jobs.length === 0) return false;
  return ![...workflow.on.keys()].every((event) => event === "workflow_call");
}

function narrowedByCallee(job: Job, workflows: Workflow[]): boolean {
  const callee = calledWorkflow(job, workflows);
  return Boolean(
    callee && (callee.permissions || (callee.jobs.length > 0 && callee.jobs.every((j) => j.permissions))),
  );
}

/**
 * When no job of the workflow sets permissions, one finding at `jobs:` (with the fix that adds
 * a top-level block); otherwise one per exposed job.
 */
function report(workflow: Workflow, exposed: Job[], allLack: boolean, emit: (report: Report) => void): void {
  if (!allLack) {
    for (const job of exposed) emit(jobFinding(job));
    return;
  }
  const jobsKey = topLevelKey(workflow, "jobs");
  const first = exposed[0]!;
  const others = workflow.jobs.length > 1 ? " (and every other job)" : "";
  emit({
    // At `jobs:`, where the fix goes, when the workflow has it as a key of its own.
    node: jobsKey ?? first.key,
    key: "workflow",
    message: `neither the workflow nor any job sets permissions, so job "${first.id}"${others} gets the repository's default GITHUB_TOKEN permissions (read-write in many repositories): add \`permissions: contents: read\` at the top of the workflow and grant more only to the jobs that need it`,
    fix: jobsKey && fix(workflow, jobsKey),
  });
}

function jobFinding(job: Job, siblingsSetThem = false): Report {
  return {
    node: job.key,
    key: job.id,
    message: job.uses
      ? `job "${job.id}" sets no permissions, the workflow has none and the workflow it calls does not set them on every job, so it runs with the repository's default token (read-write in many repositories): give this job a permissions block (e.g. contents: read)`
      : `job "${job.id}" sets no permissions and the workflow has none, so it gets the repository's default token (read-write in many repositories): give it a permissions block${siblingsSetThem ? " like its sibling jobs" : ""} (e.g. contents: read)`,
  };
}

function topLevelKey(workflow: Workflow, name: string): Node | undefined {
  for (const item of workflow.root.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === name) return item.key as Node;
  }
  return undefined;
}

function fix(workflow: Workflow, jobsKey: Node): Fix | undefined {
  const text = workflow.source.text;
  const offset = jobsKey.range?.[0];
  if (offset === undefined || workflow.root.flow) return undefined;
  let at = text.lastIndexOf("\n", offset - 1) + 1;
  if (at !== offset) return undefined; // `jobs:` is not at column 1
  // Keep comments written right above `jobs:` attached to it.
  while (at > 0) {
    const previous = text.lastIndexOf("\n", at - 2) + 1;
    if (!text.slice(previous, at).startsWith("#")) break;
    at = previous;
  }
  const needs = needsMoreThanRead(workflow);
  return {
    description: needs
      ? `add permissions: contents: read (check first: ${needs})`
      : "add permissions: contents: read",
    safe: !needs,
    edits: [{ start: at, end: at, text: "permissions:\n  contents: read\n\n" }],
  };
}

/** Why `contents: read` might not be enough, or undefined when nothing suggests it. */
function needsMoreThanRead(workflow: Workflow): string | undefined {
  if (/\bGITHUB_TOKEN\b|\bgithub\.token\b/.test(workflow.source.text)) return "it uses the GITHUB_TOKEN";
  for (const job of workflow.jobs) {
    if (job.uses) return `job "${job.id}" calls ${job.uses.raw}, whose needs are not known here`;
    for (const step of job.steps) {
      if (step.run && /\bgit\s+push\b/.test(step.run.value)) return `job "${job.id}" pushes with git`;
      const uses = step.uses;
      if (!uses || uses.kind === "docker") continue;
      if (uses.kind === "local" || !READ_ONLY_ACTIONS.has(uses.repository?.toLowerCase() ?? "")) {
        return `job "${job.id}" uses ${uses.raw}, which may need more`;
      }
    }
  }
  return undefined;
}

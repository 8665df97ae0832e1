import type { Job, Step, Workflow } from "./model/workflow.js";

/**
 * The judgement calls rules share: is this a deploy, is it production, is it pull-request CI.
 * Each heuristic is documented in the docs of the rules that use it, and tested at its edges.
 */

const DEPLOY_COMMAND =
  /\b(aws\s+ecs\s+(update-service|deploy)|kubectl\s+(apply|set\s+image|rollout\s+restart|replace|patch)|helm\s+(upgrade|install)|terraform\s+apply|serverless\s+deploy|sls\s+deploy|flyctl\s+deploy|fly\s+deploy|vercel\s+(deploy\s+)?--prod|netlify\s+deploy|gcloud\s+run\s+deploy|az\s+webapp\s+deploy|eb\s+deploy|cdk\s+deploy|kamal\s+deploy|shipgate\s+(deploy|promote|rollback))\b/;
const DEPLOY_ACTIONS = [
  "aws-actions/amazon-ecs-deploy-task-definition",
  "azure/k8s-deploy",
  "azure/webapps-deploy",
  "google-github-actions/deploy-cloudrun",
  "appleboy/ssh-action",
  "superfly/flyctl-actions",
  "amondnet/vercel-action",
  "cloudflare/wrangler-action",
];

export function stepDeploys(step: Step): boolean {
  if (step.run && DEPLOY_COMMAND.test(step.run.value)) return true;
  const repo = step.uses?.repository?.toLowerCase();
  return repo ? DEPLOY_ACTIONS.includes(repo) : false;
}

/** A job deploys when it targets a GitHub environment other than CI-ish ones, or runs a deploy command. */
export function isDeployJob(job: Job): boolean {
  if (job.environment && !/^(ci|test|github-pages|pypi|npm|release)$/i.test(job.environment.value))
    return true;
  return job.steps.some(stepDeploys);
}

const PRODUCTION = /\b(prod|production|live)\b/i;

export function isProductionJob(job: Job, workflow: Workflow): boolean {
  if (!isDeployJob(job)) return false;
  if (job.environment) return PRODUCTION.test(job.environment.value.replace(/[-_]/g, " "));
  const text = [job.id, job.name, workflow.name, ...job.steps.map((s) => s.run?.value ?? "")].join(" ");
  return PRODUCTION.test(text.replace(/[-_]/g, " "));
}

export function isDeployWorkflow(workflow: Workflow): boolean {
  return workflow.jobs.some(isDeployJob);
}

export function triggeredBy(workflow: Workflow, ...events: string[]): boolean {
  return events.some((e) => workflow.on.has(e));
}

/** Pull-request CI: runs on pull requests and deploys nothing. */
export function isPullRequestCi(workflow: Workflow): boolean {
  return triggeredBy(workflow, "pull_request") && !isDeployWorkflow(workflow);
}

/** Whether a step builds a container image. */
export function buildsImage(step: Step): boolean {
  if (step.uses?.repository?.toLowerCase() === "docker/build-push-action") return true;
  return Boolean(step.run && /\b(docker|podman)\s+(buildx\s+)?build\b/.test(step.run.value));
}

/** Each line of a script, with comments and line continuations joined, and its text as written. */
export function scriptLines(script: string): Array<{ text: string; raw: string }> {
  const out: Array<{ text: string; raw: string }> = [];
  let pending = "";
  let raw = "";
  for (const line of script.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    raw = raw ? raw : line;
    if (line.trimEnd().endsWith("\\")) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    out.push({ text: (pending + line).trim(), raw });
    pending = "";
    raw = "";
  }
  if (pending) out.push({ text: pending.trim(), raw });
  return out.filter((l) => l.text);
}

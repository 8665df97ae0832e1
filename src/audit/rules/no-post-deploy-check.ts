import { isDeployJob, isProductionJob, runsOnlyOnFailure, scriptLines, stepDeploys } from "../classify.js";
import { actionCommand, deploysStaticSite, remoteScript, updatesGitOpsManifest } from "../deploy-model.js";
import { jobDependents } from "../job-graph.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule } from "../types.js";

/** Commands that check a release from the outside: HTTP probes, smoke and end-to-end suites. */
const CHECK_COMMAND =
  /\b(curl|wget)\b|\bhttps?\s+(?:(?:GET|HEAD|--?[\w-]+)\s+)*(?:https?:\/\/|\$|:\d)|\b(smoke|health|verify|e2e|live-?check)|\bplaywright\s+test\b|\bcypress\s+run\b|\bk6\s+run\b|\bnewman\s+run\b/i;
/**
 * The platform's own wait for the new version to run (`kubectl rollout status`, `aws ecs wait
 * services-stable`, `helm --wait`), and deploys that move traffic only to instances that pass
 * their health checks (Kamal, Fly's rolling deploys, Cloud Run and gen2 Cloud Functions
 * revisions, Cloud Foundry's rolling strategy): they fail the job when the new version never
 * becomes healthy, but cannot see a release that runs and is wrong. Reported as a note.
 */
const STABILITY_WAIT =
  /\bkubectl\b[^\n|;&]*\brollout\s+status\b|\bkubectl\b[^\n|;&]*\swait\b[^\n|;&]*--for[\s=]+(condition[\s=/]+(available|complete|ready)|jsonpath)|\baws\b[^\n|;&]*\becs\s+wait\s+services-stable\b|\bhelm\b[^\n|;&]*\s(upgrade|install)\b[^\n|;&]*\s--(wait|atomic)\b|\bkamal\b[^\n|;&]*\s(deploy|redeploy)\b|\b(flyctl|fly)\b[^\n|;&]*\sdeploy\b(?![^\n]*--strategy[\s=]+immediate)|\bgcloud\b[^\n|;&]*\s(run\s+deploy|functions\s+deploy\b[^\n]*--gen2)|\bcf\b[^\n|;&]*\spush\b[^\n]*--strategy[\s=]+rolling/i;
/** Actions that deploy through the same health-gated mechanisms (Azure/k8s-deploy waits for the rollout). */
const STABILITY_WAIT_ACTIONS =
  /^(google-github-actions\/deploy-cloudrun|superfly\/flyctl-actions|samber\/kamal-action|azure\/k8s-deploy)$/i;
/**
 * An HTTP call that tells people or other services about the release — a chat message, a CDN
 * purge, a release marker — not one that checks it.
 */
const NOTIFICATION =
  /slack|discord|webhook|hooks\.|api\.github\.com|office\.com|pagerduty|opsgenie|api\.cloudflare\.com|api\.fastly\.com|purge|sentry\.io|newrelic\.com|datadoghq\.(com|eu)|api\.honeycomb\.io|statuspage\.io/i;
/** Piped into a shell: an installer, not a check. */
const INSTALLER = /\|\s*(sudo\s+)?(ba|z)?sh\b/;
const CHECK_ACTION = /smoke|health|http|wait[-_]?for|uptime|e2e|playwright|cypress/i;
/** `deploy` as a word or a script name (deploy.sh, deploy_prod), not "deployed" or "deployment". */
const DEPLOY_WORD = /\bdeploy(?![a-z])/i;
const INFRASTRUCTURE = /\b(terraform|tofu)\b[^\n|;&]*?\sapply\b/;
/** shipgate's own engine waits for health, analyses and rolls back by itself. */
const SELF_VERIFYING = /\bshipgate(@\S+)?\s+(deploy|promote|rollback)\b/;

export const noPostDeployCheck = defineRule({
  meta: {
    id: "no-post-deploy-check",
    name: "Deploy without a health or smoke check",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports deploy jobs where nothing after the last deploy step checks the new release: no curl/wget of a URL, `shipgate verify`, smoke, health or end-to-end script, or health-check action (only a wait for a stable rollout is a note).",
    fixable: false,
  },
  job(job, ctx) {
    if (!isDeployJob(job)) return;
    // Rollback steps only run once something failed; they are not the deploy to check.
    const steps = job.steps.filter((s) => !runsOnlyOnFailure(s));
    // A job in a deploy environment that deploys through its own script (`./deploy.sh`, `make deploy`).
    const ownScript = !steps.some(stepDeploys);
    // A GitOps commit is applied later by Flux or Argo CD: there is nothing to check yet here.
    if (ownScript && updatesGitOpsManifest(job)) return;
    const last = ownScript
      ? // A step named for the deploy that checks it (`./.github/actions/post-deploy-smoke-test`) is the check.
        findLastIndex(steps, (s) => DEPLOY_WORD.test(s.run?.value ?? s.uses?.raw ?? "") && !checks(s))
      : findLastIndex(steps, deploysRelease);
    const step = steps[last];
    if (!step || SELF_VERIFYING.test(step.run?.value ?? "")) return;
    if (checksAfterDeploy(step, ownScript) || steps.slice(last + 1).some(checks)) return;
    // Jobs that run after this one (directly or through others): where smoke-test jobs usually live.
    if (jobDependents(job, ctx.workflow).some(checksBeforeDeploying)) return;
    const node = step.uses?.node ?? step.run?.node ?? step.node;
    if (steps.slice(last).some(waitsForStability)) {
      ctx.report({
        node,
        key: job.id,
        severity: "note",
        message: `job "${job.id}" waits for the rollout to be stable, which fails on crashing or unready instances, but nothing asks the new version a question: add a smoke check (shipgate verify <url>, or curl --fail https://<host>/health) to catch a release that runs and is wrong`,
      });
      return;
    }
    // Production is where a release that runs and is wrong costs users; elsewhere it is a note.
    ctx.report({
      node,
      key: job.id,
      severity: isProductionJob(job, ctx.workflow) && !deploysStaticSite(steps) ? undefined : "note",
      message: `nothing checks the release after job "${job.id}" deploys it: the job goes green while the new version may be failing every request. Add a smoke or health check after this step: shipgate verify <url>, or curl --fail --retry 10 --retry-all-errors https://<host>/health`,
    });
  },
});

/** A deploy step that ships a release: `terraform apply` alone changes infrastructure, not the app. */
function deploysRelease(step: Step): boolean {
  if (!stepDeploys(step)) return false;
  if (!step.run) return true;
  const deploying = scriptLines(step.run.value).filter((l) => lineDeploys(step, l.text));
  return !(deploying.length > 0 && deploying.every((l) => INFRASTRUCTURE.test(l.text)));
}

function lineDeploys(step: Step, text: string): boolean {
  return stepDeploys({ ...step, uses: undefined, run: { ...step.run!, value: text } });
}

/** A deploy action told to wait for a stable rollout, or a script line that waits for one. */
function waitsForStability(step: Step): boolean {
  if (runsOnlyOnFailure(step)) return false;
  if (step.localSteps) return step.localSteps.some(waitsForStability);
  const wait = step.with.get("wait-for-service-stability")?.value ?? step.with.get("wait")?.value;
  if (wait !== undefined && /^true$/i.test(wait.trim())) return true;
  if (step.uses?.repository && STABILITY_WAIT_ACTIONS.test(step.uses.repository)) return true;
  const command = actionCommand(step)?.command;
  if (command !== undefined) return STABILITY_WAIT.test(command);
  return Boolean(step.run && scriptLines(step.run.value).some((l) => STABILITY_WAIT.test(l.text)));
}

function checks(step: Step): boolean {
  if (runsOnlyOnFailure(step)) return false;
  if (step.localSteps) return step.localSteps.some(checks);
  if (step.uses && CHECK_ACTION.test(step.uses.raw)) return true;
  // A check run on the server over SSH (`make livecheck`, `curl localhost/health`) counts too.
  const script = step.run?.value ?? remoteScript(step);
  return Boolean(script && scriptLines(script).some((l) => checkLine(l.text)));
}

function checkLine(text: string): boolean {
  return CHECK_COMMAND.test(text) && !NOTIFICATION.test(text) && !INSTALLER.test(text);
}

/** A check later in the deploy step's own script: `kubectl apply …` then `curl -f …/health`. */
function checksAfterDeploy(step: Step, ownScript: boolean): boolean {
  // A composite action of the repository that checks after its last deploy step.
  if (step.localSteps) {
    const inner = step.localSteps.filter((s) => !runsOnlyOnFailure(s));
    const last = findLastIndex(inner, stepDeploys);
    return last >= 0 && (checksAfterDeploy(inner[last]!, false) || inner.slice(last + 1).some(checks));
  }
  if (!step.run) return false;
  const commands = scriptLines(step.run.value).flatMap((l) => l.text.split(/&&|\|\||;/));
  const deploys = (text: string) =>
    ownScript
      ? DEPLOY_WORD.test(text)
      : stepDeploys({ ...step, uses: undefined, run: { ...step.run!, value: text } });
  return commands.slice(findLastIndex(commands, deploys) + 1).some(checkLine);
}

/**
 * A later job checks this deploy when it runs a check; a later deploy job (production after
 * staging) only when it runs the check before deploying itself.
 */
function checksBeforeDeploying(job: Job): boolean {
  if (job.uses) return CHECK_ACTION.test(job.uses.raw);
  const first = job.steps.findIndex(stepDeploys);
  return (first < 0 ? job.steps : job.steps.slice(0, first)).some(checks);
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

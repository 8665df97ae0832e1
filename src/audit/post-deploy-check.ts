import { isProductionJob, runsOnlyOnFailure, scriptLines, stepDeploys } from "./classify.js";
import { remoteScript } from "./deploy-model.js";
import { jobDependents } from "./job-graph.js";
import type { Job, Step, Workflow } from "./model/workflow.js";

/**
 * Where a deploy job's release is checked from the outside once it is out: HTTP probes, smoke
 * and end-to-end suites, after the job's last deploy step or in a job that runs after it. Read
 * by no-post-deploy-check (is anything checked?) and deploy-without-rollback (does a failed
 * check put anything back?).
 */

/** Commands that check a release from the outside: HTTP probes, smoke and end-to-end suites. */
const CHECK_COMMAND =
  /\b(curl|wget)\b|\bhttps?\s+(?:(?:GET|HEAD|--?[\w-]+)\s+)*(?:https?:\/\/|\$|:\d)|\b(smoke|health|verify|e2e|live-?check)|\bplaywright\s+test\b|\bcypress\s+run\b|\bk6\s+run\b|\bnewman\s+run\b/i;
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
/** A new image for scheduled jobs: nothing serves it, and Kubernetes has no rollout to wait on. */
export const CRONJOB_IMAGE = /\bkubectl\b[^\n|;&]*\sset\s+image\b[^\n|;&]*\s(cronjobs?|cj)(\.batch)?\//i;

/**
 * The job's steps that run on success, and the last of them that ships the release: its last
 * deploy step, or, for a job that deploys through its own script (`./deploy.sh`, `make
 * deploy`), the last step named for the deploy. `last` is -1 when there is none.
 */
export function lastReleaseStep(job: Job): { steps: Step[]; last: number; ownScript: boolean } {
  // Rollback steps only run once something failed; they are not the deploy to check.
  const steps = job.steps.filter((s) => !runsOnlyOnFailure(s));
  const ownScript = !steps.some(stepDeploys);
  const last = ownScript
    ? // A step named for the deploy that checks it (`./.github/actions/post-deploy-smoke-test`) is the check.
      findLastIndex(steps, (s) => DEPLOY_WORD.test(s.run?.value ?? s.uses?.raw ?? "") && !checks(s))
    : findLastIndex(steps, deploysRelease);
  return { steps, last, ownScript };
}

/**
 * What checks the release the job ships: the deploy step itself (a check later in its script),
 * a later step of the job, or a job that runs after it. `undefined` when nothing does.
 */
export function releaseCheck(job: Job, workflow: Workflow): Step | Job | undefined {
  const { steps, last, ownScript } = lastReleaseStep(job);
  const step = steps[last];
  if (!step) return undefined;
  if (checksAfterDeploy(step, ownScript)) return step;
  const later = steps.slice(last + 1).find(checks);
  if (later) return later;
  // Jobs that run after this one (directly or through others): where smoke-test jobs usually live;
  // one whose condition leaves production out checks every deploy but production's.
  const production = isProductionJob(job, workflow);
  return jobDependents(job, workflow).find(
    (d) => !(production && SKIPS_PRODUCTION.test(d.if?.value ?? "")) && checksBeforeDeploying(d),
  );
}

/** A condition that leaves production out: `github.ref_name != 'production'`, `inputs.env != 'prod'`. */
const SKIPS_PRODUCTION =
  /\b(github\.ref(_name)?|(github\.event\.)?inputs\.[\w-]+|env\.\w+|vars\.\w+)\s*!=\s*['"](refs\/heads\/)?(prod|production|main|master|live)['"]/;

/**
 * A deploy step that ships a release: `terraform apply` alone changes infrastructure, and a
 * CronJob's new image serves nothing.
 */
function deploysRelease(step: Step): boolean {
  if (!stepDeploys(step)) return false;
  if (!step.run) return true;
  const deploying = scriptLines(step.run.value).filter((l) => lineDeploys(step, l.text));
  return !(
    deploying.length > 0 && deploying.every((l) => INFRASTRUCTURE.test(l.text) || CRONJOB_IMAGE.test(l.text))
  );
}

/** The last line of a deploy step's script that deploys: where a finding about it points. */
export function lastDeployingLine(step: Step): string | undefined {
  if (!step.run) return undefined;
  return scriptLines(step.run.value).findLast((l) => lineDeploys(step, l.text))?.text;
}

function lineDeploys(step: Step, text: string): boolean {
  return stepDeploys({ ...step, uses: undefined, run: { ...step.run!, value: text } });
}

function checks(step: Step): boolean {
  if (runsOnlyOnFailure(step)) return false;
  if (step.localSteps) return step.localSteps.some(checks);
  if (step.uses && CHECK_ACTION.test(step.uses.raw)) return true;
  // A check run on the server over SSH (`make livecheck`, `curl localhost/health`) counts too.
  const script = step.run?.value ?? remoteScript(step);
  return Boolean(script && scriptLines(script).some((l) => checkLine(l.text)));
}

/** A line that only prints: `echo "Running e2e tests against …"` names a check without running one. */
const PRINTS = /^\s*(echo|printf)\b(?![^\n]*[|;&`]|[^\n]*\$\()/;

function checkLine(text: string): boolean {
  return CHECK_COMMAND.test(text) && !NOTIFICATION.test(text) && !INSTALLER.test(text) && !PRINTS.test(text);
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
  const deploys = (text: string) => (ownScript ? DEPLOY_WORD.test(text) : lineDeploys(step, text));
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

import { isDeployJob, isProductionJob, runsOnlyOnFailure, scriptLines } from "../classify.js";
import { actionCommand, DOKKU_RELEASE, deploysStaticSite, updatesGitOpsManifest } from "../deploy-model.js";
import type { Region, SourceFile } from "../model/source.js";
import type { Step } from "../model/workflow.js";
import { lastDeployingLine, lastReleaseStep, releaseCheck } from "../post-deploy-check.js";
import { defineRule } from "../types.js";
import { locatedLines, regionInLine } from "./curl-pipe-shell.js";

/**
 * The platform's own wait for the new version to run (`kubectl rollout status`, `aws ecs wait
 * services-stable`, `helm --wait`), and deploys that move traffic only to instances that pass
 * their health checks (Kamal, Fly's rolling deploys, Cloud Run and gen2 Cloud Functions
 * revisions, Cloud Foundry's rolling strategy, and Dokku's zero-downtime checks, see
 * DOKKU_RELEASE): they fail the job when the new version never becomes healthy, but cannot see
 * a release that runs and is wrong. Reported as a note.
 */
const STABILITY_WAIT =
  /\bkubectl\b[^\n|;&]*\brollout\s+status\b|\bkubectl\b[^\n|;&]*\swait\b[^\n|;&]*--for[\s=]+(condition[\s=/]+(available|complete|ready)|jsonpath)|\baws\b[^\n|;&]*\becs\s+wait\s+services-stable\b|\bhelm\b[^\n|;&]*\s(upgrade|install)\b[^\n|;&]*\s--(wait|atomic)\b|\bkamal\b[^\n|;&]*\s(deploy|redeploy)\b|\b(flyctl|fly)\b[^\n|;&]*\sdeploy\b(?![^\n]*--strategy[\s=]+immediate)|\bgcloud\b[^\n|;&]*\s(run\s+deploy|functions\s+deploy\b[^\n]*--gen2)|\bcf\b[^\n|;&]*\spush\b[^\n]*--strategy[\s=]+rolling/i;
function waitsForHealth(text: string): boolean {
  return STABILITY_WAIT.test(text) || DOKKU_RELEASE.test(text);
}
/**
 * Actions that deploy through the same health-gated mechanisms (Azure/k8s-deploy waits for the
 * rollout; beanstalk-deploy waits for the environment to be healthy unless told not to).
 */
const STABILITY_WAIT_ACTIONS =
  /^(google-github-actions\/deploy-cloudrun|superfly\/flyctl-actions|samber\/kamal-action|azure\/k8s-deploy|einaregilsson\/beanstalk-deploy|dokku\/github-action)$/i;
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
    const { steps, last, ownScript } = lastReleaseStep(job);
    // A GitOps commit is applied later by Flux or Argo CD: there is nothing to check yet here.
    if (ownScript && updatesGitOpsManifest(job)) return;
    const step = steps[last];
    if (!step || SELF_VERIFYING.test(step.run?.value ?? "")) return;
    if (releaseCheck(job, ctx.workflow)) return;
    const node = step.uses?.node ?? step.run?.node ?? step.node;
    const region = deployLineRegion(step, ctx.workflow.source);
    if (steps.slice(last).some(waitsForStability)) {
      ctx.report({
        node,
        region,
        key: job.id,
        severity: "note",
        message: `job "${job.id}" waits for the rollout to be stable, which fails on crashing or unready instances, but nothing asks the new version a question: add a smoke check (shipgate verify <url>, or curl --fail https://<host>/health) to catch a release that runs and is wrong`,
      });
      return;
    }
    // Production is where a release that runs and is wrong costs users; elsewhere it is a note.
    ctx.report({
      node,
      region,
      key: job.id,
      severity: isProductionJob(job, ctx.workflow) && !deploysStaticSite(steps) ? undefined : "note",
      message: `nothing checks the release after job "${job.id}" deploys it: the job goes green while the new version may be failing every request. Add a smoke or health check after this step: shipgate verify <url>, or curl --fail --retry 10 --retry-all-errors https://<host>/health`,
    });
  },
});

/** The script line of the step that deploys last, when it can be found in the file. */
function deployLineRegion(step: Step, source: SourceFile): Region | undefined {
  const text = lastDeployingLine(step);
  if (!text || !step.run) return undefined;
  const line = locatedLines(source, step.run).findLast((l) => l.text === text);
  return line && line.offset >= 0 ? regionInLine(source, step.run.node, line, line.text.trim()) : undefined;
}

/** A deploy action told to wait for a stable rollout, or a script line that waits for one. */
function waitsForStability(step: Step): boolean {
  if (runsOnlyOnFailure(step)) return false;
  if (step.localSteps) return step.localSteps.some(waitsForStability);
  const wait = step.with.get("wait-for-service-stability")?.value ?? step.with.get("wait")?.value;
  if (wait !== undefined && /^true$/i.test(wait.trim())) return true;
  if (step.uses?.repository && STABILITY_WAIT_ACTIONS.test(step.uses.repository))
    return !/^false$/i.test(step.with.get("wait_for_deployment")?.value.trim() ?? "");
  const command = actionCommand(step)?.command;
  if (command !== undefined) return waitsForHealth(command);
  return Boolean(step.run && scriptLines(step.run.value).some((l) => waitsForHealth(l.text)));
}

import { isDeployJob, pushesTagsOnly, stageOf } from "../classify.js";
import {
  deployLines,
  deploysStaticSite,
  productionByInput,
  stepDeploys,
  updatesGitOpsManifest,
} from "../deploy-model.js";
import { jobDependents } from "../job-graph.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { releaseCheck } from "../post-deploy-check.js";
import { calledWorkflow } from "../reusable.js";
import { defineRule } from "../types.js";
import { checkWorkflowStructure } from "../workflow-schema.js";
import { splitTags } from "./mutable-image-tag.js";

const ROLLBACK_NAME = /roll[\s_-]?back/i;
/** Commands that go back: explicit rollbacks, and deploys that undo themselves when they fail. */
const ROLLBACK_COMMAND =
  /(?<!(disable|no)[-_]?)roll[\s_-]?back|rollout\s+undo|--atomic\b|--rollback-on-failure\b|auto-?rollback|argo\s+rollouts|aws\s+ecs\s+update-service\b.*--task-definition\s+["']?\$\{?\w*(prev|old|last|stable|current)/i;
/**
 * ECS's deployment circuit breaker and a Swarm service's rollback failure action roll back by
 * themselves; mentioned anywhere in the file (a comment included), they are configured on purpose.
 */
const CIRCUIT_BREAKER =
  /circuit[\s_-]?breaker|deploymentCircuitBreaker|failure[_-]action[\s:=]+["']?rollback/i;
const ON_FAILURE = /(?<!!\s*)\bfailure\(\)/;
/** What a failure step does that puts something back, rather than only telling people. */
const RESTORES = /\b(revert|restore|undo|previous)\b/i;
/** A called workflow that only tells people that something failed. */
const NOTIFIES = /notif|slack|announce|alert|teams|discord|mail/i;
/** Commands that move traffic to a version already deployed: what a check before them gates. */
const PROMOTES =
  /\bslot\s+swap\b|\bupdate-traffic\b|\bversions\s+migrate\b|\bset-traffic\b|--to-latest\b|\bpromote\b/;
/** An image reference that moves with every push, and the name before its `:latest`. */
const MOVING_TAG = /:latest\b/;
const LATEST_NAME = /([^\s/"'=]+):latest\b/g;
/** Redeploys that pull the same reference again instead of naming the new image. */
const REDEPLOY_IN_PLACE = /--force-new-deployment\b|\brollout\s+restart\b/;
const PUSHES_LATEST = /\bdocker\b[^\n]*\s(push|--push\b)[^\n]*:latest\b/;
/**
 * Deploys whose platform puts the previous version back by itself when the new one fails:
 * CloudFormation rolls a failed stack update back (and cdk, sam, serverless and copilot deploy
 * through it), and Kamal switches traffic only to a container that passed its health check.
 */
const SELF_REVERTING =
  /\baws\b[^\n|;&]*?\scloudformation\s+deploy\b(?![^\n]*--disable-rollback)|\b(cdk|sam|serverless|sls|copilot)\b[^\n|;&]*?\bdeploy\b|\bkamal\b[^\n|;&]*?\bdeploy\b/i;
const SELF_REVERTING_ACTIONS = new Set([
  "aws-actions/aws-cloudformation-github-deploy",
  "samber/kamal-action",
]);
/**
 * Platforms that keep the releases they replace, so going back is one command even when the
 * workflow prepares none: Helm and Kubernetes revisions, ECS task definition revisions, Cloud
 * Run revisions, App Engine versions, Fly, Heroku, Vercel, Netlify and Cloudflare deployments,
 * Azure deployment slots.
 */
const KEEPS_RELEASES =
  /\bhelm\b[^\n|;&]*\s(upgrade|install)\b|\bhelmfile\b|\bkubectl\b[^\n|;&]*\s(apply|set\s+image|rollout\s+restart|patch|replace)\b|\baws\b[^\n|;&]*\secs\s+(update-service|deploy)\b|\bgcloud\b[^\n|;&]*\s(run|app)\s+(deploy|services\s+update)\b|\b(flyctl|fly)\b[^\n|;&]*\sdeploy\b|\bheroku\b|git\s+push\b[^\n]*heroku|\bvercel\b|\bnetlify(-cli)?\b[^\n|;&]*?\sdeploy\b|\bwrangler\b[^\n|;&]*\s(deploy|publish|pages\s+deploy)\b|\baz\s+(webapp|functionapp)\b[^\n]*--slot\b|\bargocd\s+app\b/;
const KEEPS_RELEASES_ACTIONS =
  /^(aws-actions\/amazon-ecs-deploy-task-definition|google-github-actions\/deploy-(cloudrun|appengine)|akhileshns\/heroku-deploy|amondnet\/vercel-action|cloudflare\/(wrangler|pages)-action|azure\/k8s-deploy|azure\/webapps-deploy|superfly\/flyctl-actions|deliverybot\/helm|koslib\/helm-eks-action|bitovi\/github-actions-deploy-eks-helm|nwtgck\/actions-netlify)$/i;
/** A dispatch input that chooses what to deploy: the workflow can put any earlier release back. */
const CHOOSES_RELEASE =
  /^(version|ref|sha|commit|tag|image|image[-_]?tag|release|git[-_]?ref|revision|build)$/i;

/** Infrastructure applies: going back is applying the previous commit, not a release swap. */
const INFRASTRUCTURE = /\b(terraform|tofu)\b[^\n|;&]*?\sapply\b|\bpulumi\s+up\b/;

/** Whether every deploy of the job goes to a platform that keeps the release it replaces. */
function keepsReleases(job: Job): boolean {
  const deploying = job.steps.filter(stepDeploys);
  if (deploying.length === 0) return false;
  return deploying.every((step) =>
    step.run
      ? deployLines(step.run.value).every((line) => KEEPS_RELEASES.test(line))
      : KEEPS_RELEASES_ACTIONS.test(step.uses?.repository ?? ""),
  );
}

/**
 * Whether what the job deploys stays recoverable on its platform: its own deploy steps, or
 * those of the repository's workflow it calls.
 */
function keptByPlatform(job: Job, workflows: Workflow[]): boolean {
  if (job.uses) {
    const callee = calledWorkflow(job, workflows);
    const deploying = callee?.jobs.filter(isDeployJob) ?? [];
    return deploying.length > 0 && deploying.every((j) => keepsReleases(j) || deploysStaticSite(j.steps));
  }
  // A GitOps commit is the release record: reverting it puts the previous release back.
  return keepsReleases(job) || deploysStaticSite(job.steps) || updatesGitOpsManifest(job);
}

/** A workflow a person can run to deploy a release they choose (an earlier one included). */
function redeploysChosenRelease(workflow: Workflow): boolean {
  const inputs = (workflow.on.get("workflow_dispatch")?.value as { inputs?: Record<string, unknown> } | null)
    ?.inputs;
  return Boolean(inputs && Object.keys(inputs).some((name) => CHOOSES_RELEASE.test(name)));
}

/** What a deploy job deploys with: every deploy line, and the deploy actions it uses. */
function deploysOf(job: Job): { lines: string[]; selfReverting: boolean } {
  const lines = job.steps.flatMap((s) => (s.run ? deployLines(s.run.value) : []));
  const actions = job.steps.filter((s) => s.uses?.repository);
  const selfRevertingAction = actions.some(
    (s) =>
      SELF_REVERTING_ACTIONS.has(s.uses!.repository!.toLowerCase()) &&
      !/^(1|true)$/i.test(s.with.get("disable-rollback")?.value ?? ""),
  );
  return {
    lines,
    selfReverting: selfRevertingAction || (lines.length > 0 && lines.every((l) => SELF_REVERTING.test(l))),
  };
}

/** A step that runs when something failed and puts a release back, not one that only reports it. */
function restores(step: Step): boolean {
  const text = step.run?.value ?? "";
  return (
    stepDeploys(step) ||
    ROLLBACK_COMMAND.test(text) ||
    RESTORES.test(text) ||
    ROLLBACK_NAME.test(`${step.uses?.raw ?? ""} ${step.name ?? ""}`)
  );
}

/**
 * A way back the workflow prepares: a step or job that runs on failure() and restores a
 * release, a rollback command or action anywhere, or a circuit breaker. A failure step that
 * only announces the failure leaves the broken release serving.
 */
function hasWayBack(workflow: Workflow): boolean {
  if (CIRCUIT_BREAKER.test(workflow.source.text)) return true;
  return workflow.jobs.some(
    (job) =>
      (ON_FAILURE.test(job.if?.value ?? "") &&
        (job.steps.some(restores) ||
          ROLLBACK_NAME.test(job.id) ||
          Boolean(job.uses && !NOTIFIES.test(job.uses.raw)))) ||
      Boolean(job.uses && ROLLBACK_NAME.test(job.uses.raw)) ||
      job.steps.some(
        (step) =>
          (ON_FAILURE.test(step.if?.value ?? "") && restores(step)) ||
          ROLLBACK_COMMAND.test(step.run?.value ?? "") ||
          ROLLBACK_NAME.test(step.uses?.raw ?? ""),
      ),
  );
}

/** Whether a deploy job can deploy to production: by its stage, or by an input that can pick it. */
function canReachProduction(job: Job, workflow: Workflow): boolean {
  return stageOf(job, workflow).stage === "production" || productionByInput(job, workflow) !== undefined;
}

/**
 * A check of a production release whose failure puts nothing back: the job (or, for a call,
 * the called deploy workflow) checks the release and the workflow has no way back, so a
 * failed check turns the run red and leaves the failing release serving.
 */
function checkWithoutWayBack(job: Job, workflow: Workflow, workflows: Workflow[]) {
  if (job.uses) {
    const callee = calledWorkflow(job, workflows);
    if (!callee || hasWayBack(callee)) return undefined;
    const checked = callee.jobs.filter(isDeployJob).some((j) => releaseCheck(j, callee));
    return checked ? { node: job.key, where: `the called ${callee.source.path}` } : undefined;
  }
  // A check before a later job promotes the release (a candidate version, a slot) is a gate:
  // when it fails, the release never reaches traffic.
  if (jobDependents(job, workflow).some(isDeployJob)) return undefined;
  const check = releaseCheck(job, workflow);
  if (!check) return undefined;
  if ("steps" in check) return { node: check.key, where: `job "${check.id}"` };
  // The same in one job: a slot swap or traffic shift after the check releases what it checked.
  if (job.steps.slice(job.steps.indexOf(check) + 1).some((s) => PROMOTES.test(s.run?.value ?? "")))
    return undefined;
  return { node: check.node, where: "a later step" };
}

/** A production deploy of a moving tag: the release it replaces is no longer stored anywhere. */
function movingTagDeploy(job: Job): Step | undefined {
  const deploys = job.steps.filter(stepDeploys);
  if (deploys.length === 0) return undefined;
  // The `name:latest` references the job pushes itself.
  const pushed = new Set(
    job.steps.flatMap((s) => {
      const lines = [
        ...(s.run?.value ?? "").split("\n").filter((l) => PUSHES_LATEST.test(l)),
        ...splitTags(s.with.get("tags")?.value ?? ""),
      ];
      return lines.flatMap((l) => [...l.matchAll(LATEST_NAME)].map((m) => m[1]!));
    }),
  );
  const moving = deploys.find((step) => {
    const said = step.run ? deployLines(step.run.value) : [...step.with.values()].map((v) => v.value);
    return said.some((l) => MOVING_TAG.test(l) || (pushed.size > 0 && REDEPLOY_IN_PLACE.test(l)));
  });
  if (moving) return moving;
  // The job's own `:latest` written into what is deployed (a task definition rendered with
  // `image: …/api:latest`); a vendor's sidecar by tag is mutable-image-tag's concern.
  return job.steps.find((step) =>
    [...step.with.entries()].some(
      ([key, value]) =>
        /image/i.test(key) && pushed.has([...value.value.matchAll(LATEST_NAME)][0]?.[1] ?? ""),
    ),
  );
}

export const deployWithoutRollback = defineRule({
  meta: {
    id: "deploy-without-rollback",
    name: "Deploy with no way back",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports production deploys a failure would strand: a check of the release whose failure restores nothing, or a moving tag (`:latest`) with no previous image to return to. Other deploys with no prepared way back (no rollback step on failure(), rollback command, circuit breaker or rollback workflow) are notes.",
    fixable: false,
  },
  repository(ctx) {
    const rollbackWorkflows = ctx.workflows.filter(
      (w) => ROLLBACK_NAME.test(w.name ?? "") || ROLLBACK_NAME.test(w.source.path.split("/").pop() ?? ""),
    );
    // A rollback workflow GitHub refuses to run is no way back: it fails when it is needed.
    const runnable = rollbackWorkflows.filter((w) => checkWorkflowStructure(w.root).length === 0);
    const broken = rollbackWorkflows.length > 0 && runnable.length === 0 ? rollbackWorkflows[0] : undefined;
    // A workflow that deploys a chosen version is the way back for every deploy of the repository.
    if (
      runnable.length > 0 ||
      ctx.workflows.some(
        (w) =>
          redeploysChosenRelease(w) &&
          w.jobs.some(isDeployJob) &&
          checkWorkflowStructure(w.root).length === 0,
      )
    )
      return;
    for (const workflow of ctx.workflows) {
      // Pull-request deploys are previews (or approval-gated scans): disposable, nothing to go back to.
      if ([...workflow.on.keys()].every((e) => /^pull_request(_target)?$/.test(e))) continue;
      // A staging or preview deploy has nothing users depend on to go back to.
      const deploys = workflow.jobs
        .filter(isDeployJob)
        .filter((job) => stageOf(job, workflow).stage !== "pre-production");
      const first = deploys[0];
      if (!first || hasWayBack(workflow)) continue;
      // A call to a workflow of the repository that the audit did not read: its way back is there.
      if (deploys.some((job) => job.uses?.raw.startsWith("./") && !calledWorkflow(job, ctx.workflows)))
        continue;
      // Calls whose workflows prepare their own way back.
      const callees = deploys.map((job) => (job.uses ? calledWorkflow(job, ctx.workflows) : undefined));
      if (callees.every((callee) => callee && hasWayBack(callee))) continue;
      const reads = deploys.map(deploysOf);
      if (reads.every((r) => r.selfReverting)) continue;
      const lines = reads.flatMap((r) => r.lines);
      if (lines.length > 0 && lines.every((l) => INFRASTRUCTURE.test(l)) && deploys.every((j) => !j.uses)) {
        ctx.report(workflow, {
          node: first.key,
          key: first.id,
          severity: "note",
          message: `this workflow applies infrastructure (job "${first.id}") with no step that runs on failure(): a failed or harmful apply is undone by applying the previous commit, by hand. Consider a plan reviewed before apply and a documented revert-and-apply procedure`,
        });
        continue;
      }
      const production = deploys.filter((job) => canReachProduction(job, workflow));
      if (broken && production.length > 0) {
        ctx.report(workflow, {
          node: first.key,
          key: first.id,
          message: `this workflow deploys (job "${first.id}") and its way back is ${broken.source.path}, which GitHub refuses to run (see invalid-workflow): the rollback fails the moment it is needed. Fix that workflow, and try it on a staging deploy`,
        });
        continue;
      }
      // The two ways a production release is stranded: a check that fails and leaves it serving,
      // and a moving tag that leaves nothing to go back to.
      let stranded = false;
      for (const job of production) {
        const check = checkWithoutWayBack(job, workflow, ctx.workflows);
        if (check) {
          stranded = true;
          ctx.report(workflow, {
            node: check.node,
            key: job.id,
            message: `job "${job.id}" deploys to production and ${check.where} checks the release, but when the check fails nothing puts the previous release back: the run goes red and the failing release keeps serving. Add a step with if: failure() that restores the previous release (helm rollback, kubectl rollout undo, the previous task definition or image), or deploy with shipgate deploy, which rolls back on a failed check`,
          });
        }
        const moving = movingTagDeploy(job);
        if (moving) {
          stranded = true;
          ctx.report(workflow, {
            node: moving.run?.node ?? moving.uses?.node ?? moving.node,
            key: job.id,
            message: `job "${job.id}" deploys a moving tag (:latest) to production: the push overwrote the release it replaces, so there is no previous image to go back to. Deploy an immutable tag (the commit SHA or a digest) so the previous release can be redeployed`,
          });
        }
      }
      if (stranded) continue;
      // Ways back the platform or the trigger keep without a prepared step: the previous
      // release still stored (Helm revisions, task definitions, a slot), static files that an
      // older commit's run puts back, and releases cut from tags, whose previous run redeploys.
      const kept =
        deploys.every((job) => keptByPlatform(job, ctx.workflows)) ||
        [...workflow.on.keys()].every((e) => e === "release" || (e === "push" && pushesTagsOnly(workflow)));
      ctx.report(workflow, {
        node: first.key,
        key: first.id,
        severity: "note",
        message: kept
          ? `this workflow deploys (job "${first.id}") with no prepared way back: nothing runs on failure() and the repository has no rollback workflow. The previous release can still be had (helm rollback, kubectl rollout undo, the previous task definition or revision, re-running the previous release's run), so going back is possible but not written down — make it a workflow a person can run, or a step with if: failure()`
          : `this workflow deploys (job "${first.id}") with no prepared way back: no step or job restores a release on failure(), nothing rolls back, no deployment circuit breaker, and the repository has no rollback workflow. Going back means re-running an older commit's deploy by hand; add a rollback step with if: failure() that restores the previous release (or enable the ECS circuit breaker / helm --atomic), and a manual rollback workflow`,
      });
    }
  },
});

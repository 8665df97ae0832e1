import {
  buildsImage,
  isDeployJob,
  isProductionJob,
  jobAncestors,
  jobScriptLines,
  scriptOffset,
  stageOf,
} from "../classify.js";
import { actionCommand, deployLines } from "../deploy-model.js";
import { memoByObject } from "../memo.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { calledWorkflow } from "../reusable.js";
import { defineRule, type RepositoryContext } from "../types.js";

const BUILD_COMMAND = /\b(?:docker|podman)\s+(?:buildx\s+)?build\b/;

/**
 * A job that builds an image and pushes it somewhere a deploy can pull it from; read once per
 * job, though every deploy that waits for it asks.
 */
const publishesImage = memoByObject((job: Job): boolean => {
  // A call to the repository's build workflow publishes what its jobs publish.
  if (job.callee) return job.callee.jobs.some(publishesImage);
  if (!job.steps.some(buildsImage)) return false;
  return job.steps.some((step) => {
    const repository = step.uses?.repository?.toLowerCase();
    if (repository === "docker/build-push-action" || repository === "depot/build-push-action") {
      const push = step.with.get("push")?.value ?? "";
      const outputs = step.with.get("outputs")?.value ?? "";
      return /^true$|\$\{\{/.test(push.trim()) || /push=true|type=registry/.test(outputs);
    }
    // Other build actions push when their name says so (`build-push-ecr`, `build-and-push`).
    if (step.uses && buildsImage(step)) return /push|publish/i.test(step.uses.raw.split("@")[0]!);
    return Boolean(step.run && /\b(?:docker|podman)\s+push\b|\s--push\b/.test(step.run.value));
  });
});

/**
 * A build that runs only when the registry does not already hold the image for this commit
 * (`docker manifest inspect … || docker build`, a step gated on a lookup's output): the first
 * deploy of a SHA builds it, every later one reuses it — build once, by another road.
 */
const IMAGE_LOOKUP =
  /\b(docker|podman)\s+(manifest\s+inspect|pull)\b|\bdocker\s+buildx\s+imagetools\s+inspect\b|\bcrane\s+(digest|manifest|ls)\b|\bskopeo\s+inspect\b|\baws\s+ecr\s+(describe-images|batch-get-image)\b|\bgcloud\s+(artifacts\s+docker\s+images|container\s+images)\s+(describe|list)/;
const buildsOnlyWhenMissing = memoByObject((job: Job): boolean => {
  const build = job.steps.findIndex(buildsImage);
  if (build < 0) return false;
  const step = job.steps[build]!;
  // In the build's own script: `docker manifest inspect "$IMAGE" || docker build …`.
  if (step.run && IMAGE_LOOKUP.test(step.run.value) && /\|\||\bif\b/.test(step.run.value)) return true;
  // A build step gated on an earlier lookup step's output.
  const gate = step.if?.value ?? "";
  return job.steps
    .slice(0, build)
    .some((s) => s.id && s.run && IMAGE_LOOKUP.test(s.run.value) && gate.includes(`steps.${s.id}.`));
});

/**
 * Deploy commands with which the platform builds the release from the repository's source
 * (Heroku's git push, App Engine, Cloud Run `--source`, a Cloud Foundry push without a Docker
 * image, `fly deploy` without `--image`, `railway up`): nothing tested upstream can be promoted
 * through them.
 */
const SOURCE_BUILD_DEPLOY =
  /\bgit\s+push\b[^\n|;&]*\bheroku\b|\bgcloud\b[^\n|;&]*\sapp\s+deploy\b|\bgcloud\b[^\n|;&]*\srun\s+deploy\b[^\n|;&]*\s--source\b|\bcf[78]?\b[^\n|;&]*?\spush\b(?![^\n|;&]*\s(--docker-image|-o)\s)|\b(fly|flyctl)\s+deploy\b(?![^\n|;&]*\s(--image|-i)[\s=])|\brailway\s+up\b/;
/** Deploy actions that hand the platform the source to build. */
const SOURCE_BUILD_ACTIONS = new Set(["akhileshns/heroku-deploy", "google-github-actions/deploy-appengine"]);

function buildsFromSource(step: Step): boolean {
  const command = actionCommand(step)?.command;
  if (command !== undefined) return SOURCE_BUILD_DEPLOY.test(command);
  const repository = step.uses?.kind === "action" ? step.uses.repository?.toLowerCase() : undefined;
  if (repository) return SOURCE_BUILD_ACTIONS.has(repository);
  return Boolean(step.run && deployLines(step.run.value).some((line) => SOURCE_BUILD_DEPLOY.test(line)));
}

/** Jobs that publish the image a job deploys: itself and everything it waits for. */
function buildPath(job: Job, workflow: Workflow): Job[] {
  return [job, ...jobAncestors(job, workflow)].filter(publishesImage);
}

export const productionRebuild = defineRule({
  meta: {
    id: "production-rebuild",
    name: "Production deploys a freshly built image",
    severity: "error",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports production deploy jobs that build a container image themselves, production deploys that wait on an image build of their own while pre-production runs a different build, and production deploys whose platform builds the release from source (Heroku, App Engine, Cloud Run --source, Cloud Foundry and Fly without an image) while a pre-production stage exists.",
    fixable: false,
  },
  repository(ctx) {
    // Pull-request previews build the branch, not an earlier stage of what main ships.
    const preProduction = ctx.workflows.flatMap((workflow) =>
      [...workflow.on.keys()].every((e) => /^pull_request(_target)?$/.test(e))
        ? []
        : workflow.jobs
            .filter((job) => isDeployJob(job) && !isProductionJob(job, workflow))
            .map((job) => ({ job, workflow })),
    );
    // Pre-production deploys something built in CI: production should reuse that image.
    const stagingBuilds = preProduction.some(({ job, workflow }) => buildPath(job, workflow).length > 0);
    for (const workflow of ctx.workflows) {
      const shared = new Set(
        preProduction.filter((p) => p.workflow === workflow).flatMap((p) => buildPath(p.job, p.workflow)),
      );
      const reported = new Set<Job>();
      for (const job of workflow.jobs) {
        if (!isProductionJob(job, workflow)) continue;
        const own = job.steps.find(buildsImage);
        if (own && buildsOnlyWhenMissing(job)) continue;
        if (own) {
          report(
            ctx,
            workflow,
            job,
            own,
            `job "${job.id}" deploys production and builds the image it deploys`,
          );
          continue;
        }
        const fromSource = preProduction.length > 0 ? job.steps.find(buildsFromSource) : undefined;
        if (fromSource) {
          report(
            ctx,
            workflow,
            job,
            fromSource,
            `job "${job.id}" deploys production with a command that has the platform build the release from source`,
            SOURCE_BUILD_DEPLOY,
            SOURCE_ADVICE,
          );
          continue;
        }
        if (!stagingBuilds) continue;
        for (const builder of jobAncestors(job, workflow)) {
          if (reported.has(builder) || shared.has(builder) || !publishesImage(builder)) continue;
          if (buildsOnlyWhenMissing(builder)) continue;
          reported.add(builder);
          const step = builder.uses ? undefined : builder.steps.find(buildsImage)!;
          report(
            ctx,
            workflow,
            builder,
            step,
            `job "${builder.id}" builds a new image for the production deploy "${job.id}", while pre-production deploys a different build`,
          );
        }
      }
    }
    reportReusableRebuilds(ctx);
  },
});

/**
 * A reusable deploy workflow that builds its image in every run, called by the repository for
 * production and for an earlier stage: each call builds anew, so production ships a build the
 * earlier stage never ran.
 */
function reportReusableRebuilds(ctx: RepositoryContext) {
  for (const workflow of ctx.workflows) {
    if (!workflow.on.has("workflow_call")) continue;
    const stages = new Set(
      ctx.workflows.flatMap((caller) =>
        caller.jobs
          .filter((j) => calledWorkflow(j, ctx.workflows) === workflow && isDeployJob(j))
          .map((j) => stageOf(j, caller).stage),
      ),
    );
    if (!stages.has("production") || !stages.has("pre-production")) continue;
    for (const job of workflow.jobs) {
      if (job.uses || !publishesImage(job) || buildsOnlyWhenMissing(job)) continue;
      const step = job.steps.find(buildsImage)!;
      // Gated on an input (`if: inputs.build`): a caller can deploy an image built before.
      if (/\binputs\./.test(`${job.if?.value ?? ""} ${step.if?.value ?? ""}`)) continue;
      report(
        ctx,
        workflow,
        job,
        step,
        `job "${job.id}" builds the image in every run of this reusable workflow, which the repository calls for production and for an earlier stage: the production call ships a new build, not the one the earlier stage ran`,
      );
    }
  }
}

const IMAGE_ADVICE =
  "so production runs an image nothing has tested, rebuilt from whatever base images and registries served at that moment. Build once, tag the image with the commit SHA, and promote the image staging verified (docker pull/tag/push, crane tag, aws ecr put-image or docker buildx imagetools create)";
const SOURCE_ADVICE =
  "so production runs a build nothing has tested, made from whatever dependencies and buildpacks served at that moment. Build once, and deploy that image or package to every stage (heroku container:release, gcloud run deploy --image, cf push --docker-image, fly deploy --image)";

function report(
  ctx: RepositoryContext,
  workflow: Workflow,
  job: Job,
  step: Step | undefined,
  what: string,
  command = BUILD_COMMAND,
  advice = IMAGE_ADVICE,
) {
  const source = workflow.source;
  // A call to the repository's build workflow: the calling job is the place to change.
  if (!step) {
    ctx.report(workflow, {
      node: job.key,
      key: `${job.id}: ${job.uses?.raw}`,
      message: `${what}, ${advice}`,
    });
    return;
  }
  if (step.uses) {
    ctx.report(workflow, {
      // A tool-running action's command (`cf_command: push …`) says more than its `uses:`.
      node: actionCommand(step)?.input?.node ?? step.uses.node,
      key: `${job.id}: ${step.uses.raw}`,
      message: `${what}, ${advice}`,
    });
    return;
  }
  const line = jobScriptLines(job, source.text).find((l) => l.step === step && command.test(l.text));
  const needle = line ? command.exec(line.text)![0] : "build";
  const at = line ? scriptOffset(source.text, line, needle) : undefined;
  ctx.report(workflow, {
    node: step.run!.node,
    region:
      at === undefined ? source.regionIn(step.run!.node, needle) : source.regionOf(at, at + needle.length),
    key: `${job.id}: ${needle}`,
    message: `${what}, ${advice}`,
  });
}

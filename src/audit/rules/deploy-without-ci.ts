import { isDeployJob, jobAncestors, stepDeploys, triggeredBy } from "../classify.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { calledWorkflow } from "../reusable.js";
import { defineRule } from "../types.js";

/** Commands that test, lint or type-check. */
const CHECK_COMMAND =
  /\b(tests?|lint|pytest|unittest|tox|nox|jest|vitest|mocha|rspec|phpunit|eslint|ruff|flake8|mypy|pylint|golangci-lint|typecheck|tsc|clippy|go\s+(test|vet)|cargo\s+(test|check)|mvnw?\b.*\b(verify|test|package|install)|gradlew?\b.*\b(test|check|build)|make\s+(check|lint))\b/i;
/** The shell's own `test -f file` / `test "$x" = y` is not a test suite. */
const SHELL_TEST = /\btest\s+(!\s+)?(-[a-zA-Z]\b|["$])/g;
/** Actions that run tests or linters. */
const CHECK_ACTION = /lint|test|cypress|playwright/i;
/** Reusable workflows whose file name says they are CI. */
const CI_WORKFLOW = /(^|[/._-])(ci|tests?|testing|lint|checks?|verify|validate|quality|pr)([._-]|$)/i;

/**
 * What a pull request's plan shows a reviewer: for infrastructure and manifests, the check
 * before merging is the plan or diff of what the apply will change.
 */
const PLAN_COMMAND =
  /\b(terraform|terragrunt|tofu)\b[^\n|;&]*\splan\b|\b(helmfile|helm)\b[^\n|;&]*\sdiff\b|\bpulumi\s+preview\b|\bcdk\s+diff\b|\bkubectl\s+diff\b/;
const PLAN_ACTION = /[/-]plan\b|terraform-plan|pulumi|helmfile/i;

function stepChecks(step: Step): boolean {
  if (step.run && CHECK_COMMAND.test(step.run.value.replace(SHELL_TEST, ""))) return true;
  // A local action named for tests (`./.github/actions/run-tests`), or whose own steps run them.
  if (step.localSteps?.some(stepChecks)) return true;
  return Boolean(
    step.uses &&
      (step.uses.kind === "action" || step.uses.kind === "local") &&
      CHECK_ACTION.test(step.uses.raw.split("@")[0]!),
  );
}

/** Checks a pull request or push runs before merging: tests and linters, or a plan of the change. */
function stepReviews(step: Step): boolean {
  if (stepChecks(step)) return true;
  if (step.run) return PLAN_COMMAND.test(step.run.value);
  return Boolean(step.uses && PLAN_ACTION.test(step.uses.raw.split("@")[0]!));
}

export const deployWithoutCi = defineRule({
  meta: {
    id: "deploy-without-ci",
    name: "Deploy on push without a CI gate",
    severity: "warning",
    confidence: "medium",
    category: "delivery",
    description:
      "Reports deploy jobs of workflows triggered by `push` that neither wait (`needs`) for a job running tests or lint, nor call a CI workflow, nor run tests themselves before deploying.",
    fixable: false,
  },
  repository(ctx) {
    const reviews = (w: Workflow) =>
      w.jobs.some((j) => j.steps.some(stepReviews) || (j.uses ? callsCi(j, ctx.workflows, 0) : false));
    // CI on pull requests gates what merges, if branch protection requires it (not visible here).
    const pullRequestCi = ctx.workflows.find(
      (w) => triggeredBy(w, "pull_request", "merge_group") && reviews(w),
    );
    // CI that tests every push, beside the deploy rather than before it.
    const pushCi = ctx.workflows.find(
      (w) => triggeredBy(w, "push") && !w.jobs.some(isDeployJob) && reviews(w),
    );
    for (const workflow of ctx.workflows) {
      if (!triggeredBy(workflow, "push")) continue;
      // Once per job: a job is the ancestor of many deploys in a long chain.
      const checked = new Map<Job, boolean>();
      const runsChecks = (job: Job): boolean => {
        let runs = checked.get(job);
        if (runs === undefined) {
          runs = job.steps.some(stepChecks) || (job.uses ? callsCi(job, ctx.workflows, 0) : false);
          checked.set(job, runs);
        }
        return runs;
      };
      const ungated = new Set(
        workflow.jobs.filter(
          (job) =>
            isDeployJob(job) &&
            !onlyOtherEvents(job) &&
            !jobAncestors(job, workflow).some(runsChecks) &&
            !checksBeforeDeploy(job),
        ),
      );
      for (const job of ungated) {
        // One finding per chain: a deploy that waits for an ungated deploy is the same problem.
        if (jobAncestors(job, workflow).some((a) => ungated.has(a))) continue;
        if (pullRequestCi) {
          ctx.report(workflow, {
            node: job.key,
            key: job.id,
            severity: "note",
            message: `job "${job.id}" deploys on every push and waits for no tests itself; ${pullRequestCi.source.path} checks pull requests, so this holds only while branch protection requires those checks before merging and nobody pushes directly`,
          });
          continue;
        }
        if (pushCi) {
          ctx.report(workflow, {
            node: job.key,
            key: job.id,
            severity: "note",
            message: `job "${job.id}" deploys on every push without waiting for ${pushCi.source.path}, which tests the same pushes: a commit that fails them is already deployed when they finish. Run the deploy after them (workflow_run on that workflow, or call it and add needs:)`,
          });
          continue;
        }
        ctx.report(workflow, {
          node: job.key,
          key: job.id,
          message: `job "${job.id}" deploys on every push without waiting for tests: nothing it needs runs tests or lint and it calls no CI workflow, so a commit that breaks the build still ships. Add needs: on the test job (or a job calling the CI workflow, uses: ./.github/workflows/ci.yml)`,
        });
      }
    }

    /** A reusable-workflow call counts when the called local workflow runs checks, or its name says CI. */
    function callsCi(job: Job, workflows: Workflow[], depth: number): boolean {
      const raw = job.uses!.raw.split("@")[0]!;
      const called = calledWorkflow(job, workflows);
      if (called && depth < 3)
        return called.jobs.some(
          (j) => j.steps.some(stepChecks) || (j.uses ? callsCi(j, workflows, depth + 1) : false),
        );
      return CI_WORKFLOW.test(raw.split("/").pop() ?? "");
    }
  },
});

/** A job that runs only on some other event (`if: github.event_name == 'workflow_dispatch'`). */
function onlyOtherEvents(job: Job): boolean {
  const condition = job.if?.value ?? "";
  return (
    /github\.event_name\s*==\s*['"](?!push['"])/.test(condition) &&
    !/event_name\s*==\s*['"]push/.test(condition)
  );
}

/** Tests the deploy job runs itself, before its first deploy step. */
function checksBeforeDeploy(job: Job): boolean {
  const first = job.steps.findIndex(stepDeploys);
  return job.steps.slice(0, first < 0 ? job.steps.length : first).some(stepChecks);
}

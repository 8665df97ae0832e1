import type { Node } from "yaml";
import { withCallerInputs } from "../model/local-callees.js";
import type { Job, Step, Value, Workflow } from "../model/workflow.js";
import { defineRule } from "../types.js";
import { commandsIn, locatedLines, regionInLine } from "./curl-pipe-shell.js";

const PRIVILEGED_TRIGGERS = ["pull_request_target", "workflow_run"];

/**
 * Expressions and refs that name the pull request's (or the triggering run's) commits. A fork's
 * commits can be fetched from the base repository (GitHub keeps them under `refs/pull/`), so a
 * SHA is enough; its branch name is not: without the fork as `repository`, it names a branch of
 * the base repository, whose code is trusted.
 */
const HEAD_REF =
  /github\.event\.pull_request\.(head\.sha|merge_commit_sha)\b|github\.event\.workflow_run\.(head_sha|head_commit\.id|pull_requests\[\d+\]\.head\.sha)\b|\brefs\/pull\/|^\+?pull\/.+?\/(head|merge)\b/;
/** The fork the pull request comes from. */
const HEAD_REPOSITORY =
  /github\.event\.pull_request\.head\.repo\.(full_name|clone_url|ssh_url|html_url)|github\.event\.workflow_run\.head_repository\.(full_name|clone_url|html_url)/;

/**
 * Conditions under which the checked-out code is not an outsider's: only pull requests from
 * branches of this repository (whose authors can push anyway), or only merged ones.
 */
const TRUSTED_ONLY =
  /head(\.repo|_repository)\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.(pull_request\.head\.repo|workflow_run\.head_repository)\.full_name|head(\.repo|_repository)\.fork\s*==\s*false|!\s*github\.event\.(pull_request\.head\.repo|workflow_run\.head_repository)\.fork\b|pull_request\.merged\s*==\s*true|pull_request\.merged\s*(&&|\)|$)/;

/** Whether a job (or one of its steps) only runs for code from this repository. */
export function trustedOnly(...conditions: Array<Value<string> | undefined>): boolean {
  return conditions.some((c) => c && TRUSTED_ONLY.test(c.value));
}

/** The trigger that gives the workflow write tokens and secrets, for `related`. */
export function triggerNode(workflow: Workflow, events: string[]): { node: Node; event: string } | undefined {
  for (const event of events) {
    const trigger = workflow.on.get(event);
    if (trigger) return { node: trigger.key ?? trigger.node, event };
  }
  return undefined;
}

/** Shell variables (step, job or workflow env) holding the head ref: `git checkout "$HEAD_SHA"`. */
function headVariables(step: Step, job: Job, workflow: Workflow): string[] {
  const out: string[] = [];
  for (const env of [workflow.env, job.env, step.env]) {
    for (const [name, v] of env) if (HEAD_REF.test(v.value) || HEAD_REPOSITORY.test(v.value)) out.push(name);
  }
  return out;
}

export const untrustedCheckout = defineRule({
  meta: {
    id: "untrusted-checkout",
    name: "Pull request code checked out in a privileged workflow",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports `pull_request_target` and `workflow_run` workflows that check out the pull request's code (its head ref, SHA, merge ref or fork), which then runs with the base repository's secrets and write token.",
    fixable: false,
  },
  step(step, job, ctx) {
    const trigger = triggerNode(ctx.workflow, PRIVILEGED_TRIGGERS);
    if (!trigger || trustedOnly(job.if, step.if)) return;
    const related = [
      {
        node: trigger.node,
        message: `${trigger.event} runs with the base repository's secrets and a write token`,
      },
    ];
    const advice =
      "build and test untrusted code in a `pull_request` workflow (no secrets), and pass results to the privileged one as artifacts; if it must run here, gate it on an approved environment and never run its scripts";

    if (step.uses?.repository?.toLowerCase() === "actions/checkout") {
      const ref = step.with.get("ref");
      const repository = step.with.get("repository");
      const target =
        ref && HEAD_REF.test(ref.value)
          ? ref
          : repository && HEAD_REPOSITORY.test(repository.value)
            ? repository
            : undefined;
      if (target) {
        ctx.report({
          node: target.node,
          key: `${step.uses.raw.split("@")[0]} ${target.value}`,
          message: `this checks out the pull request's code in a ${trigger.event} workflow: anything it runs (build scripts, tests, install hooks) runs with secrets and a write token. Check out the base branch here, or ${advice}`,
          related,
        });
      }
      return;
    }

    // The repository's own composite action checking out what this step hands it.
    if (step.localSteps && step.uses) {
      const risky = step.localSteps.some((inner) => {
        if (inner.uses?.repository?.toLowerCase() !== "actions/checkout") return false;
        const ref = withCallerInputs(step, inner.with.get("ref")?.value ?? "");
        const repository = withCallerInputs(step, inner.with.get("repository")?.value ?? "");
        return HEAD_REF.test(ref) || HEAD_REPOSITORY.test(repository);
      });
      if (risky)
        ctx.report({
          node: step.uses.node,
          key: step.uses.raw,
          message: `the local action ${step.uses.raw} checks out the pull request's code in a ${trigger.event} workflow: anything run from it runs with secrets and a write token. Check out the base branch there, or ${advice}`,
          related,
        });
      return;
    }

    if (!step.run) return;
    const source = ctx.workflow.source;
    const variables = headVariables(step, job, ctx.workflow);
    const viaVariable = (text: string) =>
      variables.some((name) => new RegExp(String.raw`\$\{?${name}\b`).test(text));
    for (const line of locatedLines(source, step.run)) {
      const commands = [
        ...commandsIn(line.text, /gh\s+pr\s+checkout/),
        ...commandsIn(
          line.text,
          /git\s+(?:-\S+\s+)*(?:checkout|switch|fetch|pull|reset|worktree\s+add|clone)/,
        ).filter((c) =>
          c.args.some((a) => HEAD_REF.test(a.value) || HEAD_REPOSITORY.test(a.value) || viaVariable(a.value)),
        ),
      ];
      for (const command of commands) {
        const text = line.text.slice(
          command.at,
          (command.args.at(-1)?.at ?? command.at) + (command.args.at(-1)?.raw.length ?? command.name.length),
        );
        ctx.report({
          node: step.run.node,
          region: regionInLine(source, step.run.node, line, text, command.at),
          key: text,
          message: `this fetches the pull request's code in a ${trigger.event} workflow: anything run from it afterwards runs with secrets and a write token. Use the base branch here, or ${advice}`,
          related,
        });
      }
    }
  },
});

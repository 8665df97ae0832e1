import { isMap, isPair, isScalar, type Node } from "yaml";
import { triggeredBy } from "../classify.js";
import type { Job, Value } from "../model/workflow.js";
import { JUDGED_SCOPES, type JudgedScope, scopesUsed } from "../token-scopes.js";
import { defineRule, type RuleContext } from "../types.js";

/** Triggers whose runs an outsider starts, with data (or code) they control. */
const FORK_TRIGGERS = ["pull_request_target", "issue_comment", "workflow_run"];

export const excessivePermissions = defineRule({
  meta: {
    id: "excessive-permissions",
    name: "Token permissions broader than needed",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports `permissions: write-all`, write scopes granted to the whole workflow when it runs on `pull_request_target`, `issue_comment` or `workflow_run`, and write scopes (other than `id-token`) that nothing in the jobs they reach can be using.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    const permissions = workflow.permissions;
    if (!permissions) return;
    if (isWriteAll(permissions)) {
      reportWriteAll(permissions, "the workflow", "workflow", ctx);
      return;
    }
    const trigger = FORK_TRIGGERS.find((t) => triggeredBy(workflow, t));
    // With a single job, a workflow-level grant is exactly as narrow as a job-level one.
    if (!trigger || workflow.jobs.length < 2 || !isMap(permissions.node)) {
      const inheriting = workflow.jobs.filter((job) => !job.permissions);
      if (inheriting.length) reportUnused(permissions, inheriting, "no job", "workflow", ctx);
      return;
    }
    for (const item of permissions.node.items) {
      if (!isPair(item) || !isScalar(item.key) || !isScalar(item.value) || item.value.value !== "write")
        continue;
      const scope = String(item.key.value);
      ctx.report({
        node: item.value as Node,
        key: `workflow:${scope}`,
        message: `${scope}: write is granted to every job of a workflow that runs on ${trigger} (started by outsiders): grant it in the permissions of the one job that needs it and keep the workflow level read-only`,
      });
    }
  },
  job(job, ctx) {
    if (!job.permissions) return;
    if (isWriteAll(job.permissions)) reportWriteAll(job.permissions, `job "${job.id}"`, job.id, ctx);
    else reportUnused(job.permissions, [job], `job "${job.id}"`, job.id, ctx);
  },
});

function isWriteAll(permissions: Value<unknown>): boolean {
  return permissions.value === "write-all";
}

function reportWriteAll(permissions: Value<unknown>, who: string, key: string, ctx: RuleContext) {
  ctx.report({
    node: permissions.node,
    key,
    message: `permissions: write-all gives ${who} a token that can push code, create releases, publish packages and edit issues and pull requests: list only the scopes it needs (e.g. contents: read)`,
  });
}

function names(jobs: readonly Job[]): string {
  const quoted = jobs.slice(0, 3).map((j) => `job "${j.id}"`);
  return jobs.length > 3 ? `${quoted.join(", ")} and ${jobs.length - 3} more` : quoted.join(" and ");
}

/**
 * Write scopes granted to jobs none of which can be using them (see ../token-scopes.ts): one
 * warning per scope, at its grant.
 */
function reportUnused(
  permissions: Value<unknown>,
  jobs: readonly Job[],
  who: string,
  key: string,
  ctx: RuleContext,
) {
  if (!isMap(permissions.node)) return;
  const used = jobs.map((job) => scopesUsed(job, ctx.workflow));
  for (const item of permissions.node.items) {
    if (!isPair(item) || !isScalar(item.key) || !isScalar(item.value) || item.value.value !== "write")
      continue;
    const scope = String(item.key.value) as JudgedScope;
    if (!JUDGED_SCOPES.includes(scope)) continue;
    const uses = used.map((scopes) => scopes === "any" || scopes.has(scope));
    const users = jobs.filter((_, i) => uses[i]);
    // A workflow-wide grant that some of the jobs it reaches use: the others get it for nothing.
    if (users.length && who === "no job") {
      const idle = jobs.filter((_, i) => !uses[i]);
      if (!idle.length || used.includes("any")) continue;
      ctx.report({
        node: item.value as Node,
        key: `${key}:some:${scope}`,
        severity: "warning",
        message: `${scope}: write is granted to every job, but only ${names(users)} ${users.length > 1 ? "use" : "uses"} it: ${names(idle)} ${idle.length > 1 ? "get" : "gets"} it for nothing, and a compromised step there can use it. Grant it in the permissions of ${users.length > 1 ? "those jobs" : "that job"} and keep the workflow level read-only`,
      });
      continue;
    }
    if (users.length) continue;
    ctx.report({
      node: item.value as Node,
      key: `${key}:unused:${scope}`,
      severity: "warning",
      message: `${scope}: write is granted but ${who === "no job" ? "no job it reaches runs" : `${who} runs`} nothing that uses it: a compromised step gets the scope for nothing. Remove it, or grant it only to the job that needs it`,
    });
  }
}

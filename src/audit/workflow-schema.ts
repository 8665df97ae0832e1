/**
 * The structure GitHub requires of a workflow file, checked on the parsed tree: the keys each
 * level accepts, the events, event filters, permission scopes and values, and what a job or a
 * step must have. GitHub refuses a file that breaks any of these and runs none of its jobs; the
 * audit would otherwise judge a workflow that never runs (a `permissions:` indented under
 * `jobs:` reads as a job called "permissions"). The tables follow GitHub's workflow syntax
 * reference; the tests hold every rejection here against GitHub's own parser
 * (@actions/workflow-parser), so a key GitHub adds shows up as a disagreement, not as a
 * silent false finding.
 *
 * Expressions (`${{ … }}`) are accepted wherever a value may be computed; only literal
 * values are judged.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import { memoByObject } from "./memo.js";

export interface SchemaProblem {
  node: Node;
  message: string;
  /** Stable text for baselines. */
  key: string;
}

const TOP_LEVEL = [
  "name",
  "run-name",
  "description",
  "on",
  "permissions",
  "env",
  "defaults",
  "concurrency",
  "jobs",
];
const JOB = [
  "name",
  "permissions",
  "needs",
  "if",
  "runs-on",
  "snapshot",
  "environment",
  "concurrency",
  "outputs",
  "env",
  "defaults",
  "steps",
  "timeout-minutes",
  "cancel-timeout-minutes",
  "strategy",
  "continue-on-error",
  "container",
  "services",
];
/** A job that calls a reusable workflow takes these and no others. */
const CALLER_JOB = [
  "name",
  "uses",
  "with",
  "secrets",
  "strategy",
  "needs",
  "if",
  "permissions",
  "concurrency",
];
const STEP_COMMON = ["id", "if", "name", "env", "continue-on-error", "timeout-minutes"];
/** A script step: inputs (`with:`) belong to actions. */
const RUN_STEP = [...STEP_COMMON, "run", "working-directory", "shell"];
/** An action step: the shell and working directory belong to scripts. */
const USES_STEP = [...STEP_COMMON, "uses", "with"];
const STEP = [...new Set([...RUN_STEP, ...USES_STEP])];
const PERMISSION_SCOPES = [
  "actions",
  "artifact-metadata",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "id-token",
  "issues",
  "models",
  "packages",
  "pages",
  "pull-requests",
  "repository-projects",
  "security-events",
  "statuses",
];
/** Scopes that have no `read` level: a token either gets them for writing or not at all. */
const WRITE_OR_NONE = new Set(["id-token"]);
/** Scopes with no `write` level. */
const READ_OR_NONE = new Set(["models"]);

const BRANCH_FILTERS = ["branches", "branches-ignore", "paths", "paths-ignore"];
/** Each event's accepted keys; events absent here take `types` only. */
const EVENT_KEYS: Record<string, string[]> = {
  push: [...BRANCH_FILTERS, "tags", "tags-ignore"],
  pull_request: [...BRANCH_FILTERS, "types"],
  pull_request_target: [...BRANCH_FILTERS, "types"],
  workflow_run: ["workflows", "types", "branches", "branches-ignore"],
  workflow_dispatch: ["inputs"],
  workflow_call: ["inputs", "outputs", "secrets"],
  schedule: [],
  merge_group: ["types"],
};
const EVENTS = new Set([
  ...Object.keys(EVENT_KEYS),
  "branch_protection_rule",
  "check_run",
  "check_suite",
  "create",
  "delete",
  "deployment",
  "deployment_status",
  "discussion",
  "discussion_comment",
  "fork",
  "gollum",
  "image_version",
  "issue_comment",
  "issues",
  "label",
  "milestone",
  "page_build",
  "project",
  "project_card",
  "project_column",
  "public",
  "pull_request_review",
  "pull_request_review_comment",
  "registry_package",
  "release",
  "repository_dispatch",
  "status",
  "watch",
]);
const DISPATCH_INPUT_TYPES = ["string", "boolean", "number", "choice", "environment"];
const CALL_INPUT_TYPES = ["string", "boolean", "number"];

const EXPRESSION = /\$\{\{[\s\S]*\}\}/;

/**
 * Every structural problem GitHub would refuse the workflow for, in document order. Computed
 * once per parsed workflow: invalid-workflow reports them, deploy-without-rollback asks whether
 * a rollback workflow can run at all.
 */
export const checkWorkflowStructure = memoByObject(checkStructure);

function checkStructure(root: YAMLMap): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const report = (node: Node, message: string, key: string) => problems.push({ node, message, key });
  const keysOf = (map: YAMLMap, allowed: string[], where: string, keyPrefix: string) => {
    for (const pair of pairs(map)) {
      const name = keyName(pair);
      if (name === undefined || allowed.includes(name)) continue;
      report(
        pair.key as Node,
        `${where} does not take \`${name}\`${suggest(name, allowed)}`,
        `${keyPrefix}:${name}`,
      );
    }
  };

  keysOf(root, TOP_LEVEL, "a workflow", "top");
  for (const required of ["on", "jobs"]) {
    if (!root.has(required)) report(root, `a workflow needs \`${required}:\``, `missing:${required}`);
  }
  const on = root.get("on", true) as Node | undefined;
  if (on) checkTriggers(on, report);
  const permissions = root.get("permissions", true) as Node | undefined;
  if (permissions) checkPermissions(permissions, "the workflow", report);

  const jobs = root.get("jobs", true);
  if (isMap(jobs)) {
    for (const pair of pairs(jobs)) {
      const id = keyName(pair);
      if (id === undefined) continue;
      checkJob(id, pair, report);
    }
  } else if (jobs !== undefined && jobs !== null) {
    report(jobs as Node, "`jobs:` must be a mapping of job ids to jobs", "jobs:not-a-mapping");
  }
  return problems;

  function checkJob(id: string, pair: Pair, report: (node: Node, message: string, key: string) => void) {
    const job = pair.value;
    if (!isMap(job)) {
      if (!isExpression(job)) report((job ?? pair.key) as Node, `job "${id}" must be a mapping`, `job:${id}`);
      return;
    }
    if (TOP_LEVEL.includes(id) && !job.has("runs-on") && !job.has("uses") && !job.has("steps")) {
      report(
        pair.key as Node,
        `"${id}" under \`jobs:\` is read as a job with no runs-on, steps or uses: it looks like the workflow's \`${id}:\` indented too far. Move it to the top level, or indent it under a job`,
        `job:${id}:misplaced`,
      );
      return;
    }
    const caller = job.has("uses");
    keysOf(
      job,
      caller ? CALLER_JOB : JOB,
      caller ? `job "${id}", which calls a reusable workflow,` : `job "${id}"`,
      `job:${id}`,
    );
    if (!caller && !job.has("runs-on"))
      report(
        pair.key as Node,
        `job "${id}" needs \`runs-on:\` (or \`uses:\` to call a reusable workflow)`,
        `job:${id}:runs-on`,
      );
    const jobPermissions = job.get("permissions", true) as Node | undefined;
    if (jobPermissions) checkPermissions(jobPermissions, `job "${id}"`, report);
    checkNumber(job.get("timeout-minutes", true) as Node | undefined, `job "${id}"`, report);
    const steps = job.get("steps", true);
    if (isSeq(steps)) {
      steps.items.forEach((step, index) => {
        checkStep(step as Node, `step ${index + 1} of job "${id}"`, `job:${id}:step:${index}`, report);
      });
    }
  }

  function checkStep(
    step: Node,
    where: string,
    key: string,
    report: (n: Node, m: string, k: string) => void,
  ) {
    if (!isMap(step)) return;
    const hasRun = step.has("run");
    const hasUses = step.has("uses");
    if (hasRun !== hasUses)
      keysOf(step, hasRun ? RUN_STEP : USES_STEP, `${where} (${hasRun ? "a script" : "an action"})`, key);
    else keysOf(step, STEP, where, key);
    if (hasRun && hasUses)
      report(
        step.get("uses", true) as Node,
        `${where} has both \`run:\` and \`uses:\`; a step does one. Split it in two`,
        `${key}:run+uses`,
      );
    else if (!hasRun && !hasUses)
      report(
        step,
        `${where} has neither \`run:\` nor \`uses:\`, so it does nothing GitHub accepts`,
        `${key}:empty`,
      );
    checkNumber(step.get("timeout-minutes", true) as Node | undefined, where, report);
  }
}

function checkTriggers(on: Node, report: (node: Node, message: string, key: string) => void): void {
  const event = (node: Node, name: string) => {
    if (!EVENTS.has(name))
      report(
        node,
        `\`${name}\` is not an event GitHub triggers workflows on${suggest(name, [...EVENTS])}`,
        `on:${name}`,
      );
  };
  if (isScalar(on)) {
    if (typeof on.value === "string") event(on, on.value);
    return;
  }
  if (isSeq(on)) {
    for (const item of on.items)
      if (isScalar(item) && typeof item.value === "string") event(item, item.value);
    return;
  }
  if (!isMap(on)) return;
  for (const pair of pairs(on)) {
    const name = keyName(pair);
    if (name === undefined) continue;
    if (!EVENTS.has(name)) {
      event(pair.key as Node, name);
      continue;
    }
    const config = pair.value;
    if (name === "schedule") {
      if (isSeq(config))
        for (const item of config.items) {
          if (isMap(item)) {
            for (const p of pairs(item)) {
              const k = keyName(p);
              if (k !== undefined && k !== "cron")
                report(
                  p.key as Node,
                  `a schedule entry takes \`cron\` only, not \`${k}\``,
                  `on:schedule:${k}`,
                );
            }
          }
        }
      continue;
    }
    if (!isMap(config)) continue;
    const allowed = EVENT_KEYS[name] ?? ["types"];
    for (const p of pairs(config)) {
      const k = keyName(p);
      if (k === undefined || allowed.includes(k)) continue;
      report(
        p.key as Node,
        `the \`${name}\` event does not take \`${k}\`${suggest(k, allowed)}`,
        `on:${name}:${k}`,
      );
    }
    if (name === "workflow_dispatch" || name === "workflow_call") {
      const types = name === "workflow_dispatch" ? DISPATCH_INPUT_TYPES : CALL_INPUT_TYPES;
      const inputs = config.get("inputs", true);
      if (isMap(inputs))
        for (const input of pairs(inputs)) {
          const type = isMap(input.value) ? (input.value.get("type", true) as Node | undefined) : undefined;
          const options = isMap(input.value) ? input.value.get("options", true) : undefined;
          if (isSeq(options))
            for (const option of options.items)
              if (!isScalar(option))
                report(
                  option as Node,
                  `option of input "${keyName(input)}" is a ${isSeq(option) ? "list" : "mapping"}; the options of a choice input are plain strings (write "EU,US", not [EU,US])`,
                  `on:${name}:input:${keyName(input)}:option`,
                );
          if (isScalar(type) && typeof type.value === "string" && !types.includes(type.value))
            report(
              type,
              `input "${keyName(input)}" of \`${name}\` has type \`${type.value}\`; it takes ${types.join(", ")}${suggest(type.value, types)}`,
              `on:${name}:input:${keyName(input)}:type`,
            );
        }
    }
  }
}

function checkPermissions(
  node: Node,
  where: string,
  report: (node: Node, message: string, key: string) => void,
): void {
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === "string" && !["read-all", "write-all"].includes(value) && !EXPRESSION.test(value))
      report(
        node,
        `permissions of ${where} are \`${value}\`; as one word they are read-all or write-all, otherwise a mapping of scopes`,
        `permissions:${value}`,
      );
    return;
  }
  if (!isMap(node)) return;
  for (const pair of pairs(node)) {
    const scope = keyName(pair);
    if (scope === undefined) continue;
    if (!PERMISSION_SCOPES.includes(scope)) {
      report(
        pair.key as Node,
        `\`${scope}\` is not a permission scope${suggest(scope, PERMISSION_SCOPES)}`,
        `permissions:${scope}`,
      );
      continue;
    }
    const level = isScalar(pair.value) ? pair.value.value : undefined;
    if (typeof level !== "string") continue;
    const levels = WRITE_OR_NONE.has(scope)
      ? ["write", "none"]
      : READ_OR_NONE.has(scope)
        ? ["read", "none"]
        : ["read", "write", "none"];
    if (!levels.includes(level))
      report(
        pair.value as Node,
        `\`${scope}: ${level}\` is not a permission level; ${scope} takes ${levels.join(", ")}`,
        `permissions:${scope}:${level}`,
      );
  }
}

function checkNumber(
  node: Node | undefined,
  where: string,
  report: (node: Node, message: string, key: string) => void,
): void {
  if (!isScalar(node)) return;
  if (typeof node.value === "number" || isExpression(node)) return;
  report(
    node,
    `timeout-minutes of ${where} must be a number of minutes (or an expression), not \`${String(node.value)}\``,
    "timeout-minutes",
  );
}

function isExpression(node: unknown): boolean {
  return isScalar(node) && typeof node.value === "string" && EXPRESSION.test(node.value);
}

function pairs(map: YAMLMap): Pair[] {
  return map.items as Pair[];
}

function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) && (typeof pair.key.value === "string" || typeof pair.key.value === "number")
    ? String(pair.key.value)
    : undefined;
}

/** ", did you mean `x`?" for a name one or two edits from an accepted one. */
function suggest(name: string, accepted: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of accepted) {
    const d = distance(name.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? `; did you mean \`${best}\`?` : "";
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

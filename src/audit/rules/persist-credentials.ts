import { isMap, isPair, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import { appendToMap } from "../fix.js";
import { memoByObject } from "../memo.js";
import type { SourceFile } from "../model/source.js";
import type { Job, Step } from "../model/workflow.js";
import { firstAbove } from "../sorted.js";
import { defineRule, type TextEdit } from "../types.js";

/**
 * Later steps that use the credentials checkout leaves in .git/config: git commands that talk
 * to the remote, tools that push (docs deploys, release tools) and actions that commit.
 */
const USES_GIT_REMOTE =
  /\bgit\b[^\n;&|]*?\s(push|fetch|pull|ls-remote|submodule|remote\s+update)\b|\bmkdocs\s+gh-deploy\b|\bmike\s+deploy\b|\bghp-import\b|\blerna\s+(publish|version)\b|\bsemantic-release\b|\brelease-it\b|\bchangeset\s+publish\b/;
const PUSHING_ACTIONS = new Set([
  "stefanzweifel/git-auto-commit-action",
  "endbug/add-and-commit",
  "changesets/action",
  "ad-m/github-push-action",
  "cycjimmy/semantic-release-action",
]);

export const persistCredentials = defineRule({
  meta: {
    id: "persist-credentials",
    name: "Checkout keeps the token on disk",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports `actions/checkout` steps that do not set `persist-credentials`, so the job's token stays in `.git/config` for every later step and any uploaded workspace.",
    fixable: true,
  },
  step(step, job, ctx) {
    if (step.uses?.repository?.toLowerCase() !== "actions/checkout") return;
    // false: done; an expression or an explicit true is a visible, deliberate choice.
    if (step.withNode && pair(step.withNode, "persist-credentials")) return;
    const user = laterGitUser(job, step);
    const edit = withEdit(ctx.workflow.source, step);
    ctx.report({
      node: step.uses.node,
      key: `${job.id}:${step.id ?? step.name ?? step.index}`,
      message: user
        ? `actions/checkout leaves the job's token in .git/config for every later step, and ${user} uses it: set persist-credentials: false and give that step a token of its own (e.g. in the remote URL)`
        : `actions/checkout leaves the job's token in .git/config, readable by every later step and included in any uploaded workspace: set persist-credentials: false`,
      fix: edit && {
        description: user
          ? `set persist-credentials: false (then ${user} needs a token of its own)`
          : "set persist-credentials: false",
        safe: !user,
        edits: [edit],
      },
    });
  },
});

/** The first step after the checkout that uses the persisted credentials, described. */
function laterGitUser(job: Job, checkout: Step): string | undefined {
  const users = gitUsers(job);
  return users[firstAbove(users, checkout.index, (user) => user.index)]?.description;
}

/** The job's steps that use persisted credentials, in order, each described. */
const gitUsers = memoByObject(
  (job: Job): Array<{ index: number; description: string }> =>
    job.steps.flatMap((step) => {
      const command = step.run ? USES_GIT_REMOTE.exec(step.run.value)?.[0] : undefined;
      const repo = step.uses?.repository?.toLowerCase();
      const what = command
        ? `\`${command.replace(/\s+/g, " ")}\``
        : repo && PUSHING_ACTIONS.has(repo)
          ? repo
          : undefined;
      if (!what) return [];
      return [
        {
          index: step.index,
          description: step.name ? `step "${step.name}" (${what})` : `the step running ${what}`,
        },
      ];
    }),
);

function withEdit(source: SourceFile, step: Step): TextEdit | undefined {
  const withPair = pair(step.node, "with");
  if (withPair) {
    const map = withPair.value;
    if (!isMap(map)) return undefined;
    if (!map.flow) return appendToMap(source, map, ["persist-credentials: false"]);
    const close = source.text.lastIndexOf("}", map.range?.[1] ?? 0);
    if (close < 0 || close < (map.range?.[0] ?? 0)) return undefined;
    let at = close;
    while (at > 0 && /\s/.test(source.text[at - 1]!)) at--;
    const separator = map.items.length && source.text[at - 1] !== "," ? ", " : " ";
    return { start: at, end: at, text: `${separator}persist-credentials: false` };
  }
  const usesPair = pair(step.node, "uses");
  const keyStart = usesPair?.key.range?.[0];
  const valueEnd = usesPair?.value?.range?.[1];
  if (keyStart === undefined || valueEnd === undefined || step.node.flow) return undefined;
  const lineStart = source.text.lastIndexOf("\n", keyStart - 1) + 1;
  const indent = " ".repeat(keyStart - lineStart);
  const eol = source.text.indexOf("\n", valueEnd);
  const at = eol < 0 ? source.text.length : eol + 1;
  const prefix = eol < 0 ? "\n" : "";
  return { start: at, end: at, text: `${prefix}${indent}with:\n${indent}  persist-credentials: false\n` };
}

function pair(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item as Pair<Node, Node>;
  }
  return undefined;
}

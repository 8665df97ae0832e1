import { jobScriptLinesByStep, scriptOffset } from "../classify.js";
import type { Value } from "../model/workflow.js";
import { defineRule, type Fix, type RuleContext } from "../types.js";

/**
 * The workflow commands GitHub replaced with environment files. `set-env` and `add-path` were
 * disabled in November 2020 (an attacker who can print to the log could set any variable, PATH
 * and LD_PRELOAD included); `set-output` and `save-state` were deprecated in October 2022 and
 * print a warning on every run.
 */
const COMMANDS = {
  "set-output": { file: "GITHUB_OUTPUT", disabled: false },
  "save-state": { file: "GITHUB_STATE", disabled: false },
  "set-env": { file: "GITHUB_ENV", disabled: true },
  "add-path": { file: "GITHUB_PATH", disabled: true },
} as const;
type Command = keyof typeof COMMANDS;

const COMMAND = /(?<![\w:])::(set-output|save-state|set-env|add-path)\b/g;
/**
 * `echo "::set-output name=x::value"` as a whole command, rewritten by a safe fix; the unquoted
 * form gets the same rewrite as an unsafe fix, since quoting the value stops the shell from
 * splitting and globbing it (usually what was meant, but not what ran).
 */
const END = String.raw`(?=\s*(?:$|[;&|#)]))`;
const QUOTED_ECHO = new RegExp(
  String.raw`\becho\s+"::(set-output|save-state|set-env|add-path)((?: name=[A-Za-z_][\w-]*)?)::([^"\`%\\]*)"` +
    END,
  "g",
);
const UNQUOTED_ECHO = new RegExp(
  String.raw`\becho\s+::(set-output|save-state|set-env|add-path)((?: name=[A-Za-z_][\w-]*)?)::([^\s"'\`%\\;&|]+)` +
    END,
  "g",
);
const UNSECURE = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

export const deprecatedWorkflowCommand = defineRule({
  meta: {
    id: "deprecated-workflow-command",
    name: "Deprecated workflow command",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description:
      "Reports `run:` scripts that use the `::set-output`, `::save-state`, `::set-env` or `::add-path` workflow commands instead of the environment files, and `ACTIONS_ALLOW_UNSECURE_COMMANDS` set to re-enable the disabled ones.",
    fixable: true,
  },
  workflow(workflow, ctx) {
    reportUnsecure(workflow.env, ctx);
  },
  job(job, ctx) {
    reportUnsecure(job.env, ctx);
  },
  step(step, job, ctx) {
    reportUnsecure(step.env, ctx);
    if (!step.run) return;
    const text = ctx.workflow.source.text;
    for (const line of jobScriptLinesByStep(job, text).get(step) ?? []) {
      const fixes = new Map<number, Fix>();
      for (const [pattern, safe] of [
        [QUOTED_ECHO, true],
        [UNQUOTED_ECHO, false],
      ] as const) {
        for (const m of line.text.matchAll(pattern)) {
          const command = m[1] as Command;
          const name = m[2]!.replace(/^ name=/, "");
          // add-path takes no name; the others need one.
          if ((command === "add-path") !== (name === "")) continue;
          const at = scriptOffset(text, line, m[0]);
          if (at === undefined) continue;
          const file = COMMANDS[command].file;
          const line_ = command === "add-path" ? m[3] : `${name}=${m[3]}`;
          fixes.set(m.index + m[0].indexOf("::"), {
            description: `append to $${file} instead${safe ? "" : " (quoting the value: the shell no longer splits or globs it)"}`,
            safe,
            edits: [{ start: at, end: at + m[0].length, text: `echo "${line_}" >> "$${file}"` }],
          });
        }
      }
      for (const m of line.text.matchAll(COMMAND)) {
        const command = m[1] as Command;
        const { file, disabled } = COMMANDS[command];
        const at = scriptOffset(text, line, m[0]);
        const region =
          at === undefined
            ? ctx.workflow.source.regionIn(line.step.run!.node, m[0])
            : ctx.workflow.source.regionOf(at, at + m[0].length);
        const fix = fixes.get(m.index);
        ctx.report({
          region,
          key: `${job.id}:${line.step.id ?? line.step.name ?? line.step.index}:${command}:${line.text.trim()}`,
          severity: disabled ? "error" : undefined,
          message: disabled
            ? `::${command} has been disabled since November 2020 (anything that could print to the log could set variables such as PATH or LD_PRELOAD): the step fails unless ${UNSECURE} re-enables it. Append to "$${file}" instead`
            : `::${command} is deprecated and prints a warning on every run, and GitHub has announced it will stop working: append to "$${file}" instead (${command === "set-output" ? `echo "name=value" >> "$GITHUB_OUTPUT"` : `echo "name=value" >> "$GITHUB_STATE"`})`,
          fix,
        });
      }
    }
  },
});

function reportUnsecure(env: Map<string, Value<string>>, ctx: RuleContext) {
  const value = env.get(UNSECURE);
  if (!value || !/^\s*(true|1|yes|on)\s*$/i.test(value.value)) return;
  ctx.report({
    node: value.key ?? value.node,
    key: UNSECURE,
    severity: "error",
    message: `${UNSECURE} re-enables ::set-env and ::add-path, so any tool, dependency or pull-request text that reaches the log can set environment variables and PATH for every later step: remove it and write to "$GITHUB_ENV" and "$GITHUB_PATH" instead`,
  });
}

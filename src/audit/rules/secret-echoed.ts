import type { Step } from "../model/workflow.js";
import {
  findLeaks,
  isShellScript,
  type Leak,
  namesAnIdentifier,
  regionInScript,
  secretEnv,
} from "../secret-flow.js";
import { defineRule, type RuleContext } from "../types.js";

/**
 * A secret reaches the log or a step output when a command that prints it (echo, printf, a
 * heredoc or here-string fed to cat/tee) is not consumed by another program: its output goes
 * to the terminal, to stderr, through filters that only transform it, or into $GITHUB_OUTPUT /
 * $GITHUB_STEP_SUMMARY (../secret-flow.ts follows it). Output piped into a program
 * (`| docker login --password-stdin`) or redirected into any other file is not reported here.
 */

export const secretEchoed = defineRule({
  meta: {
    id: "secret-echoed",
    name: "Secret printed or written to an output",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports `run:` scripts that print a secret (`echo`, `printf`, `cat <<EOF`) to the log or write it to `$GITHUB_OUTPUT` or `$GITHUB_STEP_SUMMARY`, directly or through an environment variable set from `secrets`.",
    fixable: false,
  },
  step(step, job, ctx) {
    if (!step.run || !isShellScript(step, job, ctx.workflow)) return;
    const secretVars = secretEnv(ctx.workflow, job, step);
    const label = `${job.id}:${step.id ?? step.name ?? step.index}`;
    for (const leak of findLeaks(step.run.value, secretVars)) {
      // The environment file and other files are where secret-exposed looks.
      if (leak.sink === "log" || leak.sink === "output" || leak.sink === "summary")
        report(ctx, step, label, leak);
    }
  },
});

function report(ctx: RuleContext, step: Step, label: string, leak: Leak) {
  const run = step.run!;
  const region = regionInScript(ctx.workflow.source, run, leak);
  const message =
    leak.sink === "log"
      ? `${leak.what} is printed to the log by ${leak.command}: masking only hides the exact value, so a transformed, partial or multi-line secret appears in clear; do not print secrets, pass them to the command that needs them`
      : leak.sink === "output"
        ? `${leak.what} is written to $GITHUB_OUTPUT by ${leak.command}: a step output is not a secret (it is stored, passed on and shown without secret handling); give the steps that need it the secret through env instead`
        : `${leak.what} is written to the job summary by ${leak.command}: the summary is a page for everyone who can see the run; leave secrets out of it`;
  const key = `${label}:${leak.text}:${leak.sink}`;
  if (namesAnIdentifier(leak.what)) {
    // Teams keep account ids, hosts and user names in secrets to keep them out of the file;
    // printing one is worth knowing but is not a credential in the log.
    ctx.report({
      node: run.node,
      region,
      key,
      severity: "note",
      message: `${leak.what} is printed by ${leak.command}; its name says it is an identifier (an id, host, region or user name), not a credential, so this is reported as a note: if it is sensitive, keep it out of the log`,
    });
    return;
  }
  ctx.report({ node: run.node, region, key, message });
}

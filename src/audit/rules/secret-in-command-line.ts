import { actionCommand } from "../deploy-model.js";
import type { Step } from "../model/workflow.js";
import {
  type CommandLineSecret,
  findCommandLineSecrets,
  findLeaks,
  isShellScript,
  namesAnIdentifier,
  regionInScript,
  reportedLeak,
  SECRET_EXPRESSION,
  secretEnv,
} from "../secret-flow.js";
import { defineRule, type RuleContext } from "../types.js";
import { locatedLines, regionInLine } from "./curl-pipe-shell.js";

/** Actions that run a script on another machine over SSH; `script` is sent as text. */
const SSH_SCRIPT_ACTIONS = new Set(["appleboy/ssh-action", "garygrossgarten/github-action-ssh"]);
/** Options whose value is stored in the built image: secret-exposed reports them with their own advice. */
const BUILD_ARG = /^--build-arg$/;

export const secretInCommandLine = defineRule({
  meta: {
    id: "secret-in-command-line",
    name: "Secret on a command line",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports `${{ secrets.X }}` written into the arguments of a command in a `run:` script (`curl -H`, `docker login -p`, `git config`, `--var`), into the script text elsewhere (an assignment, a builtin, a here-string), or into a script an SSH action sends to a server, instead of passing it through an environment variable; secret variables written into git URLs (`git clone https://$TOKEN@…`); and secrets in the command line an action runs a tool with (`cf_command` of cloud.gov's CLI action).",
    fixable: false,
  },
  step(step, job, ctx) {
    const script =
      step.uses?.repository && SSH_SCRIPT_ACTIONS.has(step.uses.repository.toLowerCase())
        ? step.with.get("script")
        : undefined;
    if (script) {
      for (const m of script.value.matchAll(SECRET_EXPRESSION)) {
        if (namesAnIdentifier(m[1]!)) continue;
        ctx.report({
          node: script.node,
          region: ctx.workflow.source.regionIn(script.node, m[0]),
          key: `${job.id}:${step.id ?? step.name ?? step.index}:ssh:${m[0]}`,
          message: `${m[1]!.replace(/\s+/g, "")} is written into the script ${step.uses!.repository} sends to the server: it lands in the remote shell's command lines and process list, where any user of that machine can read it. Pass it with the action's envs input (env: NAME: \${{ secrets.X }} and envs: NAME) and read "$NAME" in the script`,
        });
      }
    }
    const label = `${job.id}:${step.id ?? step.name ?? step.index}`;
    const secretVars = secretEnv(ctx.workflow, job, step);
    reportToolCommand(ctx, step, label, secretVars);
    if (!step.run || !isShellScript(step, job, ctx.workflow)) return;
    reportGitUrls(ctx, step, label, secretVars);
    let leaks: Set<string> | undefined; // where secret-echoed and secret-exposed report, read once
    for (const found of findCommandLineSecrets(step.run.value, secretVars)) {
      if (found.option && BUILD_ARG.test(found.option)) continue;
      // Account ids, project and bucket names kept in secrets are not credentials.
      if (namesAnIdentifier(found.what)) continue;
      if (found.inline) {
        // Only what GitHub treats as a secret: an input or output named for a credential,
        // inline, is the script-injection of a value its caller passes.
        if (!/^(secrets|toJSON\(\s*secrets|env\.)/i.test(found.what)) continue;
        leaks ??= new Set(
          findLeaks(step.run.value, secretVars)
            .filter(reportedLeak)
            .map((l) => `${l.line}:${l.column}`),
        );
        if (leaks.has(`${found.line}:${found.column}`)) continue;
      }
      report(ctx, step, label, found);
    }
  },
});

/**
 * The command line an action runs a tool with (`cf_command: push --var KEY="$SECRET"`): a
 * secret written into it, or a secret variable it expands, ends up in the tool's argv.
 */
function reportToolCommand(ctx: RuleContext, step: Step, label: string, secretVars: Map<string, string>) {
  const input = actionCommand(step)?.input;
  if (!input) return;
  const found = [
    ...[...input.value.matchAll(SECRET_EXPRESSION)].map((m) => ({
      at: m.index,
      text: m[0],
      what: m[1]!.replace(/\s+/g, ""),
    })),
    ...[...input.value.matchAll(/\$\{?([A-Za-z_]\w*)\}?/g)].map((m) => ({
      at: m.index,
      text: m[0],
      what: secretVars.get(m[1]!),
    })),
  ].filter(
    (f): f is { at: number; text: string; what: string } =>
      f.what !== undefined && !namesAnIdentifier(f.what),
  );
  if (found.length === 0) return;
  const secrets = [...new Set(found.map((f) => f.what))];
  const first = found.reduce((a, b) => (b.at < a.at ? b : a));
  ctx.report({
    node: input.node,
    // At the first secret written, where the multi-line command shows it.
    region: ctx.workflow.source.regionIn(input.node, first.text),
    key: `${label}:tool-command`,
    message: `${secrets.join(", ")} ${secrets.length > 1 ? "are" : "is"} written into the command line ${step.uses!.repository} runs: every process on the runner can read it while the tool runs (ps, /proc), and a failing command may print it. Give the tool the values another way (a vars file written under $RUNNER_TEMP and removed after, or the tool's own secret store)`,
  });
}

/** A git command given a URL whose user part is a variable: `git clone https://${TOKEN}@github.com/…`. */
const GIT_URL_VARIABLE =
  /\bgit\b[^\n|;&]*?\s(clone|remote\s+(add|set-url)|push|pull|fetch|submodule\s+add)\b[^\n|;&]*?https?:\/\/[^\s/@'"]*?\$\{?([A-Za-z_]\w*)\}?[^\s/@'"]*@/;

/**
 * A secret variable in a git URL reaches git's command line (ps, /proc) and, for `clone` and
 * `remote add`, is saved as the remote's URL in `.git/config`, where every later step, cache and
 * artifact of the workspace can read it.
 */
function reportGitUrls(ctx: RuleContext, step: Step, label: string, secretVars: Map<string, string>) {
  if (secretVars.size === 0 || !/\bgit\b/.test(step.run!.value)) return;
  const source = ctx.workflow.source;
  for (const line of locatedLines(source, step.run!)) {
    const m = GIT_URL_VARIABLE.exec(line.text);
    const secret = m ? secretVars.get(m[3]!) : undefined;
    if (!m || !secret || namesAnIdentifier(secret)) continue;
    ctx.report({
      node: step.run!.node,
      region: regionInLine(source, step.run!.node, line, m[0], m.index),
      key: `${label}:git-url:${m[3]}`,
      message: `$${m[3]} (${secret}) is written into a git URL: it reaches git's command line, and git ${m[1]} keeps the URL${/^(clone|remote)/.test(m[1]!) ? " in .git/config, readable by every later step and anything that packs the workspace" : " in its error messages"}. Use a credential helper or an http.extraheader set from the environment (git -c http.extraheader="AUTHORIZATION: basic …"), or actions/checkout with a token for another repository`,
    });
  }
}

function report(ctx: RuleContext, step: Step, label: string, found: CommandLineSecret) {
  const run = step.run!;
  const region = regionInScript(ctx.workflow.source, run, found);
  if (found.piped || found.inline) {
    const how = found.piped
      ? "the pipe keeps it off the command line, but "
      : found.command === "the script"
        ? ""
        : `${found.command} is a shell builtin, so it stays off the command line, but `;
    ctx.report({
      node: run.node,
      region,
      key: `${label}:${found.command}:${found.text}`,
      message: `${found.what} is expanded into the script${found.piped ? ` (${found.command})` : ""}: ${how}GitHub writes the expanded script to the runner's disk and a quote or \`$\` in the value changes what the shell runs. Pass it through the step's env (env: NAME: \${{ secrets.X }}) and use "$NAME" instead`,
    });
    return;
  }
  ctx.report({
    node: run.node,
    region,
    key: `${label}:${found.command}:${found.text}`,
    message: `${found.what} is expanded into ${found.command}'s command line: GitHub writes it into the script file on the runner's disk, every process can read the command's arguments while it runs (ps, /proc), and a failing command may print them. Pass it through the step's env (env: NAME: \${{ secrets.X }}) and let the tool read it from the environment, stdin or a file (docker login --password-stdin, curl -H @file, a git credential helper); "$NAME" at least keeps it out of the script file`,
  });
}

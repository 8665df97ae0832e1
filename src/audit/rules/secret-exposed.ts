import { isMap, isPair, isScalar, type Node } from "yaml";
import { INSTALLS_DEPENDENCIES } from "../classify.js";
import type { Job, Step, Value, Workflow } from "../model/workflow.js";
import {
  findCommandLineSecrets,
  findLeaks,
  inWorkspace,
  isShellScript,
  namesAnIdentifier,
  READS_CREDENTIAL,
  regionInScript,
  secretEnv,
} from "../secret-flow.js";
import { defineRule, type RuleContext } from "../types.js";

/**
 * A secret given to more than the step that needs it: every job and step of the workflow
 * (workflow `env:`), every step of a job that runs code from outside the repository (job
 * `env:`), every later step (`$GITHUB_ENV`), whatever reads the workspace (a file written
 * there), everyone who can pull the image (`--build-arg`), or everyone who can read the run
 * (a dispatch input).
 */

const COMPARISON = /==|!=|<|>/;
/** The job's own token: its permissions, not its visibility, are what limit it. */
const JOB_TOKEN = /^\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}$/;
/** Input names that say the value is a credential. */
const SECRET_INPUT = /pass(word|wd|phrase)?$|secret|token|api[_-]?key|private[_-]?key|credential/i;
/** Inputs that name where a credential is, or switch one on: `token_role`, `*_secret_name`, `use_token`. */
const NOT_A_CREDENTIAL_INPUT =
  /[-_](role|arn|name|id|type|path|file|count|expires?|expiry|expiration|url)$|^(set|use|enable|disable|skip|with)[-_]/i;

export const secretExposed = defineRule({
  meta: {
    id: "secret-exposed",
    name: "Secret exposed beyond the step that needs it",
    severity: "warning",
    confidence: "medium",
    category: "security",
    description:
      "Reports secrets set in workflow-level `env:`, in the `env:` of a job that runs third-party actions or installs packages, written to `$GITHUB_ENV` or to a file in the workspace, passed as Docker build arguments, handed to an action all at once (`toJSON(secrets)`), or asked for as `workflow_dispatch` or `workflow_call` inputs.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    // The job's token too, once a job runs code from outside the repository: in workflow env
    // that code reads it, where it would otherwise get only what it is given.
    reportEnvBlock(
      workflow.env,
      ctx,
      "every step of every job in this workflow, third-party actions included",
      workflow.jobs.some((job) => outsideCode(job) !== undefined),
    );
    reportSecretInputs(workflow, ctx);
  },
  job(job, ctx) {
    const outsider = outsideCode(job);
    if (outsider) reportEnvBlock(job.env, ctx, `every step of job "${job.id}", including ${outsider}`);
  },
  step(step, job, ctx) {
    reportBuildArgsInput(step, ctx);
    reportEverySecretInput(step, ctx);
    if (!step.run || !isShellScript(step, job, ctx.workflow)) return;
    const secretVars = secretEnv(ctx.workflow, job, step);
    const label = `${job.id}:${step.id ?? step.name ?? step.index}`;
    for (const leak of findLeaks(step.run.value, secretVars)) {
      if (namesAnIdentifier(leak.what)) continue;
      if (leak.sink === "env") {
        report(
          ctx,
          step,
          leak,
          `${label}:env:${leak.text}`,
          `${leak.what} is written to $GITHUB_ENV by ${leak.command}: every later step of the job sees it as an environment variable, third-party actions and install scripts included. Give it in env: to the steps that need it instead`,
        );
      } else if (leak.sink.startsWith("file:") && inWorkspace(leak.sink.slice(5))) {
        const file = leak.sink.slice(5);
        report(
          ctx,
          step,
          leak,
          `${label}:file:${file}:${leak.text}`,
          `${leak.what} is written to ${file} in the workspace by ${leak.command}: every later step can read it, and an artifact upload, a cache or a Docker build context (COPY . .) can carry it away. Write it under "$RUNNER_TEMP" (and delete it when done), or pass it to the tool through env`,
        );
      }
    }
    for (const found of findCommandLineSecrets(step.run.value, secretVars)) {
      if (found.inline || found.option !== "--build-arg" || namesAnIdentifier(found.what)) continue;
      report(ctx, step, found, `${label}:build-arg:${found.text}`, buildArgMessage(found.what));
    }
    for (const [name, secret] of buildArgsFromEnv(step.run.value, secretVars)) {
      ctx.report({
        node: step.run.node,
        region: ctx.workflow.source.regionIn(step.run.node, `--build-arg ${name}`),
        key: `${label}:build-arg:${name}`,
        message: buildArgMessage(`$${name} (set from ${secret})`),
      });
    }
  },
});

function buildArgMessage(what: string): string {
  return `${what} is passed as a Docker build argument: build arguments are recorded in the image's history and metadata, readable by anyone who can pull the image. Use a build secret instead (docker build --secret id=name,env=NAME and RUN --mount=type=secret,id=name, or the secrets input of docker/build-push-action)`;
}

function report(
  ctx: RuleContext,
  step: Step,
  found: { line: number; column: number; text: string },
  key: string,
  message: string,
) {
  const run = step.run!;
  const region = regionInScript(ctx.workflow.source, run, found);
  ctx.report({ node: run.node, region, key, message });
}

/** One finding per `env:` block, at its first secret, naming them all. */
function reportEnvBlock(env: Map<string, Value<string>>, ctx: RuleContext, who: string, jobToken = false) {
  const secrets = [...env].filter(
    ([k, v]) =>
      READS_CREDENTIAL.test(v.value) &&
      !COMPARISON.test(v.value) &&
      (jobToken || !JOB_TOKEN.test(v.value.trim())) &&
      // Account ids, project and bucket names kept in secrets are not credentials.
      !namesAnIdentifier(`secrets.${k}`) &&
      !namesAnIdentifier(v.value),
  );
  // One finding per variable: each is moved to the steps that use it on its own.
  for (const [name, value] of secrets) {
    ctx.report({
      node: value.key ?? value.node,
      key: `env:${name}`,
      message: `${name} is a secret given to ${who}: any of them can read it and send it anywhere. Give it in the env: of the steps that use it`,
    });
  }
}

/** What in a job runs code from outside the repository with the job's environment. */
function outsideCode(job: Job): string | undefined {
  for (const step of job.steps) {
    const uses = step.uses;
    if (uses?.kind === "action" && uses.repository && !/^(actions|github)\//i.test(uses.repository))
      return `the third-party action ${uses.repository}`;
    if (step.run && INSTALLS_DEPENDENCIES.test(step.run.value))
      return "the install scripts of every dependency it installs";
  }
  return undefined;
}

/**
 * `--build-arg NAME` (the value taken from the environment) or `--build-arg NAME="$VAR"` where
 * the variable holds a secret.
 */
function buildArgsFromEnv(script: string, secretVars: Map<string, string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of script.matchAll(
    /--build-arg[\s=]+["']?([A-Za-z_]\w*)(?:=["']?\$\{?([A-Za-z_]\w*)|(?=["']?(\s|$)))/g,
  )) {
    const variable = m[2] ?? m[1]!;
    const secret = secretVars.get(variable);
    if (secret) out.push([m[1]!, secret]);
  }
  return out;
}

/** `NAME=…${{ secrets.X }}…` in a build-args list: the argument's name, the expression, the secret. */
const BUILD_ARG_SECRET = /(?:^|\n)\s*([\w.-]*)=[^\n]*?(\$\{\{\s*(secrets\.[\w-]+)[^}]*\}\})/g;

/**
 * `${{ toJSON(secrets) }}` given to an action: every secret of the repository, organisation and
 * environment goes to code that needs a few (and such actions often export them all to
 * `$GITHUB_ENV`, where every later step reads them).
 */
function reportEverySecretInput(step: Step, ctx: RuleContext) {
  if (!step.uses) return;
  for (const [name, value] of step.with) {
    const m = /\$\{\{\s*toJSON\(\s*secrets\s*\)\s*\}\}/i.exec(value.value);
    if (!m) continue;
    ctx.report({
      node: value.node,
      region: ctx.workflow.source.regionIn(value.node, m[0]),
      key: `every-secret:${name}`,
      message: `every secret (toJSON(secrets)) is handed to ${step.uses.raw.split("@")[0]} as ${name}: the action gets the repository's, organisation's and environment's secrets, not the few it needs, and what it does with them (export them to $GITHUB_ENV for every later step) decides who else does. Pass only the secrets it needs, each as its own input or env variable`,
    });
  }
}

/** docker/build-push-action's `build-args:` holding a secret. */
function reportBuildArgsInput(step: Step, ctx: RuleContext) {
  if (step.uses?.repository?.toLowerCase() !== "docker/build-push-action") return;
  const args = step.with.get("build-args");
  if (!args) return;
  // A value meant for the client (`NEXT_PUBLIC_SENTRY_DSN=…`) or an identifier is no credential.
  const found = [...args.value.matchAll(BUILD_ARG_SECRET)].find(
    (m) => !namesAnIdentifier(m[3]!) && !/^NEXT_PUBLIC_/.test(m[1]!),
  );
  if (!found) return;
  ctx.report({
    node: args.node,
    region: ctx.workflow.source.regionIn(args.node, found[2]!),
    key: `build-args:${found[3]}`,
    message: buildArgMessage(found[3]!),
  });
}

/**
 * `workflow_dispatch` and `workflow_call` inputs whose names say they carry a credential: a
 * dispatch input is typed into a form and stored with the run; a reusable workflow's input is
 * not masked in its logs the way a value passed under `secrets:` is.
 */
function reportSecretInputs(workflow: Workflow, ctx: RuleContext) {
  for (const trigger of ["workflow_dispatch", "workflow_call"] as const) {
    const node = workflow.on.get(trigger)?.node;
    const inputs = isMap(node) ? node.get("inputs", true) : undefined;
    if (!isMap(inputs)) continue;
    for (const item of inputs.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const name = String(item.key.value);
      const type = isMap(item.value) ? (item.value.toJSON() as { type?: unknown }).type : undefined;
      if (
        !SECRET_INPUT.test(name) ||
        NOT_A_CREDENTIAL_INPUT.test(name) ||
        (type !== undefined && type !== "string")
      )
        continue;
      ctx.report({
        node: item.key as Node,
        key: `input:${name}`,
        message:
          trigger === "workflow_dispatch"
            ? `the dispatch input "${name}" asks for a credential: inputs are stored in the run's event payload and shown in its summary to everyone with read access, never masked. Store it as an environment secret and read it with \${{ secrets.NAME }}`
            : `the reusable workflow's input "${name}" takes a credential as plain text: inputs are not masked in its logs, and a caller passing a secret here loses the protection secrets get. Declare it under on.workflow_call.secrets and read it with \${{ secrets.${name} }}`,
      });
    }
  }
}

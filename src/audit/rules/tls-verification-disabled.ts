import type { Value } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";
import { locatedLines, regionInLine } from "./curl-pipe-shell.js";

/**
 * Command-line switches that turn certificate checks off, each with the tool it belongs to.
 * Short curl options combine (`-fsSLk`), so `-k` is found inside a cluster of letters.
 */
const SWITCHES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<![\w-])--(?:kube-)?insecure-skip-tls-verify(?:=true)?(?![\w-])/, "the cluster API"],
  [/(?<![\w-])curl\b[^|;&]*?\s(?:--insecure|-[a-zA-Z]*k[a-zA-Z]*)(?=\s|$)/, "curl"],
  [/(?<![\w-])wget\b[^|;&]*?\s--no-check-certificate(?![\w-])/, "wget"],
  [/(?<![\w-])git\b[^|;&]*?-c\s+http\.sslVerify=(?:false|0)\b/, "git"],
  [/(?<![\w-])(?:npm|yarn|pnpm)\s+config\s+set\s+strict-ssl\s+false\b/, "the package manager"],
  [/(?<![\w-])(?:pip3?|python3? -m pip)\b[^|;&]*?\s--trusted-host(?:\s|=)\S+/, "pip"],
];

/** Environment variables whose value turns certificate checks off for every tool of a kind. */
const ENV_SWITCHES: Readonly<Record<string, RegExp>> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  GIT_SSL_NO_VERIFY: /^(1|true)$/i,
  PYTHONHTTPSVERIFY: /^0$/,
};

/** The same variables set on a command line (`NODE_TLS_REJECT_UNAUTHORIZED=0 node deploy.js`). */
const INLINE_ENV = new RegExp(`(?<!\\w)(${Object.keys(ENV_SWITCHES).join("|")})=["']?(\\w+)`, "g");

const WHY =
  "anyone on the network path can stand in for the server and read or change what this job sends and receives, credentials included. Give the tool the server's CA instead (--certificate-authority, --cacert, NODE_EXTRA_CA_CERTS, http.sslCAInfo)";

export const tlsVerificationDisabled = defineRule({
  meta: {
    id: "tls-verification-disabled",
    name: "TLS certificate checks turned off",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports commands and environment variables that turn off TLS certificate verification (`--insecure-skip-tls-verify`, `curl -k`, `wget --no-check-certificate`, `git -c http.sslVerify=false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`, `pip --trusted-host`): the job then trusts whoever answers, with its credentials.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    checkEnv(workflow.env, "the workflow's env", ctx);
  },
  job(job, ctx) {
    checkEnv(job.env, `job "${job.id}"'s env`, ctx);
  },
  step(step, job, ctx) {
    checkEnv(step.env, `a step of job "${job.id}"`, ctx);
    if (!step.run) return;
    const source = ctx.workflow.source;
    const run = step.run;
    for (const line of locatedLines(source, run)) {
      // Text printed is not a command run.
      if (/^\s*(echo|printf)\b/.test(line.text)) continue;
      const report = (text: string, at: number, tool: string) =>
        ctx.report({
          node: run.node,
          region: regionInLine(source, run.node, line, text, at),
          key: `${job.id} ${text}`,
          message: `TLS certificate checks are off for ${tool} here: ${WHY}`,
        });
      for (const [pattern, tool] of SWITCHES) {
        const match = pattern.exec(line.text);
        if (!match) continue;
        const text = match[0].trim();
        report(text, match.index + match[0].indexOf(text), tool);
      }
      for (const match of line.text.matchAll(INLINE_ENV)) {
        if (ENV_SWITCHES[match[1]!]!.test(match[2]!)) report(match[0], match.index, "the process");
      }
    }
  },
});

function checkEnv(env: ReadonlyMap<string, Value<string>>, where: string, ctx: RuleContext): void {
  for (const [name, value] of env) {
    if (!ENV_SWITCHES[name]?.test(value.value.trim())) continue;
    ctx.report({
      node: value.node,
      key: `${where} ${name}`,
      message: `${name}=${value.value.trim()} in ${where} turns TLS certificate checks off for every tool that reads it: ${WHY}`,
    });
  }
}

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
  [
    /(?<![\w])(?:NODE_TLS_REJECT_UNAUTHORIZED=["']?0|GIT_SSL_NO_VERIFY=["']?(?:1|true)|PYTHONHTTPSVERIFY=["']?0)\b/,
    "the process",
  ],
];

/** Environment variables whose value turns certificate checks off for every tool of a kind. */
const ENV_SWITCHES: Readonly<Record<string, RegExp>> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  GIT_SSL_NO_VERIFY: /^(1|true)$/i,
  PYTHONHTTPSVERIFY: /^0$/,
};

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
    for (const line of locatedLines(source, step.run)) {
      // Text printed is not a command run.
      if (/^\s*(echo|printf)\b/.test(line.text)) continue;
      for (const [pattern, tool] of SWITCHES) {
        const match = pattern.exec(line.text);
        if (!match) continue;
        const text = match[0].trim();
        ctx.report({
          node: step.run.node,
          region: regionInLine(source, step.run.node, line, text, match.index + match[0].indexOf(text)),
          key: `${job.id} ${text}`,
          message: `TLS certificate checks are off for ${tool} here: ${WHY}`,
        });
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

import type { Value } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";
import { locatedLines, regionInLine } from "./curl-pipe-shell.js";

/**
 * Where a long-lived Google Cloud service-account key or Azure service-principal secret enters a
 * workflow: the inputs of the clouds' login actions, the variables their CLIs, SDKs and
 * Terraform providers read, and the CLI's own key logins. Both clouds offer OIDC federation.
 */
interface Cloud {
  name: string;
  /** How the fix reads: what to use instead. */
  instead: string;
}
const GOOGLE: Cloud = {
  name: "Google Cloud service-account key",
  instead:
    "use workload identity federation instead (google-github-actions/auth with workload_identity_provider and service_account, permissions id-token: write) and delete the key",
};
const AZURE: Cloud = {
  name: "Azure service-principal secret",
  instead:
    "use OIDC instead (azure/login with client-id, tenant-id and subscription-id, a federated credential on the app registration, permissions id-token: write) and delete the secret",
};

const AZURE_PUBLISH_PROFILE: Cloud = {
  name: "Azure publish profile (the app's deployment user and password)",
  instead:
    "log in with OIDC first (azure/login with client-id, tenant-id and subscription-id, permissions id-token: write), drop publish-profile, and reset the app's publish credentials",
};

/** Action inputs (lower case, `_` as `-`) that carry a key. */
const KEY_INPUTS: ReadonlyArray<[RegExp, Cloud]> = [
  [
    /^(credentials-json|service-account-key|gcp-sa-key|gcp-credentials|gcloud-service-key|gke-sa-key)$/,
    GOOGLE,
  ],
  [/^(creds|client-secret|azure-client-secret|azure-credentials)$/, AZURE],
  // azure/webapps-deploy and azure/functions-action.
  [/^publish-profile$/, AZURE_PUBLISH_PROFILE],
];
/**
 * Secrets named for a key, whatever the input they are given to whole (`azure_creds:` of a
 * local action that logs in).
 */
const KEY_SECRETS: ReadonlyArray<[RegExp, Cloud]> = [
  [
    /^\$\{\{\s*secrets\.(GCP|GCLOUD|GOOGLE|GKE)_\w*(SA_KEY|SERVICE_KEY|SERVICE_ACCOUNT_KEY|CREDENTIALS|KEY_JSON)\s*\}\}$/i,
    GOOGLE,
  ],
  [/^\$\{\{\s*secrets\.(AZURE_CREDENTIALS|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET)\s*\}\}$/i, AZURE],
];
/** Variables that carry a key to the CLIs, SDKs and Terraform providers. */
const KEY_VARIABLES: ReadonlyArray<[RegExp, Cloud]> = [
  [/^(GOOGLE|GCP|GCLOUD|GKE)_\w*(KEY|CREDENTIALS)(_FILE)?(_JSON)?$/, GOOGLE],
  // Terraform's azurerm provider and the Azure SDKs' environment credential.
  [/^(ARM|AZURE)_CLIENT_SECRET$/, AZURE],
];
/** The CLIs' logins with a key: `gcloud auth activate-service-account --key-file`, `az login --service-principal -p`. */
const KEY_LOGINS: ReadonlyArray<[RegExp, Cloud]> = [
  [/\bgcloud\s+auth\s+activate-service-account\b[^\n|;&]*--key-file\b/, GOOGLE],
  [/\baz\s+login\b(?=[^\n|;&]*--service-principal)(?=[^\n|;&]*\s(-p|--password|--secret)[\s=])/, AZURE],
];

export const cloudStaticCredentials = defineRule({
  meta: {
    id: "cloud-static-credentials",
    name: "Long-lived Google Cloud and Azure keys",
    severity: "warning",
    confidence: "high",
    category: "security",
    description:
      "Reports Google Cloud service-account keys (`credentials_json`, `GCLOUD_SERVICE_KEY`, `gcloud auth activate-service-account --key-file`) and Azure service-principal secrets and publish profiles (`azure/login` `creds`, `ARM_CLIENT_SECRET`, `az login --service-principal -p`, `publish-profile`) given to a workflow from secrets, where both clouds offer short-lived credentials through OIDC.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    checkEnv(workflow.env, "the workflow's env", "workflow", ctx);
  },
  job(job, ctx) {
    checkEnv(job.env, `the env of job "${job.id}"`, job.id, ctx);
  },
  step(step, job, ctx) {
    const label = `${job.id}:${step.id ?? step.name ?? step.index}`;
    checkEnv(step.env, `a step of job "${job.id}"`, label, ctx);
    for (const [name, value] of step.with) {
      const cloud = inputCloud(name, value.value, step.uses?.repository, ctx.workflow.kind === "action");
      if (!cloud) continue;
      ctx.report({
        node: value.node,
        key: `${label}:with:${name}`,
        message: `${step.uses?.repository ?? "the action"} is given a long-lived ${cloud.name} (${name}): ${cloud.instead}`,
      });
    }
    if (!step.run) return;
    const source = ctx.workflow.source;
    for (const line of locatedLines(source, step.run)) {
      const login = KEY_LOGINS.map(([pattern, cloud]) => ({ match: pattern.exec(line.text), cloud })).find(
        (found) => found.match,
      );
      if (!login?.match) continue;
      const { cloud } = login;
      ctx.report({
        node: step.run.node,
        region: regionInLine(source, step.run.node, line, login.match[0], login.match.index),
        key: `${label}:run:${line.text.trim()}`,
        message: `this step logs in with a long-lived ${cloud.name}: ${cloud.instead}`,
      });
    }
  },
});

function checkEnv(env: Map<string, Value<string>>, where: string, label: string, ctx: RuleContext) {
  // Beside a redirect URI or an authority, AZURE_CLIENT_SECRET is the app's own OAuth client
  // secret (sign-in with Entra ID), not the workflow's cloud login.
  const oauthApp = [...env.keys()].some((k) => /REDIRECT|AUTHORITY|CALLBACK/.test(k));
  for (const [name, value] of env) {
    const cloud = matching(KEY_VARIABLES, name);
    if (!cloud || !fromStore(value.value)) continue;
    if (name === "AZURE_CLIENT_SECRET" && oauthApp) continue;
    ctx.report({
      node: value.node,
      key: `${label}:env:${name}`,
      message: `${where} sets ${name} to a long-lived ${cloud.name}: ${cloud.instead}`,
    });
  }
}

/**
 * The cloud whose long-lived key an action input is given. In a composite action, a key input
 * given the action's own input (`creds: ${{ inputs.credentials }}`) is the caller's secret.
 */
function inputCloud(
  name: string,
  value: string,
  repository: string | undefined,
  inAction: boolean,
): Cloud | undefined {
  // The input is the secret itself, not a script that mentions it (an app's key written to a server's .env).
  const named = KEY_SECRETS.find(([pattern]) => pattern.test(value.trim()))?.[1];
  if (named) return named;
  const cloud = matching(KEY_INPUTS, name.toLowerCase().replace(/_/g, "-"));
  if (!cloud || !(fromStore(value) || (inAction && /\$\{\{\s*inputs\./.test(value)))) return undefined;
  // `creds` and `publish-profile` mean an Azure secret only on Azure's actions.
  if (
    (cloud === AZURE_PUBLISH_PROFILE || (cloud === AZURE && name === "creds")) &&
    !/^azure\//i.test(repository ?? "")
  )
    return undefined;
  return cloud;
}

function matching(table: ReadonlyArray<[RegExp, Cloud]>, name: string): Cloud | undefined {
  return table.find(([pattern]) => pattern.test(name))?.[1];
}

/** Stored and long-lived: a secret or a configuration variable (not an earlier step's output). */
function fromStore(value: string): boolean {
  return /\$\{\{[^}]*\b(secrets|vars)\s*(\.|\[)/.test(value);
}

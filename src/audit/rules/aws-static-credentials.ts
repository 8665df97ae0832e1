import { isMap, isScalar, type Node } from "yaml";
import type { Job, Value } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";

/**
 * Where a long-lived AWS key enters a workflow: the inputs of configure-aws-credentials (and
 * look-alike inputs of other actions) and the variables the AWS CLI and SDKs read.
 */
const KEY_ID_INPUT = "aws-access-key-id";
const SECRET_INPUT = "aws-secret-access-key";
/** Other actions' spellings (einaregilsson/beanstalk-deploy's `aws_access_key`, `aws_secret_key`). */
const INPUT_SPELLINGS: Record<string, string> = {
  "aws-access-key": KEY_ID_INPUT,
  "aws-secret-key": SECRET_INPUT,
};
const KEY_ID_ENV = "AWS_ACCESS_KEY_ID";
const SECRET_ENV = "AWS_SECRET_ACCESS_KEY";

/** A key id written into the file; `AKIA...EXAMPLE` is the one in AWS's documentation. */
const LITERAL_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
/** A secret access key written into the file: 40 base64 characters. */
const LITERAL_SECRET = /^[A-Za-z0-9/+]{40}$/;

export const awsStaticCredentials = defineRule({
  meta: {
    id: "aws-static-credentials",
    name: "Long-lived AWS access keys",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports AWS access keys given to a workflow (`aws-access-key-id`/`aws-secret-access-key` inputs, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` variables) from secrets or literals, instead of short-lived credentials through OIDC.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    checkEnv(workflow.env, "workflow env", "workflow", ctx);
  },
  job(job, ctx) {
    checkEnv(job.env, `the env of job "${job.id}"`, job.id, ctx);
    if (job.uses) checkCallSecrets(job, ctx);
  },
  step(step, job, ctx) {
    const label = `${job.id}:${step.id ?? step.name ?? step.index}`;
    checkEnv(step.env, `a step of job "${job.id}"`, label, ctx);
    const inputs = new Map<string, Value<string>>();
    for (const [name, value] of step.with) {
      const normal = name.toLowerCase().replace(/_/g, "-");
      inputs.set(INPUT_SPELLINGS[normal] ?? normal, value);
    }
    // In a composite action, a key taken as an input is a long-lived key its callers must hold.
    const fromInputs = ctx.workflow.kind === "action";
    const found = pick(inputs.get(KEY_ID_INPUT), inputs.get(SECRET_INPUT), fromInputs);
    if (!found) return;
    const action = step.uses?.repository ?? "the action";
    ctx.report({
      node: found.node,
      key: `${label}:with`,
      message: `${action} is given a long-lived AWS access key (${found === inputs.get(KEY_ID_INPUT) ? KEY_ID_INPUT : SECRET_INPUT}): use OIDC instead (role-to-assume with permissions id-token: write) and delete the key`,
    });
  },
});

/**
 * S3-compatible stores that are not AWS (Cloudflare R2, DigitalOcean Spaces, Backblaze B2,
 * Wasabi, MinIO, …) take keys through the same variables but offer no OIDC role to assume:
 * named by the endpoint the variables point the CLI at, or by the secret holding the key.
 */
const OTHER_S3_ENDPOINT =
  /r2\.cloudflarestorage\.com|digitaloceanspaces\.com|backblazeb2\.com|wasabisys\.com|linodeobjects\.com|scw\.cloud|storage\.googleapis\.com|minio/i;
const OTHER_S3_SECRET = /\b(secrets|vars)\.\w*?(R2|SPACES|B2|WASABI|MINIO|LINODE|SCALEWAY)(_|\b)/i;

function checkEnv(env: Map<string, Value<string>>, where: string, label: string, ctx: RuleContext) {
  const found = pick(env.get(KEY_ID_ENV), env.get(SECRET_ENV));
  if (!found || OTHER_S3_SECRET.test(found.value)) return;
  const endpoint = env.get("AWS_ENDPOINT_URL") ?? env.get("AWS_ENDPOINT_URL_S3");
  if (endpoint && OTHER_S3_ENDPOINT.test(endpoint.value)) return;
  ctx.report({
    node: found.node,
    key: `${label}:env`,
    message: `${where} sets ${found === env.get(KEY_ID_ENV) ? KEY_ID_ENV : SECRET_ENV} to a long-lived AWS access key: use aws-actions/configure-aws-credentials with role-to-assume (OIDC, permissions id-token: write) and delete the key`,
  });
}

/** Secret names a called workflow takes an AWS key by (`AWS_ACCESS_KEY_ID`, `AWS_RUNNER_USER_SECRET_ID`). */
const AWS_KEY_SECRET = /^AWS_\w*(ACCESS_KEY(_ID)?|SECRET(_ACCESS)?_KEY|SECRET_ID|KEY_ID)$/;

/** A reusable-workflow call handing an AWS key to the called workflow through `secrets:`. */
function checkCallSecrets(job: Job, ctx: RuleContext) {
  const secrets = job.node.get("secrets", true);
  if (!isMap(secrets)) return;
  for (const pair of secrets.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
    const name = String(pair.key.value).toUpperCase().replace(/-/g, "_");
    const value = String(pair.value.value ?? "");
    if (!AWS_KEY_SECRET.test(name) || !isStatic(value, LITERAL_KEY_ID) || OTHER_S3_SECRET.test(value))
      continue;
    ctx.report({
      node: pair.value as Node,
      key: `${job.id}:secrets`,
      message: `job "${job.id}" hands ${job.uses!.raw.split("@")[0]} a long-lived AWS access key (${pair.key.value}): have the called workflow assume a role through OIDC (aws-actions/configure-aws-credentials with role-to-assume, permissions id-token: write) and delete the key`,
    });
    return; // one finding per call: the key id and its secret are one credential
  }
}

/** The key id (or the secret key when only that is set) when either is a static credential. */
function pick(
  keyId: Value<string> | undefined,
  secret: Value<string> | undefined,
  fromInputs = false,
): Value<string> | undefined {
  const keyInput = (v: Value<string>) =>
    fromInputs && /^\$\{\{\s*inputs\.[\w-]*access[-_]?key/i.test(v.value.trim());
  if (keyId && (isStatic(keyId.value, LITERAL_KEY_ID) || keyInput(keyId))) return keyId;
  if (secret && (isStatic(secret.value, LITERAL_SECRET) || keyInput(secret))) return secret;
  return undefined;
}

/**
 * From a secret or a variable (stored, long-lived), a 1Password item (`op://vault/item/field`,
 * which 1password/load-secrets-action resolves) or written literally. Outputs of earlier steps
 * are temporary credentials from an assumed role; placeholders such as `test` (for LocalStack or
 * MinIO) are not AWS keys at all.
 */
function isStatic(value: string, literal: RegExp): boolean {
  const text = value.trim();
  if (text.startsWith("op://")) return true;
  if (text.includes("${{")) return /\$\{\{[^}]*\b(secrets|vars)\s*(\.|\[)/.test(text);
  return literal.test(text) && !text.includes("EXAMPLE");
}

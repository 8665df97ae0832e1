import { isMap, isPair, isScalar, isSeq, type Node, type Scalar } from "yaml";
import type { Workflow } from "../model/workflow.js";
import { defineRule, type RuleContext } from "../types.js";

/**
 * Credentials with a recognisable shape, found anywhere in the file (values and comments
 * alike). Bodies made of one repeated character or without both letters and digits are
 * placeholders (`ghp_xxxx…`), and AWS's documentation key ends in EXAMPLE.
 */
const TOKENS: Array<{ pattern: RegExp; what: string; body?: (m: RegExpExecArray) => string }> = [
  { pattern: /\b(?:AKIA|ASIA)([A-Z0-9]{16})\b/g, what: "an AWS access key id", body: (m) => m[1]! },
  { pattern: /\bgh[pousr]_([A-Za-z0-9]{36,})\b/g, what: "a GitHub token", body: (m) => m[1]! },
  { pattern: /\bgithub_pat_([A-Za-z0-9_]{40,})\b/g, what: "a GitHub token", body: (m) => m[1]! },
  { pattern: /\bxox[abpr]-([0-9A-Za-z-]{10,})/g, what: "a Slack token", body: (m) => m[1]! },
  {
    pattern: /https:\/\/hooks\.slack\.com\/services\/(T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+)/g,
    what: "a Slack webhook URL",
    body: (m) => m[1]!,
  },
  { pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/g, what: "a private key" },
  // A signed JWT (header.payload.signature): service-role keys and API keys are often these.
  {
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.([A-Za-z0-9_-]{16,})/g,
    what: "a JSON Web Token",
    body: (m) => m[1]!,
  },
];

/** Keys whose value is a credential: env variables, action inputs, secrets passed on, registry logins. */
const CREDENTIAL_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY/;
/** …unless the key names something about the credential rather than the credential itself. */
const NOT_A_CREDENTIAL_KEY =
  /_(FILE|PATH|DIR|NAMES?|IDS?|ARN|URL|URI|ENDPOINT|HOST|HEADER|TYPE|FORMAT|LENGTH|TTL|EXPIRY|EXPIRES_IN|SCOPES?|VERSION|ENABLED|REF|REGION|PREFIX|FIELD|PARAM|VARS?|VARIABLE|ENV|MODE|SOURCE|PROVIDER|AUDIENCE|USER|USERNAME|KIND)$|^(SECRETS|SKIP_.*|USE_.*|NO_.*|ENABLE_.*|DISABLE_.*|MASK_.*)$/;
const CREDENTIAL_PARENTS = new Set(["env", "with", "secrets", "credentials"]);
/** Values that stand for a credential rather than being one. */
const PLACEHOLDER =
  /^(test\w*|changeme|changeit|passw(or|0)rd\d*|pass|secret|postgres|mysql|root|admin|example\w*|sample|dummy\w*|fake\w*|placeholder|none|null|redacted|minioadmin|localstack|guest|foo|bar|baz|todo|tbd|dev|ci|local\w*|x+|\*+|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\.\.\.|(your|my)[-_][\w-]*|true|false|yes|no)$/i;
/** `scheme://user:password@host`, the password possibly an expression. */
const URL_CREDENTIALS =
  /\b[a-z][a-z0-9+.-]*:\/\/([^\s:/@'"]*):((?:\$\{\{[^}]*\}\}|[^\s@'"/])+)@([^\s/:?#'"@]+)/gi;
const LOCAL_HOSTS =
  /^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal|[\w-]+\.localhost)$/i;

export const hardcodedCredentials = defineRule({
  meta: {
    id: "hardcoded-credentials",
    name: "Credentials written into the workflow",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports credentials written into a workflow file: passwords in URLs (other than for localhost and service containers), AWS access key ids, GitHub and Slack tokens, Slack webhooks, private keys, JSON Web Tokens, and literal values of password, secret, token and API-key settings.",
    fixable: false,
  },
  workflow(workflow, ctx) {
    const tokens = findTokens(workflow, ctx);
    const serviceEnv = new Set<string>();
    const allServices = new Set<string>();
    for (const job of workflow.jobs) {
      for (const name of serviceNames(job.node)) allServices.add(name);
      collectServiceEnv(job.node, serviceEnv);
    }
    const check = (scalar: Scalar, path: string[], services: Set<string>) => {
      const range = scalar.range;
      if (!range || typeof scalar.value !== "string") return;
      if (tokens.some(([start, end]) => start < range[1] && end > range[0])) return; // already reported
      checkUrls(scalar, services, workflow, ctx);
      checkKey(scalar, path, serviceEnv, ctx);
    };
    for (const item of workflow.root.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const key = String(item.key.value);
      if (key !== "jobs") walk(item.value as Node, [key], (s, p) => check(s, p, allServices));
    }
    for (const job of workflow.jobs) {
      const services = serviceNames(job.node);
      walk(job.node, ["jobs", job.id], (s, p) => check(s, p, services));
    }
  },
});

/** Reports shaped credentials; returns their offsets so the other checks skip them. */
function findTokens(workflow: Workflow, ctx: RuleContext): Array<[number, number]> {
  const text = workflow.source.text;
  const found: Array<[number, number]> = [];
  for (const token of TOKENS) {
    for (const m of text.matchAll(token.pattern)) {
      const body = token.body?.(m as RegExpExecArray);
      if (body !== undefined && isPlaceholderBody(body)) continue;
      if (token.what === "a private key" && !hasKeyBody(text, m.index + m[0].length)) continue;
      if (token.what === "an AWS access key id" && m[0].endsWith("EXAMPLE")) continue;
      const start = m.index;
      const end = start + m[0].length;
      found.push([start, end]);
      ctx.report({
        region: workflow.source.regionOf(start, end),
        key: `${token.what}:${m[0]}`,
        message: `${token.what} is written into the workflow, readable by everyone who can read the repository and its history: revoke it now, then store the new one as a secret and use \${{ secrets.NAME }}`,
      });
    }
  }
  return found;
}

function isPlaceholderBody(body: string, distinct = 4): boolean {
  const core = body.replace(/[^A-Za-z0-9]/g, "");
  if (distinct < 4) return new Set(core).size < distinct;
  return new Set(core).size < distinct || !/[0-9]/.test(core) || !/[A-Za-z]/.test(core);
}

/** A private-key header followed by key material, not a script that assembles one from a secret. */
function hasKeyBody(text: string, from: number): boolean {
  const rest = text.slice(from, from + 400);
  const end = rest.indexOf("-----END");
  return /[A-Za-z0-9+/=]{40,}/.test(end >= 0 ? rest.slice(0, end) : rest);
}

function checkUrls(scalar: Scalar, services: Set<string>, workflow: Workflow, ctx: RuleContext) {
  const value = scalar.value as string;
  if (!value.includes("://")) return;
  for (const m of value.matchAll(URL_CREDENTIALS)) {
    const [, user, password, host] = m as unknown as [string, string, string, string];
    if (!password || /\$|%\w+%/.test(password) || PLACEHOLDER.test(password)) continue;
    if (LOCAL_HOSTS.test(host) || services.has(host.toLowerCase()) || host.includes("$")) continue;
    const credentials = `${user}:${password}@`;
    ctx.report({
      node: scalar,
      region: workflow.source.regionIn(scalar, credentials),
      key: `url:${host}:${user}:${password}`,
      message: `a password is written into a URL for ${host}: rotate it, store it as a secret and build the URL from \${{ secrets.NAME }}`,
    });
  }
}

function checkKey(scalar: Scalar, path: string[], serviceEnv: Set<string>, ctx: RuleContext) {
  const key = path.at(-1);
  const parent = path.at(-2);
  if (!key || !parent || !CREDENTIAL_PARENTS.has(parent)) return;
  // A service container's own settings are a throwaway test database's, not credentials.
  if (parent === "env" && path.at(-4) === "services") return;
  const name = key.toUpperCase().replace(/-/g, "_");
  if (!CREDENTIAL_KEY.test(name) || NOT_A_CREDENTIAL_KEY.test(name)) return;
  const value = (scalar.value as string).trim();
  if (!value || /\s/.test(value) || value.includes("${{") || /^\$|%\w+%/.test(value)) return;
  if (
    PLACEHOLDER.test(value) ||
    PLACEHOLDER.test(value.replace(/^[a-z]{2,5}[_-]/i, "")) ||
    isPlaceholderBody(value.replace(/^[a-z]{2,5}[_-]/i, ""), 3) ||
    serviceEnv.has(value) ||
    /^[a-z0-9_.-]+(\/[a-z0-9_.-]+)+$/.test(value)
  )
    return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return; // a URL: its password, if any, is checked as one
  // One lowercase word (`KEY_SECRET: direct`, `TOKEN_STORE: vault`) picks a mode; a credential
  // mixes cases, digits or symbols.
  if (/^[a-z]{1,12}$/.test(value)) return;
  // A name, not a value: `secret: prod-db-password` names a Key Vault secret to fetch, and
  // `api-cache-url:latest` a Secret Manager secret's version.
  if (looksLikeName(value.replace(/:(latest|\d+)$/, ""))) return;
  ctx.report({
    node: scalar,
    key: path.join("."),
    message: `${key} is set to a literal credential, readable by everyone who can read the repository: rotate it, store it as a secret and use \${{ secrets.${name} }}`,
  });
}

/**
 * Words joined by `-`, `_` or `.` (`prod-db-password`, `api_key_name`, `KEYVAULT-SECRET`):
 * the shape of a name. Generated credentials mix cases and digits without word boundaries.
 */
function looksLikeName(value: string): boolean {
  const parts = value.split(/[-_.]/);
  if (parts.length < 2 || parts.some((p) => p.length === 0)) return false;
  return parts.every((p) => /^[a-z]+\d{0,2}$/.test(p) || /^[A-Z]+\d{0,2}$/.test(p));
}

/** Visits every scalar with its path; `path` is one array, extended and restored on the way. */
function walk(
  node: Node | null | undefined,
  path: string[],
  visit: (scalar: Scalar, path: string[]) => void,
) {
  if (isScalar(node)) visit(node, path);
  else if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      path.push(String(item.key.value));
      walk(item.value as Node, path, visit);
      path.pop();
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      path.push(String(i));
      walk(node.items[i] as Node, path, visit);
      path.pop();
    }
  }
}

function child(node: Node, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const item of node.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key)
      return (item.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

function serviceNames(job: Node): Set<string> {
  const services = child(job, "services");
  const names = new Set<string>();
  if (isMap(services)) {
    for (const item of services.items)
      if (isPair(item) && isScalar(item.key)) names.add(String(item.key.value).toLowerCase());
  }
  return names;
}

/** Values service containers are configured with: the same literal elsewhere is their test password. */
function collectServiceEnv(job: Node, out: Set<string>) {
  const services = child(job, "services");
  if (!isMap(services)) return;
  for (const item of services.items) {
    const env = isPair(item) ? child(item.value as Node, "env") : undefined;
    if (!isMap(env)) continue;
    for (const pair of env.items) {
      if (isPair(pair) && isScalar(pair.value) && typeof pair.value.value === "string")
        out.add(pair.value.value.trim());
    }
  }
}

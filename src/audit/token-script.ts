/**
 * Which GITHUB_TOKEN write scopes a script can use, read from what it runs with the token: the
 * GitHub CLI's subcommands, `gh api` calls, git credentials, and `actions/github-script`'s
 * Octokit calls. Anything else handed the token (a program that reads it from its environment,
 * a call to api.github.com) may use it for anything.
 */
import type { JudgedScope } from "./token-scopes.js";

export type Scopes = Set<JudgedScope> | "any";

/** The job's own token, as an expression or the variable the runner hands to actions. */
export const JOB_TOKEN = /\bgithub\.token\b|\bsecrets\.GITHUB_TOKEN\b|ACTIONS_RUNTIME_TOKEN/;

/** Commands that read and print but never pass their environment to another program. */
const INERT =
  /^(echo|printf|export|cd|ls|mkdir|cat|test|\[\[?|if|then|else|elif|fi|for|while|do|done|case|esac|sleep|jq|yq|grep|sed|awk|cut|tr|head|tail|sort|uniq|wc|cp|mv|rm|touch|tee|true|false|set|shift|exit|return|local|readonly|declare|unset|date|basename|dirname|pwd|\w+=\S*|\}|\{|\)|;;)$/;

/** A script that writes to the repository through the checkout's own credentials. */
export const CONTENTS_IN_SCRIPT =
  /\bgit\b[^\n|;&]*\s(push|tag)\b|\bmike\s+(deploy|set-default|delete)\b|\bmkdocs\s+gh-deploy\b|\bghp-import\b|\bgh-pages\b|\bsemantic-release\b|\blerna\s+(publish|version)\b|\bchangeset\s+(publish|tag)\b|\brelease-it\b|\bgoreleaser\b/;

/** Git given the token as a credential: it can read and write the repository's contents. */
const GIT_CREDENTIAL =
  /\bgit\b.*(x-access-token|extraheader|insteadOf|credential)|x-access-token:|https:\/\/[^@\s]*\$\{?\{?\s*\w*TOKEN/i;

/**
 * The scopes `script` can use. `tokenInEnv`: the job token is in an environment variable the
 * script's programs inherit, so any program that is not the CLI, git or a shell built-in may
 * read it; otherwise only the lines naming the token can use it.
 */
export function scriptScopes(script: string, tokenInEnv: boolean, ghHasToken: boolean): Scopes {
  const used = new Set<JudgedScope>();
  if (CONTENTS_IN_SCRIPT.test(script)) used.add("contents");
  for (const segment of commandSegments(script)) {
    const namesToken = JOB_TOKEN.test(segment) || /\$\{?(GITHUB_TOKEN|GH_TOKEN)\b/.test(segment);
    if (/api\.github\.com/.test(segment) && (namesToken || tokenInEnv)) return "any";
    const words = segment.split(/\s+/).filter(Boolean);
    const command = words[0] ?? "";
    if (command === "gh") {
      if (!ghHasToken && !namesToken) continue;
      const scopes = ghScopes(words.slice(1));
      if (scopes === "any") return "any";
      for (const scope of scopes) used.add(scope);
      continue;
    }
    if (command === "git" || GIT_CREDENTIAL.test(segment)) {
      if (namesToken || tokenInEnv) used.add("contents");
      continue;
    }
    if (namesToken && !INERT.test(command)) return "any";
    if (tokenInEnv && !INERT.test(command)) return "any";
  }
  return used;
}

/** Shell commands of a script, split at newlines, `&&`, `||`, `;` and pipes; comments dropped. */
function commandSegments(script: string): string[] {
  return script
    .replace(/\\\n/g, " ")
    .split(/\n|&&|\|\||;|\|/)
    .map((s) => s.replace(/(^|\s)#.*$/, "").trim())
    .map((s) => s.replace(/^(sudo|time|exec|then|do|else|if|!)\s+/, ""))
    .filter(Boolean);
}

/** `gh` subcommands that write, by the scope they need; reads need no write scope. */
const GH_WRITES: Record<string, { writes: RegExp; scopes: JudgedScope[] }> = {
  pr: {
    writes: /^(create|edit|comment|review|close|reopen|ready|lock|unlock|merge|update-branch)$/,
    scopes: ["pull-requests", "issues"],
  },
  issue: {
    writes: /^(create|edit|comment|close|reopen|delete|transfer|lock|unlock|pin|unpin|develop)$/,
    scopes: ["issues"],
  },
  label: { writes: /^(create|edit|delete|clone)$/, scopes: ["issues"] },
  release: { writes: /^(create|upload|edit|delete|delete-asset)$/, scopes: ["contents"] },
  run: { writes: /^(rerun|cancel|delete)$/, scopes: ["actions"] },
  workflow: { writes: /^(run|enable|disable)$/, scopes: ["actions"] },
  cache: { writes: /^delete$/, scopes: ["actions"] },
};

/** Reads that need no write scope at all. */
const GH_READS = /^(status|search|browse|attestation|completion|help|version|--version)$/;

function ghScopes(args: string[]): Scopes {
  const words = args.filter((w) => !w.startsWith("-"));
  const [command, sub] = words;
  if (!command) return new Set();
  if (GH_READS.test(command)) return new Set();
  if (command === "api") return ghApiScopes(args);
  const known = GH_WRITES[command];
  if (!known) return "any"; // auth, repo, secret, extension, …: may do anything
  if (!sub || !known.writes.test(sub)) return new Set();
  const scopes = new Set(known.scopes);
  if (command === "pr" && sub === "merge") scopes.add("contents");
  return scopes;
}

/** `gh api`: a GET needs no write scope; a write is judged by the endpoint's path. */
function ghApiScopes(args: string[]): Scopes {
  const method = args
    .join(" ")
    .match(/(?:-X|--method)[\s=]+["']?(\w+)/)?.[1]
    ?.toUpperCase();
  const writes = method
    ? method !== "GET"
    : args.some((a) => /^(-f|-F|--field|--raw-field|--input)$/.test(a));
  if (!writes) return new Set();
  const path = args.find((a) => /\//.test(a) && !a.startsWith("-")) ?? "";
  return pathScopes(path);
}

/** REST endpoints by the scope their writes need. */
function pathScopes(path: string): Scopes {
  if (/graphql/.test(path)) return "any";
  if (/\/deployments\b/.test(path)) return new Set(["deployments"]);
  if (/\/statuses\b/.test(path)) return new Set(["statuses"]);
  if (/\/check-(runs|suites)\b/.test(path)) return new Set(["checks"]);
  if (/\/actions\//.test(path)) return new Set(["actions"]);
  if (/\/(pulls|issues|labels)\b/.test(path)) return new Set(["issues", "pull-requests"]);
  if (/\/(releases|git|contents|merges|tags|branches|dispatches)\b/.test(path)) return new Set(["contents"]);
  if (/\/pages\b/.test(path)) return new Set(["pages"]);
  return "any";
}

/** Octokit namespaces of `actions/github-script` by the scopes their writes need. */
const OCTOKIT_SCOPES: Record<string, JudgedScope[]> = {
  issues: ["issues", "pull-requests"],
  pulls: ["pull-requests"],
  reactions: ["issues", "pull-requests"],
  actions: ["actions"],
  checks: ["checks"],
  git: ["contents"],
  packages: ["packages"],
};

/** Octokit methods that only read. */
const OCTOKIT_READ = /^(get|list|check|compare|download|paginate)/;

/**
 * The scopes an `actions/github-script` script can use, from the Octokit calls it makes
 * (`github.rest.issues.createComment`); a GraphQL or raw request, or code loaded from a file,
 * may use any.
 */
export function githubScriptScopes(script: string): Scopes {
  if (/\bgithub\.(graphql|request)\b|\brequire\s*\(|\bimport\s*\(|\bfetch\s*\(/.test(script)) return "any";
  const used = new Set<JudgedScope>();
  for (const [, namespace, method] of script.matchAll(/\bgithub\.(?:rest\.)?(\w+)\.(\w+)/g)) {
    if (OCTOKIT_READ.test(method!)) continue;
    if (namespace === "repos") {
      if (/Deployment/.test(method!)) used.add("deployments");
      else if (/CommitStatus/.test(method!)) used.add("statuses");
      else used.add("contents");
      continue;
    }
    const scopes = OCTOKIT_SCOPES[namespace!];
    if (!scopes) return "any";
    for (const scope of scopes) used.add(scope);
    if (namespace === "pulls" && /^(merge|updateBranch)$/.test(method!)) used.add("contents");
  }
  return used;
}

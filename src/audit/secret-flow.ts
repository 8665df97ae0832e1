import { isMap, isPair, isScalar, type Node, type YAMLMap } from "yaml";
import { memoByObject, memoByString } from "./memo.js";
import type { Region, SourceFile } from "./model/source.js";
import type { Job, Step, Value, Workflow } from "./model/workflow.js";

/**
 * Where secrets go in a `run:` script: the one reading of a script that the secret rules share.
 * A small shell reader (logical lines, pipelines, words, redirects, heredocs, `{ …; }` groups)
 * follows each secret — `${{ secrets.X }}`, or a variable set from one — from the command that
 * prints it to where that output ends up: the log, a step output, the job summary, the
 * environment file, or a file. Output piped into a program that consumes it is not followed.
 */

/**
 * A credential by its source: `secrets`, or a step output or action input whose name says it
 * is one (`steps.vault.outputs.DEPLOY_TOKEN`, `inputs.npm-token`, `inputs.webhook`: a webhook's
 * URL is its credential) — what secret managers' actions and composite actions hand over.
 */
const CREDENTIAL_REF =
  "(?:steps\\.[\\w-]+\\.outputs|inputs)\\.[\\w-]*(?:token|password|passwd|passphrase|secret|api[_-]?key|private[_-]?key|webhook)(?![\\w-]*[-_](?:arn|name|id|type|path|file|count|at|expires?|expiry|expiration)\\b)(?![\\w-]*[-_]url\\b(?<!webhook[-_]url))[\\w-]*";
export const SECRET_EXPRESSION = new RegExp(
  `\\$\\{\\{\\s*(secrets\\.[A-Za-z_][\\w-]*|secrets\\[\\s*['"][^'"]+['"]\\s*\\]|toJSON\\(\\s*secrets\\s*\\)|${CREDENTIAL_REF})\\s*\\}\\}`,
  "gi",
);
/** A value that reads a credential somewhere in an expression. */
export const READS_CREDENTIAL = new RegExp(`\\$\\{\\{[^}]*(\\bsecrets\\s*[.[()]|\\b${CREDENTIAL_REF})`, "i");
/** Commands that print their arguments. */
const PRINTERS = new Set(["echo", "printf", "write-host", "write-output"]);
/** Commands that print their standard input (a heredoc or here-string). */
const STDIN_PRINTERS = new Set(["cat", "tee"]);
/** Filters: what comes in goes out, transformed — and a transformed secret is not masked. */
const PASSTHROUGH = new Set([
  "cat",
  "tee",
  "base64",
  "base32",
  "xxd",
  "od",
  "hexdump",
  "rev",
  "tr",
  "sed",
  "awk",
  "cut",
  "head",
  "tail",
  "fold",
  "jq",
  "yq",
  "sort",
  "uniq",
  "grep",
]);

/**
 * Secret names that denote an identifier rather than a credential: `CF_ZONE_ID`, `SSH_HOST`,
 * `AWS_REGION`, `DEPLOY_USER`, `DEPLOY_ROLE` (a role ARN). A name that also says key, token, password or secret is a
 * credential whatever else it says (`API_KEY_ID` stays an error), and a URL is not an
 * identifier — it may carry credentials (`https://user:pass@…`, webhook URLs) — unless it names
 * a registry, an API or an endpoint. OIDC settings (`AUTH_ISSUER`, `AUTH_CLIENT_ID`) and
 * references to where a secret is kept (`CLIENT_SECRET_RESOURCE`) are identifiers too.
 */
const IDENTIFIER_NAME =
  /(^|_)(ID|IDS|HOST|HOSTNAME|DOMAIN|REGION|ZONE|USER|USERNAME|LOGIN|EMAIL|ORG|ORGANIZATION|PROJECT|ACCOUNT|BUCKET|PORT|NAME|REGISTRY|REPOSITORY|REPO|SERVER|CLUSTER|PROVIDER|ARN|NAMESPACE|LOCATION|TENANT|SUBSCRIPTION|ROLE|(REGISTRY|ENDPOINT|ENTRYPOINT|BASE|API)_URL)$/;
const CREDENTIAL_NAME =
  /KEY|TOKEN|PASS|PWD|SECRET|CREDENTIAL|AUTH|PRIVATE|CERT|SIGN|WEBHOOK|DSN|COOKIE|SESSION/;
/**
 * Values made public by design: a Sentry DSN ships in every client that reports errors, and
 * front-end bundlers inline their prefixed variables into the browser bundle (Next.js
 * `NEXT_PUBLIC_*`, Vite `VITE_*`, Create React App `REACT_APP_*`, Nuxt, Expo, Gatsby).
 */
const PUBLIC_VALUE = /^(NEXT_PUBLIC|NUXT_PUBLIC|EXPO_PUBLIC|VITE|REACT_APP|GATSBY)_|(^|_)SENTRY_(\w+_)?DSN$/;
/** What an OAuth or OIDC client is configured with, published by the identity provider itself. */
const OIDC_SETTING = /(^|_)(ISSUER|AUDIENCE|CLIENT_ID|TENANT_ID)$/;
/** Where a secret is kept, not the secret: `CLIENT_SECRET_RESOURCE` names a Secret Manager entry. */
const SECRET_REFERENCE = /(^|_)(RESOURCE|REF|ARN|PATH)$/;
/** Credentials whatever their suffix says. */
const STRONG_CREDENTIAL = /KEY|TOKEN|PASS|PWD|PRIVATE|COOKIE|SESSION|WEBHOOK|DSN/;

export function namesAnIdentifier(what: string): boolean {
  const name = /(?:secrets|outputs|inputs)\.([\w-]+)/i.exec(what)?.[1]?.toUpperCase().replace(/-/g, "_");
  if (!name) return false;
  if (SECRET_REFERENCE.test(name)) return true;
  if (OIDC_SETTING.test(name) && !STRONG_CREDENTIAL.test(name)) return true;
  if (PUBLIC_VALUE.test(name)) return true;
  if (CREDENTIAL_NAME.test(name)) return false;
  return IDENTIFIER_NAME.test(name);
}

/**
 * Where printed output ends up: the log (stdout, stderr), `$GITHUB_OUTPUT`, the job summary,
 * `$GITHUB_ENV` (every later step of the job), or a file, by the path as written.
 */
export type Sink = "log" | "output" | "summary" | "env" | `file:${string}`;

/** A file path written relative to the workspace, or under $GITHUB_WORKSPACE. */
export function inWorkspace(path: string): boolean {
  const p = path.replace(/^["']|["']$/g, "");
  if (/^\$\{?(GITHUB_WORKSPACE|\{\s*github\.workspace)/.test(p)) return true;
  return !/^([/~$]|\\)/.test(p);
}

/** Whether secret-echoed or secret-exposed reports a leak: where it lands is what they name. */
export function reportedLeak(leak: Leak): boolean {
  return leak.sink.startsWith("file:") ? inWorkspace(leak.sink.slice(5)) : true;
}

export interface Leak {
  /** 0-based line of the script and column in it. */
  line: number;
  column: number;
  text: string;
  what: string;
  command: string;
  sink: Sink;
}

/** Only shell scripts are parsed: python, node and other interpreters are left alone. */
export function isShellScript(step: Step, job: Job, workflow: Workflow): boolean {
  const shell = child(step.node, "shell") ?? defaultShell(job.node) ?? defaultShell(workflow.root);
  if (!isScalar(shell)) return true;
  return /^(bash|sh|pwsh|powershell)\b|\b(bash|sh)\s/.test(String(shell.value).trim());
}

function defaultShell(node: YAMLMap): Node | undefined {
  const defaults = child(node, "defaults");
  const run = isMap(defaults) ? child(defaults, "run") : undefined;
  return isMap(run) ? child(run, "shell") : undefined;
}

function child(map: YAMLMap, key: string): Node | undefined {
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key)
      return (item.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

/** Environment variables the step sees whose value is a secret (step over job over workflow). */
export function secretEnv(workflow: Workflow, job: Job, step: Step): Map<string, string> {
  const merged = new Map<string, string>();
  for (const env of [workflow.env, job.env, step.env]) for (const [k, v] of env) merged.set(k, v.value);
  const out = new Map<string, string>();
  for (const [name, value] of merged) {
    // A comparison (`secrets.X != ''`) yields true/false, not the secret.
    if (READS_CREDENTIAL.test(value) && !/==|!=|<|>/.test(value) && /^[A-Za-z_]\w*$/.test(name)) {
      const secret = /\b(secrets|steps\.[\w-]+\.outputs|inputs)\s*\.\s*([\w-]+)/.exec(value);
      const every = /\btoJSON\(\s*secrets\s*\)/i.test(value);
      out.set(
        name,
        secret ? `${secret[1]}.${secret[2]}` : every ? "every secret (toJSON(secrets))" : "a secret",
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A small shell reader: logical lines, commands, pipeline stages, words, redirects, heredocs.

export interface Word {
  start: number;
  end: number;
  /** As written, quotes included. */
  raw: string;
  /** Without surrounding quotes. */
  text: string;
}

export interface Stage {
  words: Word[];
}

export interface Logical {
  text: string;
  /** Where each piece of the logical line comes from: script line, offset in the logical text. */
  pieces: Array<{ line: number; at: number; length: number }>;
  /** Positions inside single quotes, where the shell expands nothing. */
  quoted: boolean[];
  pipelines: Stage[][];
}

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
  expands: boolean;
  stage: Stage;
  body: Array<{ line: number; text: string }>;
}

/** A script can leak only through `${{ secrets… }}` or a variable set from a secret. */
const MENTIONS_SECRETS = /secrets|outputs\.|inputs\./i;

export function findLeaks(script: string, environmentSecrets: Map<string, string>): Leak[] {
  const secretVars = withScriptSecrets(script, environmentSecrets);
  if (secretVars.size === 0 && !MENTIONS_SECRETS.test(script)) return [];
  // A function the script defines (`to_envs() { jq … ; }`) is a filter like jq: what it is fed
  // comes out transformed.
  const filters = new Set(PASSTHROUGH);
  for (const m of script.matchAll(/^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)/gm)) filters.add(m[1]!);
  return readScript(script).flatMap((e) =>
    leaksOf(e.pipeline, e.logical, e.docs, secretVars, e.sink === undefined ? "log" : e.sink, filters),
  );
}

/** Commands that fetch or decrypt a secret at run time. */
const FETCHES_SECRET =
  /\b(aws\s+secretsmanager\s+get-secret-value|aws\s+ssm\s+get-parameters?\b.*--with-decryption|az\s+keyvault\s+secret\s+show|gcloud\s+secrets\s+versions\s+access|vault\s+(kv\s+get|read)\b|gpg\b.*\s(-\w*d|--decrypt)\b|sops\s+(-d|--decrypt)\b)/;
const MAY_MAKE_SECRETS =
  /::add-mask::|secretsmanager|keyvault|secrets\s+versions|\bvault\s|\bgpg\b|\bsops\b|--with-decryption/;

/**
 * The secret variables of a script: those its environment sets from secrets, and the shell
 * variables it makes secret itself — masked with `::add-mask::` (its author says so), or set
 * from a secret store or a decryption (`X=$(aws secretsmanager get-secret-value …)`).
 */
function withScriptSecrets(script: string, environmentSecrets: Map<string, string>): Map<string, string> {
  if (!MAY_MAKE_SECRETS.test(script)) return environmentSecrets;
  const vars = new Map(environmentSecrets);
  // Scripts mask identifiers too (an account number, an image path holding it): a masked value
  // counts when its name says credential.
  for (const m of script.matchAll(/::add-mask::\s*\$\{?([A-Za-z_]\w*)\}?/g))
    if (!vars.has(m[1]!) && CREDENTIAL_NAME.test(m[1]!.toUpperCase()))
      vars.set(m[1]!, "a value the script masks");
  for (const m of script.matchAll(/^\s*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=["']?\$\((.*)/gm))
    if (FETCHES_SECRET.test(m[2]!) && !vars.has(m[1]!)) vars.set(m[1]!, "a secret store");
  return vars;
}

/** Builtins that print their arguments, to the log or into a pipe. */
const PRINTS = new Set(["echo", "printf", "write-output"]);
/** Shell builtins and keywords: their arguments never reach another process's command line. */
const BUILTINS = new Set([
  "echo",
  "printf",
  "export",
  "local",
  "declare",
  "typeset",
  "readonly",
  "read",
  "set",
  "test",
  "[",
  "[[",
  ":",
  "cd",
  "return",
  "exit",
  "write-host",
  "write-output",
]);

/** A secret expanded by GitHub into the text of a command another process receives as argv. */
export interface CommandLineSecret {
  /** 0-based line of the script and column in it. */
  line: number;
  column: number;
  text: string;
  what: string;
  command: string;
  /** The option the value is given to, when the word before it is one (`--build-arg`, `-p`). */
  option?: string;
  /** Printed by a builtin into a pipe (`echo … | docker login --password-stdin`): off argv, in the script file. */
  piped?: boolean;
  /**
   * Expanded into the script but given to no other command's argv: a builtin's argument, an
   * assignment, a redirect or here-string (`ssh-add - <<< '${{ secrets.KEY }}'`). Still in the
   * script file GitHub writes, and still shell code when the value holds a quote.
   */
  inline?: boolean;
}

/**
 * `${{ secrets.X }}` (or `${{ env.X }}` of a variable set from a secret) written into the
 * arguments of a command that is not a shell builtin: GitHub expands it into the script file
 * before the shell runs, and the command's argv is readable by every process on the runner
 * (`ps`, /proc) while it runs. Arguments of builtins (`echo`, `test`) and values assigned to
 * variables are not argv; commands inside `$( )` are read as commands too.
 */
export function findCommandLineSecrets(script: string, secretVars: Map<string, string>): CommandLineSecret[] {
  if (!/\$\{\{/.test(script)) return [];
  const out: CommandLineSecret[] = [];
  const seen = new Set<Logical>();
  for (const entry of readScript(script)) {
    const logical = entry.logical;
    if (seen.has(logical)) continue;
    seen.add(logical);
    for (const ref of expressionRefs(logical.text, secretVars)) {
      const context = commandAt(logical.text, ref.index);
      const piece =
        logical.pieces.find((p) => ref.index >= p.at && ref.index < p.at + p.length) ?? logical.pieces[0]!;
      const at = { line: piece.line, column: ref.index - piece.at, text: ref.text, what: ref.what };
      // A builtin's arguments reach no other process, but `echo <secret> | docker login
      // --password-stdin` still pastes the secret into the script file GitHub writes.
      const builtin = context !== undefined && BUILTINS.has(context.name);
      if (!context || (builtin && !(PRINTS.has(context.name) && context.pipedTo))) {
        out.push({ ...at, command: context?.name ?? "the script", inline: true });
        continue;
      }
      out.push({
        ...at,
        command: builtin ? `${context.name} | ${context.pipedTo}` : context.name,
        option: context.option,
        ...(builtin ? { piped: true } : {}),
      });
    }
  }
  return out;
}

/** Only what GitHub expands: `${{ secrets… }}` and `${{ env.X }}` of a secret variable. */
function expressionRefs(text: string, secretVars: Map<string, string>) {
  const out: Array<{ index: number; text: string; what: string }> = [];
  for (const m of text.matchAll(SECRET_EXPRESSION))
    out.push({ index: m.index, text: m[0], what: m[1]!.replace(/\s+/g, "") });
  for (const m of text.matchAll(/\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/g)) {
    const secret = secretVars.get(m[1]!);
    if (secret) out.push({ index: m.index, text: m[0], what: `env.${m[1]} (set from ${secret})` });
  }
  return out;
}

/**
 * The command whose argument holds position `at` of a logical line, looking into `$( )`; none
 * when the position is in an assignment, a redirect target, or the command word itself.
 */
function commandAt(
  text: string,
  at: number,
): { name: string; option?: string; pipedTo?: string } | undefined {
  const logical = read(text, [{ line: 0, at: 0, length: text.length }]);
  for (const pipeline of logical.pipelines) {
    for (const [position, stage] of pipeline.entries()) {
      const index = stage.words.findIndex((w) => w.start <= at && at < w.end);
      if (index < 0) continue;
      const word = stage.words[index]!;
      for (const [from, to] of substitutions(text, word.start, word.end)) {
        if (at >= from && at < to) {
          const inner = commandAt(text.slice(from, to), at - from);
          return inner;
        }
      }
      const command = commandOf(stage);
      if (!command || index <= command.index) return undefined;
      const previous = stage.words[index - 1]?.text;
      // A redirect and its target name a file, not an argument.
      if (REDIRECT.test(word.raw) || (previous !== undefined && /^(\d|&)?(>>?|>\||<|<<<)$/.test(previous)))
        return undefined;
      const option =
        /^--?[\w-]+=/.exec(word.text)?.[0]?.slice(0, -1) ??
        (previous?.startsWith("-") ? previous : undefined);
      const next = pipeline[position + 1];
      const pipedTo = next ? commandOf(next)?.name : undefined;
      return { name: command.name, option, ...(pipedTo ? { pipedTo } : {}) };
    }
  }
  return undefined;
}

const REDIRECT = /^(\d|&)?(>>?|>\||<<?<?-?)/;

/** The insides of the `$( … )` of a word: [start, end) in the line. */
function substitutions(text: string, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = start; i < end - 1; i++) {
    if (text[i] !== "$" || text[i + 1] !== "(" || text[i + 2] === "(") continue;
    let depth = 1;
    let j = i + 2;
    for (; j < end && depth > 0; j++) {
      if (text[j] === "(") depth++;
      else if (text[j] === ")") depth--;
    }
    out.push([i + 2, depth === 0 ? j - 1 : end]);
    i = j - 1;
  }
  return out;
}

interface Entry {
  pipeline: Stage[];
  logical: Logical;
  docs: Heredoc[];
  sink: Sink | null | undefined;
}

/** The script read into pipelines, with heredocs and group redirects: once per script text. */
const readScript = memoByString((script: string): Entry[] => {
  const lines = script.split("\n");
  const entries: Entry[] = [];
  const groups: number[] = [];
  let i = 0;
  while (i < lines.length) {
    if (/^\s*#/.test(lines[i]!)) {
      i++;
      continue;
    }
    const pieces: Logical["pieces"] = [];
    let text = "";
    while (i < lines.length) {
      const line = lines[i]!;
      const continued = /\\\s*$/.test(line);
      const part = continued ? line.replace(/\\\s*$/, "") : line;
      pieces.push({ line: i, at: text.length, length: part.length });
      text += continued ? `${part} ` : part;
      i++;
      if (!continued) break;
    }
    const logical = read(text, pieces);
    const docs = heredocs(logical);
    for (const pipeline of logical.pipelines) {
      const first = pipeline[0]?.words[0]?.raw;
      // `{ ...; } >> file`: the closing brace's redirect is where the group's output goes;
      // without one, it goes wherever the enclosing group's does.
      if (first === "{" || first === "(") groups.push(entries.length);
      if ((first === "}" || first === ")") && groups.length) {
        const start = groups.pop()!;
        const sink = redirectSink(pipeline[0]!);
        if (sink !== undefined) for (const entry of entries.slice(start)) entry.sink ??= sink;
      }
      entries.push({ pipeline, logical, docs, sink: undefined });
    }
    // Heredoc bodies follow the line that opens them.
    for (const doc of docs) {
      while (i < lines.length) {
        const line = lines[i]!;
        i++;
        if ((doc.stripTabs ? line.replace(/^\t+/, "") : line).trim() === doc.delimiter) break;
        doc.body.push({ line: i - 1, text: line });
      }
    }
  }
  return entries;
});

function leaksOf(
  pipeline: Stage[],
  logical: Logical,
  docs: Heredoc[],
  secretVars: Map<string, string>,
  defaultSink: Sink | null,
  passthrough: ReadonlySet<string>,
): Leak[] {
  const out: Leak[] = [];
  pipeline.forEach((stage, k) => {
    const command = commandOf(stage);
    if (!command) return;
    const name = command.name;
    const refs: Leak[] = [];
    if (PRINTERS.has(name)) {
      const args = argumentsOf(stage, command.index);
      if (args.some((w) => w.text.includes("::add-mask::"))) return;
      for (const word of args) refs.push(...refsIn(logical, word.start, word.end, secretVars, name));
      if (args.some((w) => w.text.includes("::set-output"))) {
        for (const ref of refs) out.push({ ...ref, sink: "output" });
        return;
      }
    }
    if (STDIN_PRINTERS.has(name)) {
      // A here-string (`cat <<< "$X"`) or a heredoc body is what cat and tee print.
      stage.words.forEach((word, w) => {
        if (!word.raw.startsWith("<<<")) return;
        const target = word.raw.length > 3 ? word : stage.words[w + 1];
        if (!target) return;
        refs.push(
          ...refsIn(logical, target === word ? word.start + 3 : target.start, target.end, secretVars, name),
        );
      });
      for (const doc of docs) {
        if (doc.stage !== stage) continue;
        for (const body of doc.body) {
          refs.push(
            ...refsInLine(body.line, body.text, secretVars, doc.expands, `${name} <<${doc.delimiter}`),
          );
        }
      }
    }
    if (!refs.length) return;
    const filters = pipeline
      .slice(k + 1)
      .map((st) => commandOf(st)?.name ?? "")
      .filter((n) => passthrough.has(n));
    const via = filters.length ? ` | ${filters.join(" | ")}` : "";
    for (const sink of sinksOf(pipeline, k, defaultSink, passthrough)) {
      for (const ref of refs) out.push({ ...ref, command: ref.command + via, sink });
    }
  });
  return out;
}

/** Where the output of stage k ends up. */
function sinksOf(
  pipeline: Stage[],
  k: number,
  defaultSink: Sink | null,
  passthrough: ReadonlySet<string>,
): Sink[] {
  const sinks = new Set<Sink>();
  for (let j = k; j < pipeline.length; j++) {
    const stage = pipeline[j]!;
    const command = commandOf(stage);
    if (j > k && (!command || !passthrough.has(command.name) || isQuiet(stage, command))) return [...sinks];
    if (command?.name === "tee") {
      for (const word of argumentsOf(stage, command.index)) {
        if (word.raw.startsWith("-")) continue;
        const sink = fileSink(word.raw);
        if (sink) sinks.add(sink);
      }
    }
    const redirect = redirectSink(stage);
    if (redirect !== undefined) {
      if (redirect) sinks.add(redirect);
      return [...sinks];
    }
  }
  if (defaultSink) sinks.add(defaultSink);
  return [...sinks];
}

/** `grep -q` and friends print a verdict, not their input. */
function isQuiet(stage: Stage, command: { name: string; index: number }): boolean {
  if (command.name !== "grep") return false;
  return stage.words
    .slice(command.index + 1)
    .some((w) => /^(-[a-zA-Z]*[qcl][a-zA-Z]*|--(quiet|silent|count|files-with-matches))$/.test(w.text));
}

/** The stdout redirect of a stage: a sink, null (a file or /dev/null), or undefined (none). */
function redirectSink(stage: Stage): Sink | null | undefined {
  const words = stage.words;
  let sink: Sink | null | undefined;
  for (let w = 0; w < words.length; w++) {
    const m = /^(1|&)?(>>?|>\|)(&?)(.*)$/.exec(words[w]!.raw);
    if (!m) continue;
    const target = m[4] || words[w + 1]?.raw || "";
    if (m[3] === "&" || target.startsWith("&")) {
      // >&2 sends stdout to stderr, which is the log too.
      if (/^&?2$/.test(target)) sink = "log";
      continue;
    }
    sink = fileSink(target) ?? null;
  }
  return sink;
}

/** Where writing to `target` puts the output; undefined for a target that is no sink (/dev/null). */
function fileSink(target: string): Sink | undefined {
  const name = target.replace(/["'{}]/g, "").replace(/^\$(env:)?/, "");
  if (name === "GITHUB_OUTPUT") return "output";
  if (name === "GITHUB_STEP_SUMMARY") return "summary";
  if (name === "GITHUB_ENV") return "env";
  if (/^\/dev\/(stdout|stderr|tty)$/.test(name)) return "log";
  if (!name || name === "/dev/null" || name.startsWith("&")) return undefined;
  return `file:${target.replace(/^(["'])(.*)\1$/, "$2")}`;
}

export function commandOf(stage: Stage): { name: string; index: number } | undefined {
  for (let i = 0; i < stage.words.length; i++) {
    const text = stage.words[i]!.text;
    if (
      /^[A-Za-z_]\w*=/.test(text) ||
      /^(sudo|command|builtin|exec|time|if|then|elif|else|do|while|until|[{(!])$/.test(text)
    )
      continue;
    return { name: text.replace(/^.*\//, "").toLowerCase(), index: i };
  }
  return undefined;
}

/** Words after the command, without redirects, their targets, and heredoc/here-string operators. */
export function argumentsOf(stage: Stage, index: number): Word[] {
  const out: Word[] = [];
  const words = stage.words;
  for (let i = index + 1; i < words.length; i++) {
    const text = words[i]!.raw;
    const redirect = /^(\d|&)?(>>?|>\||<<?<?-?)(&?)(.*)$/.exec(text);
    if (redirect) {
      if (!redirect[4]) i++;
      continue;
    }
    if (text.startsWith("-") && out.length === 0) continue; // echo -n, tee -a
    out.push(words[i]!);
  }
  return out;
}

/** Secret references in [start, end) of a logical line. */
function refsIn(
  logical: Logical,
  start: number,
  end: number,
  secretVars: Map<string, string>,
  command: string,
): Leak[] {
  const text = logical.text.slice(start, end);
  const out: Leak[] = [];
  for (const ref of references(text, secretVars, (i) => logical.quoted[start + i] === true)) {
    const at = start + ref.index;
    const piece = logical.pieces.find((p) => at >= p.at && at < p.at + p.length) ?? logical.pieces[0]!;
    out.push({
      line: piece.line,
      column: at - piece.at,
      text: ref.text,
      what: ref.what,
      command,
      sink: "log",
    });
  }
  return out;
}

function refsInLine(
  line: number,
  text: string,
  secretVars: Map<string, string>,
  expands: boolean,
  command: string,
): Leak[] {
  return references(text, expands ? secretVars : new Map(), () => false).map((ref) => ({
    line,
    column: ref.index,
    text: ref.text,
    what: ref.what,
    command,
    sink: "log" as const,
  }));
}

/** `${{ secrets.X }}` anywhere (GitHub expands it before the shell runs), `$X` where the shell expands. */
function references(
  text: string,
  secretVars: Map<string, string>,
  singleQuoted: (index: number) => boolean,
): Array<{ index: number; text: string; what: string }> {
  const out: Array<{ index: number; text: string; what: string }> = [];
  for (const m of text.matchAll(SECRET_EXPRESSION)) {
    out.push({ index: m.index, text: m[0], what: m[1]!.replace(/\s+/g, "") });
  }
  if (secretVars.size) {
    for (const m of text.matchAll(
      /\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}|\$(?:env:)?([A-Za-z_]\w*)\b|\$\{([A-Za-z_]\w*)(?=[}:/#%^,@[])/g,
    )) {
      const name = m[1] ?? m[2] ?? m[3]!;
      const secret = secretVars.get(name);
      if (!secret || (!m[1] && singleQuoted(m.index))) continue;
      out.push({ index: m.index, text: m[0], what: `$${name} (set from ${secret})` });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Splits a logical line into pipelines of stages of words, aware of quotes and `$( )`. */
function read(text: string, pieces: Logical["pieces"]): Logical {
  // GitHub expressions may hold spaces and quotes; the shell never sees them as such.
  const masked = text.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "E".repeat(m.length));
  const quoted: boolean[] = new Array(text.length).fill(false);
  const pipelines: Stage[][] = [];
  let pipeline: Stage[] = [];
  let stage: Stage = { words: [] };
  let wordStart = -1;
  let quote: "'" | '"' | "`" | null = null;
  let depth = 0;
  const endWord = (at: number) => {
    if (wordStart >= 0) {
      const raw = text.slice(wordStart, at);
      stage.words.push({ start: wordStart, end: at, raw, text: stripQuotes(raw) });
    }
    wordStart = -1;
  };
  const endStage = () => {
    if (stage.words.length) pipeline.push(stage);
    stage = { words: [] };
  };
  const endPipeline = () => {
    endStage();
    if (pipeline.length) pipelines.push(pipeline);
    pipeline = [];
  };
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i]!;
    if (quote) {
      if (quote === "'") quoted[i] = true;
      if (c === "\\" && quote !== "'") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "\\") {
      if (wordStart < 0) wordStart = i;
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      if (wordStart < 0) wordStart = i;
      quote = c;
      if (c === "'") quoted[i] = true;
      continue;
    }
    if (c === "$" && masked[i + 1] === "(") {
      if (wordStart < 0) wordStart = i;
      depth++;
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === "(") depth++;
      else if (c === ")") depth--;
      continue;
    }
    if (/\s/.test(c)) {
      endWord(i);
      continue;
    }
    const two = masked.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      endWord(i);
      endPipeline();
      i++;
      continue;
    }
    if (c === ";" || (c === "&" && masked[i - 1] !== ">" && masked[i + 1] !== ">")) {
      endWord(i);
      endPipeline();
      continue;
    }
    if (c === "|" && masked[i - 1] !== ">") {
      endWord(i);
      endStage();
      if (masked[i + 1] === "&") i++;
      continue;
    }
    if (wordStart < 0) wordStart = i;
  }
  endWord(masked.length);
  endPipeline();
  return { text, pieces, quoted, pipelines };
}

function stripQuotes(word: string): string {
  return word.replace(/^(['"])(.*)\1$/s, "$2");
}

function heredocs(logical: Logical): Heredoc[] {
  const out: Heredoc[] = [];
  for (const pipeline of logical.pipelines) {
    for (const stage of pipeline) {
      stage.words.forEach((word, w) => {
        const raw = logical.text.slice(word.start, word.end);
        const m = /^<<(-?)\s*(.*)$/.exec(raw);
        if (!m || raw.startsWith("<<<")) return;
        const spec =
          m[2] ||
          (stage.words[w + 1] ? logical.text.slice(stage.words[w + 1]!.start, stage.words[w + 1]!.end) : "");
        const delimiter = spec.replace(/["'\\]/g, "");
        if (!/^[\w.-]+$/.test(delimiter)) return;
        out.push({
          delimiter,
          stripTabs: m[1] === "-",
          expands: !/["'\\]/.test(spec),
          stage,
          body: [],
        });
      });
    }
  }
  return out;
}

/**
 * Where a place found in a step's script (0-based line and column) is in the file: exact when
 * the script's lines are written verbatim (block scalars), else the first occurrence of its text.
 */
export function regionInScript(
  source: SourceFile,
  run: Value<string>,
  found: { line: number; column: number; text: string },
): Region {
  const start = lineOffset(source.text, run.node, run.value, found.line);
  return start === undefined
    ? source.regionIn(run.node, found.text)
    : source.regionOf(start + found.column, start + found.column + found.text.length);
}

/** Offset in the file of a script line, for block scalars whose lines appear verbatim. */
export function lineOffset(file: string, node: Node, script: string, line: number): number | undefined {
  return lineOffsets(node, file, script)[line];
}

/**
 * Every line's offset, found one after the other, once per script (not once per finding);
 * blank lines and every line from the first one not written verbatim have none.
 */
const lineOffsets = memoByObject((node: Node, file: string, script: string): Array<number | undefined> => {
  const range = node.range;
  if (!range) return [];
  const scalar = file.slice(range[0], range[1]);
  let cursor = 0;
  let lost = false;
  return script.split("\n").map((text) => {
    if (lost || !text.trim()) return undefined;
    const at = scalar.indexOf(text, cursor);
    if (at < 0) {
      lost = true;
      return undefined;
    }
    cursor = at + text.length;
    return range[0] + at;
  });
});

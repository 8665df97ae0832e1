import type { Language } from "../config/schema.js";
import type { CiJob } from "./ci-jobs.js";
import { type CommandKind, commandBody, commandKind, isBrowserSuite, isEndToEnd } from "./command-kinds.js";

/** One command a CI job runs, with the directory it runs in and what it is for. */
export interface CiCommand {
  kind: CommandKind;
  command: string;
  /** Relative to the repository root; "." for the root. */
  cwd: string;
  job: CiJob;
  /** The runtimes the job sets up; empty when it sets up none it names. */
  languages: Language[];
  /** The job also drives a browser, or the command names an end-to-end suite. */
  browser: boolean;
  endToEnd: boolean;
}

/**
 * The commands of a shell script, one per line or `&&` link, with `cd` followed so each knows
 * its directory. Control flow and anything still holding `${{ }}` in its first words is left
 * out: it cannot be copied into shipgate.yml as it is.
 */
export function scriptCommands(script: string, cwd: string): Array<{ command: string; cwd: string }> {
  const out: Array<{ command: string; cwd: string }> = [];
  let dir = cwd;
  const joined = script.replace(/\\\r?\n\s*/g, " ");
  for (const rawLine of joined.split(/\r?\n/)) {
    const line = rawLine.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    for (const part of line.split(/\s*(?:&&|;)\s*/)) {
      // `a || b` runs b only when a fails, and `a | b` filters a's output: a is the command.
      const piece = part
        .split(/\s*\|\|?\s*/)[0]!
        .trim()
        .replace(/\s+/g, " ");
      if (!piece) continue;
      const cd = /^cd\s+("([^"]+)"|'([^']+)'|(\S+))$/.exec(piece);
      if (cd) {
        dir = joinPath(dir, cd[2] ?? cd[3] ?? cd[4]!);
        continue;
      }
      const cleaned = withoutExpressions(piece);
      if (cleaned) out.push({ command: cleaned, cwd: dir });
    }
  }
  return out;
}

/** Drops arguments that are GitHub expressions; a command whose first two words are one is dropped. */
function withoutExpressions(command: string): string | null {
  if (!command.includes("${{")) return command;
  const words = command.split(/\s+/);
  if (words.slice(0, 2).some((w) => w.includes("${{") || w.includes("}}"))) return null;
  const kept: string[] = [];
  let inside = false;
  for (const word of words) {
    if (word.includes("${{")) inside = !word.includes("}}");
    else if (inside) {
      if (word.includes("}}")) inside = false;
    } else kept.push(word);
  }
  return kept.join(" ");
}

function joinPath(base: string, next: string): string {
  if (next.startsWith("/") || next.startsWith("$") || next === "-") return base;
  const parts = base === "." ? [] : base.split("/");
  for (const segment of next.replace(/\/+$/, "").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") parts.pop();
    else parts.push(segment);
  }
  return parts.length ? parts.join("/") : ".";
}

function normalizeDir(dir: string | undefined): string {
  if (!dir) return ".";
  return joinPath(".", dir.replace(/^\$\{\{\s*github\.workspace\s*\}\}\/?/, ""));
}

/** Actions that run one of the five jobs, and the command they stand for. */
const CHECK_ACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/golangci\/golangci-lint-action$/, "golangci-lint run"],
  [/pre-commit\/action$/, "pre-commit run --all-files"],
  [/prek-action$/, "prek run --all-files"],
  [/ruff-action$/, "ruff check ."],
];

/** The script a step runs: its `run:`, a retry action's `command:`, or the command a check action stands for. */
function stepScript(step: CiJob["steps"][number]): string | null {
  if (step.run) return step.run;
  if (!step.uses) return null;
  if (/retry/.test(step.uses) && step.with.command) return step.with.command;
  return CHECK_ACTIONS.find(([pattern]) => pattern.test(step.uses!))?.[1] ?? null;
}

/** Runtimes a job's set-up actions install; a job that installs none may run anything. */
function jobLanguages(job: CiJob): Language[] {
  const out: Language[] = [];
  for (const step of job.steps) {
    const uses = step.uses ?? "";
    if (/setup-node|pnpm\/action-setup|setup-bun/.test(uses)) out.push("node");
    if (/setup-python|setup-uv|install-poetry/.test(uses)) out.push("python");
    if (/setup-go|golangci-lint-action/.test(uses)) out.push("go");
    if (/rust-toolchain|rust-cache|setup-rust/.test(uses)) out.push("rust");
    if (/setup-java|gradle\/actions/.test(uses)) out.push("java");
  }
  return out;
}

/** Every command of the jobs that check changes, classified; jobs that only release, deploy or build docs are left out. */
export function ciCommands(jobs: readonly CiJob[]): CiCommand[] {
  const out: CiCommand[] = [];
  for (const job of jobs) {
    const label = `${job.file.split("/").pop()} ${job.id} ${job.name}`;
    if (!job.checksChanges || /(^|[^a-z])(release|publish|deploy|docs?)([^a-z]|$)/i.test(label)) continue;
    const jobText = job.steps.map((s) => `${s.run ?? ""} ${s.uses ?? ""}`).join("\n");
    const browserJob = /playwright install|cypress-io\/github-action|browser-actions\//.test(jobText);
    const languages = jobLanguages(job);
    for (const step of job.steps) {
      const script = stepScript(step);
      if (!script) continue;
      const cwd = normalizeDir(step.workingDirectory ?? job.workingDirectory);
      const env = { ...job.env, ...step.env };
      for (const { command: raw, cwd: dir } of scriptCommands(script, cwd)) {
        const command = withKnownVariables(raw, env);
        const kind = commandKind(command);
        if (!kind) continue;
        out.push({
          kind,
          command,
          cwd: dir,
          job,
          languages,
          browser: browserJob || isBrowserSuite(command),
          endToEnd: isEndToEnd(command) || isEndToEnd(`${job.id} ${job.name}`),
        });
      }
    }
  }
  return out;
}

/**
 * `--python "${PYTHON_VERSION}"` with the value the job's environment gives the variable; a
 * variable the job sets from an expression, or does not set, is dropped with its flag.
 */
function withKnownVariables(command: string, env: Readonly<Record<string, string>>): string {
  if (!command.includes("$")) return command;
  const words = command.split(" ");
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const m = /^(["']?)\$\{?([A-Za-z_]\w*)\}?\1$/.exec(word);
    if (!m) {
      out.push(word);
      continue;
    }
    const value = env[m[2]!];
    if (value !== undefined && !value.includes("${{") && /^[\w.:/@+-]+$/.test(value)) out.push(value);
    else if (out.length > 1 && out[out.length - 1]!.startsWith("-")) out.pop();
  }
  return out.join(" ");
}

/** The runtime versions CI's set-up actions install, first found per language. */
export function ciVersions(
  jobs: readonly CiJob[],
): Partial<Record<Language, { version: string; where: string }>> {
  const found: Partial<Record<Language, { version: string; where: string }>> = {};
  const set = (language: Language, value: string | undefined, where: string) => {
    if (!value || found[language] || /\$\{\{|stable|latest|lts|nightly|\*/.test(value)) return;
    found[language] = { version: value.trim().replace(/\.x$/, "").replace(/^v/, ""), where };
  };
  for (const job of jobs) {
    if (!job.checksChanges) continue;
    for (const step of job.steps) {
      const uses = step.uses ?? "";
      const where = `${job.file} (${job.id})`;
      if (uses.endsWith("actions/setup-node")) set("node", step.with["node-version"], where);
      if (uses.endsWith("actions/setup-python") || uses.endsWith("astral-sh/setup-uv"))
        set("python", step.with["python-version"], where);
      if (uses.endsWith("actions/setup-go")) set("go", step.with["go-version"], where);
      if (uses.endsWith("actions/setup-java")) set("java", step.with["java-version"], where);
      if (uses.startsWith("dtolnay/rust-toolchain")) set("rust", step.with.toolchain, where);
    }
  }
  return found;
}

/** Dockerfiles CI builds images from, with their build context, in the order found. */
export interface CiDockerBuild {
  dockerfile: string;
  context: string;
  target: string | null;
  /** The image's name: the last segment of the repository it is tagged with, when CI spells it out. */
  image: string | null;
  where: string;
}

/** `ghcr.io/${{ github.repository_owner }}/miniflux:latest` → `miniflux`; expressions and tag rules give nothing. */
export function imageNameOf(references: string): string | null {
  for (const raw of references.split(/[\n,]/)) {
    const reference = raw.trim();
    if (!reference || reference.startsWith("type=")) continue;
    const last = reference
      .split("/")
      .pop()!
      .replace(/:[^/]*$/, "")
      .replace(/@.*$/, "");
    if (last && !last.includes("${{") && !last.includes("}}") && /^[a-z0-9][\w.-]*$/.test(last)) return last;
  }
  return null;
}

export function ciDockerBuilds(jobs: readonly CiJob[]): CiDockerBuild[] {
  const out: CiDockerBuild[] = [];
  const add = (
    dockerfile: string | undefined,
    context: string | undefined,
    where: string,
    target?: string,
    image: string | null = null,
  ) => {
    const ctx = normalizeDir(context && !context.includes("${{") ? context : ".");
    const file =
      dockerfile && !dockerfile.includes("${{") ? normalizeDir(dockerfile) : joinPath(ctx, "Dockerfile");
    const stage = target && !target.includes("${{") ? target : null;
    const known = out.find((b) => b.dockerfile === file && b.target === stage);
    if (known) known.image ??= image;
    else out.push({ dockerfile: file, context: ctx, target: stage, image, where });
  };
  for (const job of jobs) {
    const meta = job.steps.find((s) => s.uses?.endsWith("docker/metadata-action"))?.with.images;
    for (const step of job.steps) {
      const where = `${job.file} (${job.id})`;
      if (step.uses?.endsWith("docker/build-push-action")) {
        const image = imageNameOf(step.with.tags ?? "") ?? (meta ? imageNameOf(meta) : null);
        add(step.with.file, step.with.context, where, step.with.target, image);
      }
      for (const { command, cwd } of step.run ? scriptCommands(step.run, ".") : []) {
        const m = /^docker (?:buildx )?build\b(.*)$/.exec(commandBody(command));
        if (!m) continue;
        const file = /(?:-f|--file)[ =](\S+)/.exec(m[1]!)?.[1]?.replace(/^["']|["']$/g, "");
        const words = m[1]!.trim().split(/\s+/);
        const context = words[words.length - 1];
        const target = /--target[ =](\S+)/.exec(m[1]!)?.[1];
        const tag = /(?:-t|--tag)[ =](\S+)/.exec(m[1]!)?.[1];
        add(
          file ? joinPath(cwd, file) : undefined,
          context ? joinPath(cwd, context) : cwd,
          where,
          target,
          tag ? imageNameOf(tag.replace(/^["']|["']$/g, "")) : null,
        );
      }
    }
  }
  return out;
}

/** What CI prepares before it installs: system packages, tools, corepack, submodules. */
export interface CiPreparation {
  systemPackages: string[];
  /** Tool installs and enables, as CI runs them (`go install …`, `corepack enable`). */
  tools: string[];
  submodules: boolean;
  /** Configuration copied from the project's samples (`cp .env.example .env`), and where. */
  configCopies: Array<{ command: string; cwd: string }>;
}

/** A file kept as a sample to copy: `.env.example`, `config.sample.ini`, `.env-example.test`. */
const SAMPLE_FILE = /(^|[./_-])(example|sample|dist|template|tmpl|default)([./_-]|$)/i;

export function ciPreparation(jobs: readonly CiJob[]): CiPreparation {
  const prep: CiPreparation = { systemPackages: [], tools: [], submodules: false, configCopies: [] };
  for (const job of jobs) {
    if (!job.checksChanges) continue;
    for (const step of job.steps) {
      if (
        step.uses?.endsWith("actions/checkout") &&
        step.with.submodules &&
        step.with.submodules !== "false"
      ) {
        prep.submodules = true;
      }
      const cwd = step.workingDirectory ?? job.workingDirectory ?? ".";
      for (const { command, cwd: dir } of step.run ? scriptCommands(step.run, cwd) : []) {
        const body = commandBody(command);
        if (/^git submodule (update|init)\b/.test(body)) prep.submodules = true;
        const copy = /^cp\s+(?:-[a-z]+\s+)*(\S+)\s+(\S+)$/.exec(body);
        if (copy && SAMPLE_FILE.test(copy[1]!.split("/").pop()!) && !copy[2]!.includes("$")) {
          if (!prep.configCopies.some((c) => c.command === body && c.cwd === dir))
            prep.configCopies.push({ command: body, cwd: dir });
          continue;
        }
        const apt = /^(?:apt-get|apt) install\b(.*)$/.exec(body);
        if (apt) {
          for (const word of apt[1]!.split(/\s+/)) {
            if (word && !word.startsWith("-") && !prep.systemPackages.includes(word))
              prep.systemPackages.push(word);
          }
          continue;
        }
        const tool =
          /^(corepack enable\b.*|go install \S+|cargo (?:b?install) .+|pipx install \S+|npm (?:i|install) (?:-g|--global) .+|pip3? install (?!-r|-e|\.)[\w.=<>-]+(?: [\w.=<>-]+)*)$/.exec(
            body,
          );
        if (tool && !prep.tools.includes(tool[1]!)) prep.tools.push(tool[1]!);
      }
    }
  }
  return prep;
}

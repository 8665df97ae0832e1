import type { Language } from "../config/schema.js";
import type { CommandKind } from "./command-kinds.js";
import type { ProjectFiles } from "./files.js";
import { isRecord } from "./values.js";

/**
 * Targets of the task runners a repository keeps its own commands in: Makefile, Taskfile and
 * justfile. A target named for a job (`make test`) is how the project itself runs it.
 */
export interface RunnerTarget {
  /** The command that runs it, e.g. `make test` or `task py:lint`. */
  command: string;
  /** The file it is defined in. */
  file: string;
  /** The recipe's text, to tell a browser suite or a no-op from the real thing. */
  recipe: string;
  /** Make targets with no recipe of their own: the targets they run. */
  prerequisites?: string[];
  /** Every prerequisite of a Make target, recipe or not. */
  dependsOn?: string[];
}

/** The server side's own targets, where the plain name also runs the front end's (`build: build-server build-ui`). */
const SERVER_SIDE = (job: string) => ["server", "backend", "api"].map((side) => `${job}-${side}`);

/** Target names that do one job, most specific first; namespaced Taskfile names match by their last part. */
const NAMES: Readonly<Record<CommandKind, readonly string[]>> = {
  install: ["install", "deps", "setup"],
  lint: ["lint", "check-lint", "lint-check", ...SERVER_SIDE("lint")],
  typecheck: ["typecheck", "type-check", "types", "mypy", "check-types"],
  test: ["test", "tests", "unit-test", "test-unit", "unit", ...SERVER_SIDE("test")],
  build: ["build", "dist", "compile", ...SERVER_SIDE("build")],
};

/** Namespaces of task names (`py:test`) that belong to an app of each language. */
const NAMESPACES: Readonly<Record<Language, RegExp>> = {
  node: /^(js|ts|node|web|ui|frontend|client|app)$/,
  python: /^(py|python|backend|api|server|app)$/,
  go: /^(go|backend|api|server|app)$/,
  rust: /^(rs|rust|cargo|backend|api|server|app)$/,
  java: /^(java|jvm|backend|api|server|app)$/,
};

export async function runnerTargets(
  files: ProjectFiles,
  dir = ".",
  language: Language | null = null,
): Promise<Map<CommandKind, RunnerTarget>> {
  const prefix = dir === "." ? "" : `${dir}/`;
  const defined: RunnerTarget[] = [];
  for (const name of ["Makefile", "makefile", "GNUmakefile"]) {
    const text = await files.text(`${prefix}${name}`);
    if (text !== null) defined.push(...makeTargets(text, `${prefix}${name}`));
  }
  for (const name of ["Taskfile.yml", "Taskfile.yaml", "taskfile.yml"]) {
    defined.push(...(await taskfileTargets(files, `${prefix}${name}`, "")));
  }
  for (const name of ["justfile", "Justfile", ".justfile"]) {
    const text = await files.text(`${prefix}${name}`);
    if (text !== null) defined.push(...justTargets(text, `${prefix}${name}`));
  }
  const chosen = new Map<CommandKind, RunnerTarget>();
  for (const [kind, names] of Object.entries(NAMES) as Array<[CommandKind, readonly string[]]>) {
    for (const name of names) {
      const target = defined.find((t) => lastPart(t.command) === name && ownNamespace(t.command, language));
      if (
        target &&
        !/^\s*(@?echo|@?true|:)\b/.test(target.recipe.trim()) &&
        !onlyContainers(target.recipe) &&
        !mixesJobs(target, kind) &&
        !(kind === "install" && installsTheBuild(target))
      ) {
        chosen.set(kind, target);
        break;
      }
    }
  }
  return chosen;
}

/**
 * A target that only runs others, one of which is another job (`test: unit-tests lint`) or
 * another app's (`frontend-unit-tests`): CI runs those as their own jobs, so it is not this one.
 */
function mixesJobs(target: RunnerTarget, kind: CommandKind): boolean {
  return (target.prerequisites ?? []).some(
    (name) =>
      /(^|[-_])(frontend|front|ui|web|client|js)([-_]|$)/.test(name) ||
      (Object.entries(NAMES) as Array<[CommandKind, readonly string[]]>).some(
        ([other, names]) => other !== kind && other !== "install" && names.includes(name),
      ),
  );
}

/**
 * `install: build` installs what the build made (a binary into a prefix, the app's first-run
 * set-up): dependencies come before a build, not after it.
 */
function installsTheBuild(target: RunnerTarget): boolean {
  return (target.dependsOn ?? []).some((name) => NAMES.build.includes(name));
}

/** A recipe that only builds or starts containers is the image's job, not a CI check's. */
function onlyContainers(recipe: string): boolean {
  const lines = recipe
    .split("\n")
    .map((l) => l.trim().replace(/^[@-]+/, ""))
    .filter(Boolean);
  return lines.length > 0 && lines.every((l) => /^(docker|docker-compose|podman)\b/.test(l));
}

/** `task py:test` is a Python app's; `task ui:build` is not. Un-namespaced names are everyone's. */
function ownNamespace(command: string, language: Language | null): boolean {
  const parts = command.split(" ").pop()!.split(":");
  if (parts.length < 2) return true;
  return language !== null && NAMESPACES[language].test(parts[0]!);
}

function lastPart(command: string): string {
  return command.split(" ").pop()!.split(":").pop()!;
}

export function makeTargets(text: string, file: string): RunnerTarget[] {
  const out: RunnerTarget[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z0-9][\w.-]*)\s*:(?!=)(.*)$/.exec(lines[i]!);
    if (!m || m[1]!.startsWith(".")) continue;
    const recipe: string[] = [];
    for (let j = i + 1; j < lines.length && /^\t/.test(lines[j]!); j++) recipe.push(lines[j]!.trim());
    // A target with only prerequisites runs them: its recipe is their names.
    const dependsOn = m[2]!.replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean);
    const prerequisites = recipe.length ? [] : dependsOn;
    out.push({
      command: `make ${m[1]}`,
      file,
      recipe: recipe.join("\n") || m[2]!.trim(),
      prerequisites,
      dependsOn,
    });
  }
  return out;
}

function justTargets(text: string, file: string): RunnerTarget[] {
  const out: RunnerTarget[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^@?([A-Za-z0-9][\w-]*)(\s+[^:=]*)?:(?!=)/.exec(lines[i]!);
    if (!m) continue;
    const recipe: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!); j++) recipe.push(lines[j]!.trim());
    out.push({ command: `just ${m[1]}`, file, recipe: recipe.join("\n") });
  }
  return out;
}

/** Tasks of a Taskfile and, one level down, of the Taskfiles it includes under a namespace. */
async function taskfileTargets(
  files: ProjectFiles,
  path: string,
  namespace: string,
): Promise<RunnerTarget[]> {
  const doc = await files.yaml(path);
  if (!isRecord(doc)) return [];
  const out: RunnerTarget[] = [];
  for (const [name, task] of Object.entries(isRecord(doc.tasks) ? doc.tasks : {})) {
    const cmds = isRecord(task) && Array.isArray(task.cmds) ? task.cmds : Array.isArray(task) ? task : [];
    const recipe = cmds.map((c) =>
      typeof c === "string" ? c : isRecord(c) ? String(c.cmd ?? c.task ?? "") : "",
    );
    out.push({ command: `task ${namespace}${name}`, file: path, recipe: recipe.join("\n") });
  }
  if (namespace === "") {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
    for (const [ns, include] of Object.entries(isRecord(doc.includes) ? doc.includes : {})) {
      const file = typeof include === "string" ? include : isRecord(include) ? include.taskfile : undefined;
      if (typeof file !== "string") continue;
      const target = /\.ya?ml$/.test(file) ? file : `${file.replace(/\/$/, "")}/Taskfile.yml`;
      out.push(...(await taskfileTargets(files, `${dir}${target.replace(/^\.\//, "")}`, `${ns}:`)));
    }
  }
  return out;
}

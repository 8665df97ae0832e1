import type { Language } from "../config/schema.js";
import type { CiCommand } from "./ci-commands.js";
import { COMMAND_KINDS, type CommandKind, isFormatCheck, suitsApp } from "./command-kinds.js";
import type { RunnerTarget } from "./task-runners.js";

/** A command for one CI job and where it came from; `sure` is false for a convention nobody wrote down. */
export interface CommandChoice {
  command: string;
  source: string;
  sure: boolean;
  /** The CI job it was taken from, when it was. */
  ciJob?: CiCommand["job"];
}

export interface EcosystemCommand {
  command: string;
  /** `package.json script "test"`, `pyproject.toml [tool.ruff]`; null for a convention. */
  source: string | null;
}

/** Words in a job's id or name that say which of the five it is. */
const JOB_WORDS: Readonly<Record<CommandKind, RegExp>> = {
  install: /./,
  lint: /lint|style|format|code-?quality|pre-commit/i,
  typecheck: /type|tsc|mypy|pyright/i,
  test: /test|spec|unit|coverage/i,
  build: /build|compile|dist/i,
};

/** CI commands that run for this app: in its folder, with its tools, in a job that sets up its runtime. */
export function appCommands(
  ci: readonly CiCommand[],
  app: { path: string; language: Language | null; packageManager: string | null },
): CiCommand[] {
  return ci.filter(
    (c) =>
      (c.cwd === app.path || (c.kind === "install" && isWithin(app.path, c.cwd))) &&
      (app.language === null ||
        (suitsApp(c.command, { language: app.language, packageManager: app.packageManager }) &&
          (c.languages.length === 0 || c.languages.includes(app.language)))),
  );
}

/**
 * Picks each job's command, most trusted first: what CI runs in a job named for it; the
 * package script named for it; a Makefile/Taskfile target named for it; what CI runs
 * elsewhere; what the ecosystem's configuration implies; its convention. Browser suites never
 * become the test job; end-to-end suites and formatting checks only when nothing else is there.
 */
export function chooseCommands(options: {
  /** The app's CI commands (appCommands). */
  ci: readonly CiCommand[];
  targets: ReadonlyMap<CommandKind, RunnerTarget>;
  ecosystem: Partial<Record<CommandKind, EcosystemCommand>>;
}): Partial<Record<CommandKind, CommandChoice>> {
  const out: Partial<Record<CommandKind, CommandChoice>> = {};
  for (const kind of COMMAND_KINDS) {
    const candidates = options.ci.filter((c) => c.kind === kind && !(kind === "test" && c.browser));
    const ranked = rank(candidates, kind);
    const named = ranked.find(
      (c) =>
        JOB_WORDS[kind].test(`${c.job.file.split("/").pop()} ${c.job.id} ${c.job.name}`) &&
        !secondBest(c, kind),
    );
    const target = options.targets.get(kind);
    const own = options.ecosystem[kind];
    const fromCi = (c: CiCommand): CommandChoice => ({
      command: c.command,
      source: `${c.job.file} (job ${c.job.id})`,
      sure: true,
      ciJob: c.job,
    });
    // A package script is the project's own name for the job; a Makefile beside it often wraps other things.
    const script = own?.source?.startsWith("package.json script") ? own : undefined;
    if (named) out[kind] = fromCi(named);
    else if (script) out[kind] = { command: script.command, source: script.source!, sure: true };
    else if (target) out[kind] = { command: target.command, source: target.file, sure: true };
    else if (ranked[0]) out[kind] = fromCi(ranked[0]);
    else if (own?.source) out[kind] = { command: own.command, source: own.source, sure: true };
    else if (own) out[kind] = { command: own.command, source: "the usual command", sure: false };
  }
  return out;
}

export function isWithin(path: string, dir: string): boolean {
  return dir === "." || path === dir || path.startsWith(`${dir}/`);
}

/** End-to-end suites as tests and formatting checks as lint are taken only when nothing better exists. */
function secondBest(c: CiCommand, kind: CommandKind): boolean {
  return (kind === "test" && c.endToEnd) || (kind === "lint" && isFormatCheck(c.command));
}

/** Better candidates first: not second best, then run by the most jobs, then in file order. */
function rank(candidates: readonly CiCommand[], kind: CommandKind): CiCommand[] {
  const jobs = new Map<string, Set<string>>();
  for (const c of candidates) {
    const set = jobs.get(c.command) ?? new Set<string>();
    set.add(`${c.job.file}#${c.job.id}`);
    jobs.set(c.command, set);
  }
  return candidates
    .map((c, i) => ({ c, i }))
    .sort(
      (a, b) =>
        Number(secondBest(a.c, kind)) - Number(secondBest(b.c, kind)) ||
        jobs.get(b.c.command)!.size - jobs.get(a.c.command)!.size ||
        a.i - b.i,
    )
    .map(({ c }) => c);
}

import {
  commandWords,
  type JobScriptLine,
  jobScriptLines,
  scriptOffset,
  shellCommands,
} from "../classify.js";
import { expressionChoices } from "../deploy-model.js";
import { memoByObject } from "../memo.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { defineRule, type Fix, type RuleContext } from "../types.js";

/** Options of npm, yarn, pnpm and pip that take a separate value (`--prefix dir`), so the value is not a package. */
const VALUE_OPTIONS: Record<string, Set<string>> = {
  npm: new Set([
    "--prefix",
    "--registry",
    "--cache",
    "--loglevel",
    "--workspace",
    "-w",
    "--omit",
    "--include",
  ]),
  yarn: new Set([
    "--cwd",
    "--modules-folder",
    "--cache-folder",
    "--network-timeout",
    "--mutex",
    "--registry",
  ]),
  pnpm: new Set(["--filter", "-F", "--dir", "-C", "--reporter", "--store-dir", "--registry"]),
  pip: new Set([
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--src",
    "--upgrade-strategy",
    "-C",
    "--config-settings",
    "--log",
    "--cache-dir",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--exists-action",
    "--python",
  ]),
};

/** Flags `npm ci` accepts with the same meaning as on `npm install`: only then is the swap mechanical. */
const CI_FLAGS = new Set([
  "--no-audit",
  "--no-fund",
  "--ignore-scripts",
  "--prefer-offline",
  "--legacy-peer-deps",
  "--omit=dev",
]);

/** Packaging tools themselves: upgrading them does not change what the project runs. */
const PIP_TOOLING = new Set(["pip", "setuptools", "wheel"]);

interface Split {
  tool: string;
  positional: string[];
  flags: string[];
}

/** Splits the words after the program into flags and positional arguments. */
function split(tool: string, words: string[]): Split {
  const takesValue = VALUE_OPTIONS[tool] ?? new Set<string>();
  const positional: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("-")) {
      flags.push(word);
      if (takesValue.has(word)) i++;
    } else positional.push(word);
  }
  return { tool, positional, flags };
}

interface Problem {
  message: string;
  /** Where the command starts, as written. */
  needle: string;
  fixable: boolean;
  /**
   * Named packages without versions (`pip install coveralls`) float those packages; the rest of
   * the dependencies keep their lock. An install that re-resolves the whole tree is the error.
   */
  severity?: "warning";
}

export function installProblem(
  command: string,
  env: (name: string) => string | undefined,
): Problem | undefined {
  const words = commandWords(command);
  const program = words[0] ?? "";
  if (program === "npm") {
    const { positional, flags } = split("npm", words.slice(1));
    if (!/^(install|i|add)$/.test(positional[0] ?? "")) return undefined;
    // With package names it is an ad-hoc install of a tool (`npm install -g foo`), not the project's dependencies.
    if (positional.length > 1 || flags.some((f) => /^(-g|--global)$/.test(f))) return undefined;
    return {
      needle: `npm ${positional[0]}`,
      fixable: positional[0] !== "add" && flags.every((f) => CI_FLAGS.has(f)),
      message: `npm ${positional[0]} resolves versions again and may rewrite package-lock.json, so CI can test one dependency tree and ship another: use npm ci, which installs exactly the lockfile and fails when it is out of date`,
    };
  }
  if (program === "yarn") {
    const { positional, flags } = split("yarn", words.slice(1));
    if (positional.length > 1 || (positional.length === 1 && positional[0] !== "install")) return undefined;
    if (flags.some((f) => /^(--(frozen-lockfile|immutable|version|help)|-v|-h)$/.test(f))) return undefined;
    if (/^(true|1)$/i.test(env("YARN_ENABLE_IMMUTABLE_INSTALLS") ?? "")) return undefined;
    return {
      needle: positional.length ? "yarn install" : "yarn",
      fixable: false,
      message: `${positional.length ? "yarn install" : "yarn"} without --frozen-lockfile (classic) or --immutable (berry) may update yarn.lock instead of failing when it is stale: add the flag so CI installs exactly what was reviewed`,
    };
  }
  if (program === "pnpm") {
    const { positional, flags } = split("pnpm", words.slice(1));
    if (!/^(install|i)$/.test(positional[0] ?? "") || positional.length > 1) return undefined;
    // GitHub's runners set CI=true, and pnpm then freezes the lockfile by itself: only turning
    // that off explicitly lets it drift.
    if (!flags.some((f) => /^(--no-frozen-lockfile|--frozen-lockfile=false)$/.test(f))) return undefined;
    return {
      needle: `pnpm ${positional[0]}`,
      fixable: false,
      message: `pnpm ${positional[0]} with --no-frozen-lockfile may update pnpm-lock.yaml instead of failing when it is stale (pnpm freezes it in CI unless told not to): drop the flag so CI installs exactly what was reviewed`,
    };
  }
  const pip = pipArguments(words);
  if (pip) {
    const { positional, flags } = split("pip", pip.args);
    if (positional[0] !== "install") return undefined;
    // Requirement and constraint files, editable and local installs carry their own versions.
    if (flags.some((f) => /^(-r|--requirement|-c|--constraint|-e|--editable)(=|$)/.test(f))) return undefined;
    const unpinned = positional
      .slice(1)
      .filter((p) => !/==/.test(p) && !/^[.~/$]|[/@$]|:\/\/|\.(whl|zip|tar\.gz)$/.test(p))
      .filter((p) => !PIP_TOOLING.has(p.toLowerCase().replace(/\[.*$/, "")));
    if (!unpinned.length) return undefined;
    return {
      needle: pip.needle,
      fixable: false,
      severity: "warning",
      message: `pip install of ${unpinned.join(", ")} without an exact version installs whatever is newest on the day the job runs: pin it (${unpinned[0]!.replace(/[<>=~!].*$/, "")}==<version>) or install from a locked requirements file`,
    };
  }
  return undefined;
}

/** `pip …`, `pip3 …` and `python -m pip …`: the arguments after the program. */
function pipArguments(words: string[]): { args: string[]; needle: string } | undefined {
  if (/^pip(3(\.\d+)?)?$/.test(words[0] ?? "")) return { args: words.slice(1), needle: words[0]! };
  if (/^(python(3(\.\d+)?)?|py)$/.test(words[0] ?? "") && words[1] === "-m" && words[2] === "pip")
    return { args: words.slice(3), needle: words[0]! };
  return undefined;
}

export const nonDeterministicInstall = defineRule({
  meta: {
    id: "non-deterministic-install",
    name: "Dependency install that ignores the lockfile",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports `npm install` without package names, `yarn install` without `--frozen-lockfile`/`--immutable`, `pnpm install --no-frozen-lockfile` and `pip install` of packages without an exact version in workflow scripts.",
    fixable: true,
  },
  job: reportInstalls,
  // A composite action's install runs in every job that uses it.
  action: reportInstalls,
});

function reportInstalls(job: Job, ctx: RuleContext) {
  const lines = jobScriptLines(job, ctx.workflow.source.text);
  for (const line of lines) {
    for (const command of shellCommands(line.text)) {
      const env = (name: string) => envOf(name, line, job, ctx.workflow);
      // `npm ${{ main && 'ci' || 'install' }}`: each command the expression can make.
      for (const variant of variants(command.text)) {
        const problem = installProblem(variant, env);
        if (!problem) continue;
        // Only the command as written can be rewritten.
        const fixable = problem.fixable && variant === command.text;
        report(ctx, job, line, command.text, { ...problem, fixable }, lines);
        break;
      }
    }
  }
}

/**
 * A command with each expression that only chooses between literals (`cond && 'ci' || 'install'`)
 * replaced by each of them; an expression with another value (`matrix.pkg || 'x'`) stays a word.
 */
function variants(command: string): string[] {
  const out = [command];
  for (const m of command.matchAll(/\$\{\{([^}]*)\}\}/g)) {
    if (!TERNARY.test(m[1]!)) continue;
    out.push(...expressionChoices(m[1]!).map((choice) => command.replace(m[0], choice)));
  }
  return out;
}
const TERNARY = /&&\s*'[^']*'\s*\|\|\s*'[^']*'\s*$/;

function envOf(name: string, line: JobScriptLine, job: Job, workflow: Workflow): string | undefined {
  return (line.step.env.get(name) ?? job.env.get(name) ?? workflow.env.get(name))?.value;
}

function report(
  ctx: RuleContext,
  job: Job,
  line: JobScriptLine,
  command: string,
  problem: Problem,
  lines: JobScriptLine[],
) {
  const source = ctx.workflow.source;
  const node = line.step.run!.node;
  const at = scriptOffset(source.text, line, command);
  const region =
    at === undefined ? source.regionIn(node, problem.needle) : source.regionOf(at, at + command.length);
  ctx.report({
    node,
    region,
    key: `${job.id}: ${command.replace(/\s+/g, " ")}`,
    message: problem.message,
    ...(problem.severity ? { severity: problem.severity } : {}),
    fix: problem.fixable ? npmCiFix(source.text, line, command, lines) : undefined,
  });
}

/**
 * `npm install` → `npm ci`, only when the step's whole script is that one command: then the
 * only change is that the lockfile is used as written (the project must commit one).
 */
function npmCiFix(
  text: string,
  line: JobScriptLine,
  command: string,
  lines: JobScriptLine[],
): Fix | undefined {
  const alone = line.text === command && linesPerStep(lines).get(line.step) === 1;
  const at = scriptOffset(text, line, command);
  if (!alone || at === undefined) return undefined;
  const match = /^npm\s+(install|i)\b/.exec(text.slice(at));
  if (!match) return undefined;
  return {
    description: `replace ${match[0]} with npm ci`,
    safe: true,
    edits: [{ start: at, end: at + match[0].length, text: "npm ci" }],
  };
}

/** How many script lines each step has: counted once per job, not once per finding. */
const linesPerStep = memoByObject((lines: JobScriptLine[]) => {
  const counts = new Map<Step, number>();
  for (const l of lines) counts.set(l.step, (counts.get(l.step) ?? 0) + 1);
  return counts;
});

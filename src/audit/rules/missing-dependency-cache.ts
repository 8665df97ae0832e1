import { commandWords, jobScriptLines, shellCommands } from "../classify.js";
import type { Step } from "../model/workflow.js";
import { firstAbove } from "../sorted.js";
import { defineRule } from "../types.js";

type Ecosystem = "node" | "python" | "java" | "go";

const SETUP: Record<string, Ecosystem> = {
  "actions/setup-node": "node",
  "actions/setup-python": "python",
  "actions/setup-java": "java",
  "actions/setup-go": "go",
};

/** Actions that cache by themselves. */
const CACHING_ACTIONS =
  /^(actions\/cache(\/(restore|save))?|gradle\/actions\/setup-gradle|gradle\/gradle-build-action|bahmutov\/npm-install)$/i;

/** The positional words of a command (flags dropped). */
function positional(words: string[]): string[] {
  return words.filter((w) => !w.startsWith("-"));
}

/**
 * A command that installs the project's dependencies (what the setup action's cache is keyed
 * on), as opposed to one ad-hoc tool (`npm install -g x`, `pip install ruff`), for which the
 * cache option would find no lockfile. Returns the manager, for the advice.
 */
function projectInstall(ecosystem: Ecosystem, command: string): string | undefined {
  const words = commandWords(command);
  const [program] = words;
  const args = positional(words.slice(1));
  if (ecosystem === "node") {
    if (
      program === "npm" &&
      /^(ci|install|i)$/.test(args[0] ?? "") &&
      args.length === 1 &&
      !words.includes("-g")
    )
      return "npm";
    if (program === "yarn" && (args.length === 0 || (args[0] === "install" && args.length === 1)))
      return "yarn";
    if (program === "pnpm" && /^(install|i)$/.test(args[0] ?? "") && args.length === 1) return "pnpm";
  }
  if (ecosystem === "python") {
    if (program === "poetry" && args[0] === "install") return "poetry";
    if (program === "pipenv" && /^(install|sync)$/.test(args[0] ?? "")) return "pipenv";
    const pip = /^pip(3(\.\d+)?)?$/.test(program ?? "")
      ? words.slice(1)
      : /^python(3(\.\d+)?)?$/.test(program ?? "") && words[1] === "-m" && words[2] === "pip"
        ? words.slice(3)
        : undefined;
    // Upgrading pip itself fetches one wheel; anything else fills pip's download cache.
    if (pip?.[0] === "install" && positional(pip.slice(1)).some((w) => !/^(pip|setuptools|wheel)$/i.test(w)))
      return "pip";
    if (pip?.[0] === "install" && pip.some((w) => /^(-r|--requirement|-e|--editable)/.test(w))) return "pip";
  }
  if (ecosystem === "java") {
    if (/^(\.\/)?mvnw?$/.test(program ?? "")) return "maven";
    if (/^(\.\/)?gradlew?$/.test(program ?? "")) return "gradle";
  }
  if (
    ecosystem === "go" &&
    program === "go" &&
    /^(mod|build|test|install|vet|run|generate)$/.test(args[0] ?? "")
  )
    return "go";
  return undefined;
}

/** Whether the setup step caches. setup-go caches by default from v4; setup-go v1–v3 never by default. */
function caches(step: Step, ecosystem: Ecosystem): boolean {
  const cache = step.with.get("cache")?.value.trim() ?? "";
  if (ecosystem !== "go") return cache !== "" && cache !== "false";
  if (/^v?[123](\.|$)/.test(step.uses?.ref ?? "")) return cache === "true";
  return cache !== "false";
}

const ADVICE: Record<string, string> = {
  npm: "add cache: npm to the setup-node inputs",
  yarn: "add cache: yarn to the setup-node inputs",
  pnpm: "add cache: pnpm to the setup-node inputs (after pnpm/action-setup)",
  pip: "add cache: pip to the setup-python inputs",
  poetry: "add cache: poetry to the setup-python inputs (after installing poetry)",
  pipenv: "add cache: pipenv to the setup-python inputs",
  maven: "add cache: maven to the setup-java inputs",
  gradle: "add cache: gradle to the setup-java inputs (or use gradle/actions/setup-gradle)",
  go: "remove cache: false (setup-go caches the module and build caches by default)",
};

export const missingDependencyCache = defineRule({
  meta: {
    id: "missing-dependency-cache",
    name: "Dependencies downloaded on every run",
    severity: "note",
    confidence: "high",
    category: "performance",
    description:
      "Reports `actions/setup-node`, `setup-python`, `setup-java` and `setup-go` steps followed by a dependency install in the same job, with the action's cache absent or disabled and no `actions/cache` step.",
    fixable: false,
  },
  job(job, ctx) {
    if (job.steps.some((s) => CACHING_ACTIONS.test(s.uses?.raw.split("@")[0] ?? ""))) return;
    const lines = jobScriptLines(job, ctx.workflow.source.text);
    // Each ecosystem's installs, in order, read once: a job of many setup steps reads its scripts once.
    const installs = new Map<Ecosystem, Array<{ step: number; manager: string }>>();
    const installsOf = (ecosystem: Ecosystem) => {
      let list = installs.get(ecosystem);
      if (!list) {
        list = lines.flatMap((line) => {
          for (const command of shellCommands(line.text)) {
            const manager = projectInstall(ecosystem, command.text);
            if (manager) return [{ step: line.step.index, manager }];
          }
          return [];
        });
        installs.set(ecosystem, list);
      }
      return list;
    };
    for (const setup of job.steps) {
      const ecosystem = SETUP[setup.uses?.raw.split("@")[0]?.toLowerCase() ?? ""];
      if (!ecosystem || caches(setup, ecosystem)) continue;
      const later = installsOf(ecosystem);
      const manager = later[firstAbove(later, setup.index, (install) => install.step)]?.manager;
      if (!manager) continue;
      const disabled = setup.with.has("cache");
      ctx.report({
        node: disabled ? setup.with.get("cache")!.node : setup.uses!.node,
        key: `${job.id}: ${setup.uses!.raw.split("@")[0]}`,
        message: `${setup.uses!.raw.split("@")[0]} ${disabled ? "has its cache disabled" : "has no cache input"} and job "${job.id}" installs dependencies with ${manager}: every run downloads all of them again. ${ADVICE[manager]![0]!.toUpperCase()}${ADVICE[manager]!.slice(1)}, or restore them with actions/cache`,
      });
    }
  },
});

import { type Dependency, type EcosystemDetection, emptyEcosystem, leadingVersion } from "./ecosystem.js";
import type { ProjectFiles } from "./files.js";
import { coverageForScript } from "./node-coverage.js";
import { isRecord, stringArray, stringRecord } from "./values.js";

type NodeManager = "npm" | "pnpm" | "yarn" | "bun";

const LOCKFILES: ReadonlyArray<readonly [string, NodeManager]> = [
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lockb", "bun"],
  ["bun.lock", "bun"],
];

const TYPECHECK_SCRIPTS = ["typecheck", "type-check", "tsc", "check-types"];

/** Reads package.json, the lockfile and the version files of a Node project. */
export async function detectNode(files: ProjectFiles): Promise<EcosystemDetection | null> {
  if (!(await files.exists("package.json"))) return null;
  // A malformed package.json still marks a Node project; files.json has already noted it.
  const pkg = (await files.json("package.json")) ?? {};
  const result: EcosystemDetection = { ...emptyEcosystem(), language: "node", manifest: "package.json" };
  const { notes, commands } = result;

  const declared = declaredManager(pkg.packageManager);
  const found: Array<readonly [string, NodeManager]> = [];
  for (const entry of LOCKFILES) if (await files.exists(entry[0])) found.push(entry);
  const chosen = found.find(([, manager]) => manager === declared?.name) ?? found[0];
  const manager: NodeManager = chosen?.[1] ?? declared?.name ?? "npm";
  result.packageManager = manager;
  result.lockfile = chosen?.[0] ?? null;
  if (new Set(found.map(([, m]) => m)).size > 1) {
    notes.push(
      `Found lockfiles of several package managers (${found.map(([f]) => f).join(", ")}); using ${manager}.`,
    );
  }
  if (!chosen) {
    notes.push(
      `No lockfile found; \`${manager} install\` will not install reproducibly until one is committed.`,
    );
  }

  const berry =
    manager === "yarn" &&
    ((await files.exists(".yarnrc.yml")) || (declared?.name === "yarn" && declared.major >= 2));
  commands.install = installCommand({ manager, locked: chosen !== undefined, berry });

  const scripts = stringRecord(pkg.scripts);
  const run = (script: string) => runScript({ manager, script });
  if (scripts.lint) commands.lint = run("lint");
  const typecheck = TYPECHECK_SCRIPTS.find((s) => scripts[s]);
  if (typecheck) commands.typecheck = run(typecheck);

  const deps = { ...stringRecord(pkg.dependencies), ...stringRecord(pkg.devDependencies) };
  const testScript = scripts.test;
  if (testScript && !/no test specified/.test(testScript)) {
    const runner = runnerFromScript(testScript) ?? runnerFromDependencies(deps);
    result.testRunner = runner;
    const coverage =
      runner === "jest" || runner === "vitest"
        ? await coverageForScript({ files, runner, script: testScript, jestConfig: pkg.jest, deps })
        : null;
    commands.test = coverage?.args.length
      ? withArgs({ manager, command: run("test"), args: coverage.args })
      : run("test");
    result.coverageReport = coverage?.report ?? null;
    if (coverage) notes.push(...coverage.notes);
    else
      notes.push(
        "The test script writes no coverage report shipgate recognises; set ci.coverage.report if it does.",
      );
  }
  if (scripts.build) commands.build = run("build");
  if (scripts.start) result.start = run("start");
  else if (typeof pkg.main === "string") result.start = `node ${pkg.main}`;

  Object.assign(result, await nodeVersion({ files, engines: pkg.engines }));
  result.name = typeof pkg.name === "string" ? pkg.name : null;
  result.workspaces = await workspaces({ files, manager, declared: pkg.workspaces });
  result.dependencies = await dependencies({ files, root: deps, members: result.workspaces?.members ?? [] });
  return result;
}

function declaredManager(field: unknown): { name: NodeManager; major: number } | null {
  const m = typeof field === "string" ? /^(npm|pnpm|yarn|bun)@(\d+)/.exec(field) : null;
  return m ? { name: m[1] as NodeManager, major: Number(m[2]) } : null;
}

function installCommand(options: { manager: NodeManager; locked: boolean; berry: boolean }): string {
  const { manager, locked, berry } = options;
  if (!locked) return `${manager} install`;
  switch (manager) {
    case "npm":
      return "npm ci";
    case "yarn":
      return berry ? "yarn install --immutable" : "yarn install --frozen-lockfile";
    default:
      return `${manager} install --frozen-lockfile`;
  }
}

/** `bun test` would run Bun's own test runner instead of the script, so Bun always says `run`. */
function runScript(options: { manager: NodeManager; script: string }): string {
  const { manager, script } = options;
  if (manager === "yarn") return `yarn ${script}`;
  if (manager !== "bun" && (script === "test" || script === "start")) return `${manager} ${script}`;
  return `${manager} run ${script}`;
}

/** npm needs `--` to pass flags to the script; pnpm, yarn and bun pass them on as they are. */
function withArgs(options: { manager: NodeManager; command: string; args: string[] }): string {
  const { manager, command, args } = options;
  return `${command}${manager === "npm" ? " --" : ""} ${args.join(" ")}`;
}

function runnerFromScript(script: string): string | null {
  if (/\bvitest\b/.test(script)) return "vitest";
  if (/\bjest\b/.test(script)) return "jest";
  if (/\bmocha\b/.test(script)) return "mocha";
  if (/\bnode\b[^&|;]*\s--test\b/.test(script)) return "node";
  if (/\bbun test\b/.test(script)) return "bun";
  return null;
}

function runnerFromDependencies(deps: Record<string, string>): string | null {
  return ["vitest", "jest", "mocha"].find((name) => Object.hasOwn(deps, name)) ?? null;
}

async function nodeVersion(options: {
  files: ProjectFiles;
  engines: unknown;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile">> {
  for (const file of [".nvmrc", ".node-version"]) {
    const pinned = (await options.files.text(file))?.trim().split(/\s/)[0]?.replace(/^v/, "");
    if (pinned) {
      const numeric = /^\d/.test(pinned) ? leadingVersion({ range: pinned, majorOnly: true }) : null;
      return { languageVersion: numeric ?? pinned, versionFile: file };
    }
  }
  const range = stringRecord(options.engines).node;
  return { languageVersion: range ? leadingVersion({ range, majorOnly: true }) : null, versionFile: null };
}

async function workspaces(options: {
  files: ProjectFiles;
  manager: NodeManager;
  declared: unknown;
}): Promise<EcosystemDetection["workspaces"]> {
  const pnpm = await options.files.yaml("pnpm-workspace.yaml");
  const pnpmPackages = stringArray(isRecord(pnpm) ? pnpm.packages : undefined);
  if (pnpmPackages.length) return { tool: "pnpm", members: pnpmPackages };
  const { declared } = options;
  const members = stringArray(isRecord(declared) ? declared.packages : declared);
  return members.length ? { tool: options.manager, members } : null;
}

async function dependencies(options: {
  files: ProjectFiles;
  root: Record<string, string>;
  members: string[];
}): Promise<Dependency[]> {
  const { files } = options;
  const found = Object.keys(options.root).map((name) => ({ name, file: "package.json" }));
  for (const dir of await files.members(options.members)) {
    const file = `${dir}/package.json`;
    const pkg = await files.json(file);
    if (!pkg) continue;
    const deps = { ...stringRecord(pkg.dependencies), ...stringRecord(pkg.devDependencies) };
    found.push(...Object.keys(deps).map((name) => ({ name, file })));
  }
  return found;
}

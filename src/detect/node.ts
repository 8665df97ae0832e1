import { isBrowserSuite, isEndToEnd } from "./command-kinds.js";
import {
  type Dependency,
  type EcosystemDetection,
  emptyEcosystem,
  leadingVersion,
  type ReaderContext,
  toolVersionsEntry,
} from "./ecosystem.js";
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

const TYPECHECK_SCRIPTS = [
  "typecheck",
  "type-check",
  "type:check",
  "types:check",
  "check-types",
  "check:types",
  "tsc",
  "types",
  "lint:types",
  "ts-check",
  "check-ts",
  "check:ts",
];
/** The test script CI should run: one made for CI first, then unit tests, then the plain one. */
const TEST_SCRIPTS = ["test:ci", "test:unit", "test-unit", "unit", "test"];
const START_SCRIPTS = ["start:prod", "start:production", "prod", "start"];

/** Server frameworks: a package that depends on one serves requests. */
const SERVER_DEPENDENCIES =
  /^(express|fastify|koa|@hapi\/hapi|hapi|@nestjs\/core|next|nuxt|@remix-run\/(serve|express|node)|@react-router\/(serve|node|express)|hono|@hono\/node-server|restify|@adonisjs\/core|sails|@sveltejs\/adapter-node|polka|h3|@feathersjs\/feathers|socket\.io|apollo-server|@apollo\/server|graphql-yoga|loopback|@loopback\/core)$/;
/** Front-end tool chains: without a server dependency, a package built with them ships static files. */
const FRONTEND_DEPENDENCIES =
  /^(react|react-dom|vue|svelte|@angular\/core|vite|webpack|parcel|@vitejs\/plugin-react|solid-js|preact|@sveltejs\/kit|astro|gatsby|@docusaurus\/core|storybook|@storybook\/react)$/;

/** Reads package.json, the lockfile and the version files of a Node project. */
export async function detectNode(
  files: ProjectFiles,
  context: ReaderContext = { ancestors: [] },
): Promise<EcosystemDetection | null> {
  if (!(await files.exists("package.json"))) return null;
  // A malformed package.json still marks a Node project; files.json has already noted it.
  const pkg = (await files.json("package.json")) ?? {};
  const result: EcosystemDetection = { ...emptyEcosystem(), language: "node", manifest: "package.json" };
  const { notes, commands, commandSources } = result;
  const up = [files, ...context.ancestors];

  const declared = await declaredManager(up);
  const found: Array<readonly [string, NodeManager, number]> = [];
  for (const [level, dir] of up.entries()) {
    for (const [file, manager] of LOCKFILES) if (await dir.exists(file)) found.push([file, manager, level]);
    if (found.length) break;
  }
  const chosen = found.find(([, manager]) => manager === declared?.name) ?? found[0];
  const manager: NodeManager = chosen?.[1] ?? declared?.name ?? "npm";
  result.packageManager = manager;
  result.lockfile = chosen ? `${"../".repeat(chosen[2])}${chosen[0]}` : null;
  result.packageManagerVersion = declared && declared.name === manager ? declared.version : null;
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

  let yarnrc = false;
  for (const dir of up) yarnrc ||= await dir.exists(".yarnrc.yml");
  const berry = manager === "yarn" && (yarnrc || (declared?.name === "yarn" && declared.major >= 2));
  result.yarnBerry = berry;
  commands.install = installCommand({ manager, locked: chosen !== undefined, berry });
  commandSources.install = chosen ? `${chosen[0]} (${manager})` : null;

  const scripts = stringRecord(pkg.scripts);
  result.scripts = scripts;
  const run = (script: string) => runScript({ manager, script });
  if (scripts.lint) {
    commands.lint = run("lint");
    commandSources.lint = 'package.json script "lint"';
  }
  // By a known name, by a name that says so (`do-typecheck`), else by what it runs:
  // `"check-ts": "tsc --noEmit"` checks types whatever it is called.
  const typecheck =
    TYPECHECK_SCRIPTS.find((s) => scripts[s]) ??
    Object.keys(scripts).find((s) => /type-?check/i.test(s)) ??
    Object.keys(scripts).find((s) => /^(vue-)?tsc\b[^&|;]*--noEmit\b[^&|;]*$/.test(scripts[s]!.trim()));
  if (typecheck) {
    commands.typecheck = run(typecheck);
    commandSources.typecheck = `package.json script "${typecheck}"`;
  }

  const deps = { ...stringRecord(pkg.dependencies), ...stringRecord(pkg.devDependencies) };
  const testScript = TEST_SCRIPTS.find((s) => scripts[s] && isUnitTestScript(s, scripts[s]!));
  if (scripts.test && !testScript && isBrowserSuite(scripts.test)) {
    notes.push(
      `The test script runs a browser suite (${scripts.test}); shipgate's test job runs unit tests, so none was set.`,
    );
  }
  if (testScript) {
    const text = scripts[testScript]!;
    const runner = runnerFromScript(text) ?? runnerFromDependencies(deps);
    result.testRunner = runner;
    const single = /^\s*(\w+=\S+\s+)*(npx\s+)?(jest|vitest)(\s+run)?(\s+[^&|;]*)?$/.test(text);
    const coverage =
      (runner === "jest" || runner === "vitest") && single
        ? await coverageForScript({ files, runner, script: text, jestConfig: pkg.jest, deps })
        : null;
    commands.test = coverage?.args.length
      ? withArgs({ manager, command: run(testScript), args: coverage.args })
      : run(testScript);
    commandSources.test = `package.json script "${testScript}"`;
    result.coverageReport = coverage?.report ?? null;
    if (coverage) notes.push(...coverage.notes);
    else
      notes.push(
        "The test script writes no coverage report shipgate recognises; set ci.coverage.report if it does.",
      );
  }
  // `build`, else the production build or the one named for the package (`build:etherpad`).
  const build = ["build", "build:prod", "build:production", `build:${pkg.name}`].find(
    (s) => typeof scripts[s] === "string",
  );
  if (build) {
    commands.build = run(build);
    commandSources.build = `package.json script "${build}"`;
  }
  const start = START_SCRIPTS.find((s) => scripts[s]);
  if (start) result.start = { command: run(start), source: `package.json script "${start}"` };
  else if (typeof pkg.main === "string" && Object.keys(deps).some((d) => SERVER_DEPENDENCIES.test(d)))
    result.start = { command: `node ${pkg.main}`, source: 'package.json "main"' };

  const server = Object.keys(deps).some((d) => SERVER_DEPENDENCIES.test(d));
  result.serves =
    server || Boolean(start && !/\b(vite|webpack|serve|http-server|storybook)\b/.test(scripts[start] ?? ""));
  result.frontend = !server && Object.keys(deps).some((d) => FRONTEND_DEPENDENCIES.test(d));

  Object.assign(result, await nodeVersion({ up, engines: pkg.engines }));
  result.name = typeof pkg.name === "string" ? pkg.name : null;
  result.workspaces = await workspaces({ files, manager, declared: pkg.workspaces });
  result.dependencies = await dependencies({ files, root: deps, members: result.workspaces?.members ?? [] });
  return result;
}

/** A test script that runs unit tests: not a browser suite, not named as end-to-end. */
function isUnitTestScript(name: string, text: string): boolean {
  if (/no test specified/.test(text)) return false;
  return !isBrowserSuite(text) && !isEndToEnd(name) && !/^\s*(echo|exit)\b/.test(text);
}

/** The nearest package.json that declares packageManager: members inherit the workspace root's. */
async function declaredManager(
  up: readonly ProjectFiles[],
): Promise<{ name: NodeManager; major: number; version: string } | null> {
  for (const dir of up) {
    const pkg = await dir.json("package.json");
    const field = pkg?.packageManager;
    const m = typeof field === "string" ? /^(npm|pnpm|yarn|bun)@(\d+)([\w.+-]*)/.exec(field) : null;
    if (m)
      return {
        name: m[1] as NodeManager,
        major: Number(m[2]),
        version: `${m[2]}${m[3]}`.replace(/\+.*$/, ""),
      };
  }
  return null;
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

/** .nvmrc or .node-version in the app or a folder above it, else the engines range. */
async function nodeVersion(options: {
  up: readonly ProjectFiles[];
  engines: unknown;
}): Promise<Pick<EcosystemDetection, "languageVersion" | "versionFile" | "versionSource">> {
  for (const [level, dir] of options.up.entries()) {
    for (const file of [".nvmrc", ".node-version"]) {
      const pinned = (await dir.text(file))?.trim().split(/\s/)[0]?.replace(/^v/, "");
      if (pinned) {
        // Inside the app, CI reads the file itself; above it, the version is copied.
        return {
          languageVersion: pinned,
          versionFile: level === 0 ? file : null,
          versionSource: `${"../".repeat(level)}${file}`,
        };
      }
    }
    const toolVersions = await toolVersionsEntry(dir, "nodejs");
    if (toolVersions)
      return {
        languageVersion: toolVersions,
        versionFile: null,
        versionSource: `${"../".repeat(level)}.tool-versions`,
      };
  }
  const range = stringRecord(options.engines).node;
  const version = range ? leadingVersion({ range, majorOnly: true }) : null;
  return {
    languageVersion: version,
    versionFile: null,
    versionSource: version ? 'package.json "engines"' : null,
  };
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

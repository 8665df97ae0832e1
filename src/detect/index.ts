import { stat } from "node:fs/promises";
import { basename, join, posix, resolve } from "node:path";
import type { Commands, Language } from "../config/schema.js";
import { ShipgateError } from "../errors.js";
import { type AppCandidate, discoverApps, ownDockerfile, ownDockerfileSource } from "./apps.js";
import { defaultBranch } from "./branch.js";
import { ciCommands, ciVersions } from "./ci-commands.js";
import { type CiFacts, readCi } from "./ci-jobs.js";
import { codeVariables } from "./code-variables.js";
import { COMMAND_KINDS, type CommandKind, isBrowserSuite } from "./command-kinds.js";
import { appCommands, chooseCommands, type EcosystemCommand } from "./commands.js";
import { dockerfileFacts, toolchainVersion } from "./dockerfile.js";
import type { Dependency, EcosystemDetection } from "./ecosystem.js";
import { type ProjectFiles, projectFiles } from "./files.js";
import { type GitFacts, readGitFacts } from "./git.js";
import { commandTargets } from "./go-binaries.js";
import { detectHealth, kubernetesContainerPort, springServerPort } from "./health.js";
import { findRoutes } from "./routes.js";
import { devServerStart, listenPort, startCommand } from "./runtime.js";
import { detectServices } from "./services.js";
import { detectSetup } from "./setup.js";
import { runnerTargets } from "./task-runners.js";
import { ciServices, envFileVariables, testEnvFrom } from "./test-env.js";
import type { DetectedApp, Detection } from "./types.js";
import { stringRecord } from "./values.js";

export type { DetectedApp, DetectedField, DetectedService, DetectedWorkspaces, Detection } from "./types.js";

export interface DetectOptions {
  /** The repository root. */
  root: string;
  /** The app's folder relative to the root; the most likely deployable when unset. */
  app?: string;
  /** Of the deployables in that folder, the one in this language (a Go service and its front end). */
  language?: Language;
}

/**
 * Reads a repository to suggest its shipgate.yml: what it is built with, the commands its own
 * CI, task runner or manifest already runs, where its health checks are, what its tests
 * connect to. It runs nothing. Every value carries where it came from; what was guessed is
 * listed in `unsure`.
 */
export async function detectProject(options: DetectOptions): Promise<Detection> {
  const root = resolve(options.root);
  if (!(await stat(root).catch(() => null))?.isDirectory()) {
    throw new ShipgateError({
      code: "detect/not-a-directory",
      message: `${root} is not a directory`,
      hint: "Pass the repository's root directory.",
    });
  }
  const repo = projectFiles({ root });
  const git = (await stat(join(root, ".git")).catch(() => null)) ? await readGitFacts(root) : null;
  const ci = await readCi(repo);
  const requested =
    options.app === undefined ? undefined : posix.normalize(options.app).replace(/\/+$/, "") || ".";
  const candidates = await discoverApps({ root, repo, ci, requested });
  const sources: Detection["sources"] = {};
  const unsure: Detection["unsure"] = {};
  const notes: string[] = [];

  const chosen = pickApp({ candidates, requested, language: options.language, notes });
  const appPath = chosen?.path ?? requested ?? ".";
  const eco = chosen?.detection ?? null;
  const appFiles = appPath === "." ? repo : projectFiles({ root: join(root, appPath) });
  if (!eco) {
    notes.push(
      `No Node, Python, Go, Rust or Java project found ${appPath === "." ? "at the root" : `in ${appPath}`}; set app.language by hand.`,
    );
  } else notes.push(...eco.notes);

  // A version file beats what CI installs, which beats a range in the manifest.
  const versions = ciVersions(ci.jobs);
  let languageVersion = eco?.languageVersion ?? null;
  let versionSource = eco?.versionSource ?? null;
  const fromFile =
    versionSource !== null && !/engines|requires-python|rust-version|build file/.test(versionSource);
  const ciVersion = eco ? versions[eco.language] : undefined;
  if (ciVersion && !fromFile) {
    languageVersion = ciVersion.version;
    versionSource = `what ${ciVersion.where} installs`;
  }
  if (versionSource) sources.languageVersion = versionSource;
  else if (eco) unsure.languageVersion = "nothing in the repository pins the runtime version";

  const branch = defaultBranch({ git, ci });
  sources.branch = branch.source;
  if (!branch.sure) unsure.branch = `${branch.source}: the branch pull requests target`;

  // Commands: the existing CI, then the task runner, then the manifest, then conventions.
  const found = appCommands(
    ciCommands(ci.jobs).filter((c) => !(c.kind === "test" && runsBrowserScript(c.command, eco))),
    { path: appPath, language: eco?.language ?? null, packageManager: eco?.packageManager ?? null },
  );
  const targets = await runnerTargets(repo, appPath, eco?.language ?? null);
  const own: Partial<Record<CommandKind, EcosystemCommand>> = {};
  for (const kind of COMMAND_KINDS) {
    const command = eco?.commands[kind];
    if (command) own[kind] = { command, source: eco.commandSources[kind] ?? null };
  }
  const choices = chooseCommands({ ci: found, targets, ecosystem: own });
  const commands: Commands = {};
  for (const kind of COMMAND_KINDS) {
    const choice = choices[kind];
    if (!choice) continue;
    commands[kind] = choice.command;
    sources[kind] = choice.source;
    if (!choice.sure)
      unsure[kind] =
        `${choice.source} for ${eco?.language ?? "this project"}; nothing in the repository runs it`;
  }
  // One command of a module that ships several: its own Make targets build and test it.
  if (chosen?.module?.startsWith("cmd/") && eco?.language === "go") {
    const own = await commandTargets(repo, posix.basename(chosen.module));
    for (const kind of ["build", "test"] as const) {
      const target = own[kind];
      if (!target) continue;
      commands[kind] = target.command;
      sources[kind] = `${target.file} (${chosen.module}'s own target)`;
      delete unsure[kind];
    }
  }
  const testFromElsewhere = choices.test && choices.test.command !== eco?.commands.test;

  // The image, and what it says about starting, ports and health.
  // Without a recognised manifest there is no candidate, but the folder's image is still its image.
  const ownImage = chosen ? null : await ownDockerfile(repo, appPath);
  const dockerfile = chosen?.dockerfile ?? ownImage;
  if (ownImage) sources.dockerfile = ownDockerfileSource(appPath, ownImage);
  const dockerText = dockerfile ? await repo.text(dockerfile) : null;
  const image =
    dockerfile && dockerText !== null
      ? { path: dockerfile, facts: dockerfileFacts(dockerText, { target: chosen?.dockerTarget }) }
      : null;
  if (dockerfile && chosen?.dockerSource) sources.dockerfile = chosen.dockerSource;
  // Nothing else pins the runtime: the image's toolchain does, in production at least.
  const imageVersion =
    eco && languageVersion === null && image ? toolchainVersion(image.facts, eco.language) : null;
  if (imageVersion && image) {
    languageVersion = imageVersion.version;
    sources.languageVersion = `${image.path}:${imageVersion.line} (FROM ${imageVersion.image})`;
    delete unsure.languageVersion;
  }

  const name = chosen
    ? appName(chosen, git, root)
    : (serviceName(git?.remoteName ?? null) ?? serviceName(basename(root)) ?? "app");
  // What manifests and compose files may call it: its name and its image's.
  const appNames = [name, serviceName(chosen?.imageName ?? null) ?? ""];
  const start = eco
    ? await startCommand({ files: repo, appPath, detection: eco, dockerfile: image, names: appNames })
    : null;
  if (start) sources.start = start.source;
  const devServer = start && eco?.language === "node" ? devServerStart(start.command, eco.scripts) : null;
  if (devServer) unsure.start = devServer;
  else if (!start)
    unsure.start =
      "nothing says how the app starts (no start script, Procfile, Dockerfile CMD or compose command)";

  const routes = eco ? await findRoutes({ root, dir: appPath, language: eco.language }) : [];
  const jvmManifests = ["pom.xml", "build.gradle", "build.gradle.kts"].flatMap((m) => [
    appPath === "." ? m : `${appPath}/${m}`,
    ...(eco?.workspaces?.members ?? []).map((member) => `${member}/${m}`),
  ]);
  const health = await detectHealth({
    files: repo,
    appPath,
    dockerfile: image,
    routes,
    jvmManifests,
    names: appNames,
  });
  let healthPath = "/health";
  if (health.health) {
    healthPath = health.health.path;
    sources.healthPath = health.health.source;
    if (!health.health.sure)
      unsure.healthPath = `${health.health.source}: ${health.health.doubt ?? "check the prefix it is served under"}`;
  } else unsure.healthPath = "no health check or health route found: /health is a placeholder";
  const readyPath = health.ready?.path ?? null;
  if (health.ready) {
    sources.readyPath = health.ready.source;
    if (!health.ready.sure)
      unsure.readyPath = `${health.ready.source}: ${health.ready.doubt ?? "check the prefix it is served under"}`;
  }
  const deployed =
    eco && !image?.facts.port && !health.port ? await kubernetesContainerPort(repo, appNames) : null;
  // A module of a multi-module build listens where its own configuration says.
  const configured =
    eco?.language === "java" ? await springServerPort(repo, chosen?.module ?? appPath) : null;
  const port = eco
    ? listenPort({ dockerfile: image, checked: health.port, deployed, configured, detection: eco, start })
    : null;
  if (port) {
    sources.port = port.source;
    if (!port.sure) unsure.port = port.source;
  }

  // Services and the variables the tests read, from the jobs that run the tests.
  const testJobs = found.filter((c) => c.kind === "test" && !c.browser).map((c) => c.job);
  const uniqueTestJobs = [...new Set(testJobs)];
  const fromCi = uniqueTestJobs.length ? await ciServices(repo, uniqueTestJobs) : null;
  let services: Detection["services"];
  if (!commands.test && !hasTests(ci.jobs, eco)) {
    // Services are what the tests need: with no tests at all, none (compose files and drivers
    // say what the app needs in production, which is not this).
    services = [];
  } else if (fromCi && (fromCi.kinds.length || testFromElsewhere)) {
    services = fromCi.kinds.map((kind, i) => ({
      kind,
      source: fromCi.sources[i]!.replace(/^\w+ \((.*)\)$/, "$1"),
    }));
    sources.services = "the services the existing CI starts for the tests";
  } else {
    // A workspace member shares the workspace's database packages and compose files.
    const members = appPath === "." ? [] : [appPath, ...(await repo.members(["packages/*", "libs/*"]))];
    const rootDependencies =
      appPath !== "." && eco?.language === "node" ? await rootPackageDependencies(repo) : [];
    services = await detectServices({
      files: repo,
      language: eco?.language ?? null,
      dependencies: [
        ...(eco?.dependencies ?? []).map((d) => ({
          ...d,
          file: appPath === "." ? d.file : `${appPath}/${d.file}`,
        })),
        ...rootDependencies,
      ],
      prismaSchemas: [
        "prisma/schema.prisma",
        ...members.flatMap((m) => [`${m}/prisma/schema.prisma`, `${m}/schema.prisma`]),
      ],
    });
    if (services.length) {
      sources.services = "the dependencies and compose files";
      if (fromCi)
        unsure.services = "the existing CI starts no service for its tests; these come from the dependencies";
    }
  }
  const kinds = services.map((s) => s.kind);
  let testEnv: Record<string, string> = {};
  if (kinds.length) {
    const ciVariables: Record<string, string> = {};
    for (const job of uniqueTestJobs) {
      Object.assign(ciVariables, job.env);
      // Steps of a test job, the test action's (`pytest-action`) as much as a script's.
      for (const step of job.steps) if (step.env) Object.assign(ciVariables, step.env);
    }
    testEnv = testEnvFrom(ciVariables, kinds);
    if (Object.keys(testEnv).length) sources.testEnv = "the variables the existing CI sets for the tests";
    else {
      const envFile = await envFileVariables(repo, appPath);
      if (envFile) {
        testEnv = testEnvFrom(envFile.variables, kinds);
        if (Object.keys(testEnv).length) {
          sources.testEnv = envFile.file;
          if (/example|sample|dist|template/.test(envFile.file)) {
            unsure.testEnv = `${envFile.file} lists these for development; check the tests read them`;
          }
        }
      }
    }
    if (!Object.keys(testEnv).length) {
      // Nothing sets them for the tests: the names the app's configuration reads for its services.
      const read = await codeVariables(repo, appPath);
      testEnv = testEnvFrom(Object.fromEntries(read.map((name) => [name, ""])), kinds);
      if (Object.keys(testEnv).length) {
        sources.testEnv = "the variables the app's configuration reads";
        unsure.testEnv = "read from the app's configuration files; check the tests read them too";
      }
    }
  }

  const setup = eco
    ? await detectSetup({
        repo,
        detection: eco,
        jobs: [...new Set(Object.values(choices).flatMap((c) => (c?.ciJob ? [c.ciJob] : [])))],
        ciFound: ci.found,
        appPath,
        commands: Object.values(commands).filter((c): c is string => typeof c === "string"),
        appFiles,
      })
    : null;
  if (setup?.commands.length) sources.setup = setup.reasons.join("; ");
  if (setup?.unsure) unsure.setup = setup.unsure;
  if (setup?.submodules.value) {
    sources.submodules = setup.submodules.source;
    if (!setup.submodules.sure) unsure.submodules = setup.submodules.source;
  }

  const apps = candidates.map((c) => describeCandidate(c, git));
  if (candidates.length > 1 && chosen && requested === undefined) {
    sources.app = `chosen among ${candidates.length} deployables: ${chosen.reasons.join("; ") || "the first found"}`;
  }
  const existingWorkflows = (await repo.list(".github/workflows")).filter((f) => /\.ya?ml$/.test(f));

  return {
    root,
    appPath,
    ...(chosen?.module && eco?.language === "java" && appPath === "." ? { buildModule: chosen.module } : {}),
    name,
    language: eco?.language ?? null,
    packageManager: eco?.packageManager ?? null,
    languageVersion,
    versionFile: eco?.versionFile ?? null,
    lockfile: eco?.lockfile ?? null,
    commands,
    start: start?.command ?? null,
    testRunner: eco?.testRunner ?? null,
    coverageReport: commands.test === eco?.commands.test ? (eco?.coverageReport ?? null) : null,
    dockerfile,
    dockerContext: chosen?.dockerContext ?? (ownImage ? appPath : null),
    dockerTarget: chosen?.dockerTarget ?? null,
    services,
    workspaces: eco?.workspaces ?? null,
    defaultBranch: branch.branch,
    healthPath,
    readyPath,
    port: port?.port ?? null,
    testEnv,
    setup: setup?.commands ?? [],
    submodules: setup?.submodules.value ?? false,
    apps,
    appReason: sources.app ?? null,
    existingWorkflows,
    sources,
    unsure,
    // Read errors are noted as files are read, so they are collected last.
    notes: [...notes, ...repo.notes, ...(appFiles === repo ? [] : appFiles.notes)],
  };
}

async function rootPackageDependencies(repo: ProjectFiles): Promise<Dependency[]> {
  const pkg = (await repo.json("package.json")) ?? {};
  const names = [
    ...Object.keys(stringRecord(pkg.dependencies)),
    ...Object.keys(stringRecord(pkg.devDependencies)),
  ];
  return names.map((name) => ({ name, file: "package.json" }));
}

/** A CI test command whose package script drives a browser is an end-to-end suite. */
function runsBrowserScript(command: string, eco: EcosystemDetection | null): boolean {
  const script = /^(?:npm run|yarn|pnpm(?: run)?|bun run)\s+([\w:.-]+)/.exec(command)?.[1];
  return Boolean(script && eco?.scripts[script] && isBrowserSuite(eco.scripts[script]!));
}

function pickApp(options: {
  candidates: readonly AppCandidate[];
  requested: string | undefined;
  language: Language | undefined;
  notes: string[];
}): AppCandidate | null {
  const { candidates, requested, language } = options;
  const inLanguage = candidates.filter((c) => language === undefined || c.language === language);
  if (requested === undefined) {
    if (language !== undefined && inLanguage.length === 0)
      options.notes.push(`No ${language} deployable was found; the most likely one was taken.`);
    return inLanguage[0] ?? candidates[0] ?? null;
  }
  const at = inLanguage.filter(
    (c) => c.path === requested || c.module === requested || c.dockerContext === requested,
  );
  if (at.length) return at[0]!;
  options.notes.push(
    `${requested} is not among the ${language === undefined ? "" : `${language} `}deployables found; it was read as it is.`,
  );
  return null;
}

function describeCandidate(c: AppCandidate, git: GitFacts | null): DetectedApp {
  return {
    path: c.path,
    select: c.module ?? c.path,
    language: c.language,
    name: appName(c, git, ""),
    dockerfile: c.dockerfile,
    reasons: c.reasons,
  };
}

/** Image names CI gives a build it only tests: `app-test`, `app-ci`, `app-e2e`. */
const THROWAWAY_TAG = /[-_](test|tests|testing|ci|e2e|dev|local|validation|validate|check|tmp|temp)$/;

/** Generic member names (`@novu/api`, `apps/web`) keep their workspace's name in front. */
const GENERIC = /^(api|app|web|server|backend|frontend|client|remix|service|site|www|main)$/;

function appName(c: AppCandidate, git: GitFacts | null, root: string): string {
  if (c.name) return serviceName(c.name) ?? "app";
  // The image's name is what the project deploys it as, unless CI tags a throwaway build to check it.
  const image = serviceName(c.imageName);
  if (image && !GENERIC.test(image) && !THROWAWAY_TAG.test(image)) return image;
  const declared = c.detection.name;
  const scoped = declared ? /^@([^/]+)\/(.+)$/.exec(declared) : null;
  if (scoped && GENERIC.test(scoped[2]!)) return serviceName(`${scoped[1]}-${scoped[2]}`) ?? "app";
  const own = serviceName(declared);
  if (own && !(c.path !== "." && GENERIC.test(own) && git?.remoteName)) return own;
  if (c.path !== "." && git?.remoteName) return serviceName(`${git.remoteName}-${basename(c.path)}`) ?? "app";
  return (
    serviceName(git?.remoteName ?? null) ?? serviceName(basename(c.path === "." ? root : c.path)) ?? "app"
  );
}

/** `@acme/Orders_API` → `orders-api`: lower-case letters, digits and dashes, as app.name requires. */
export function serviceName(name: string | null): string | null {
  const normalized = (name ?? "")
    .replace(/^@[^/]*\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return normalized || null;
}

/** Whether the project has tests of any kind, browser suites included, in CI or its scripts. */
function hasTests(jobs: CiFacts["jobs"], eco: EcosystemDetection | null): boolean {
  return (
    ciCommands(jobs).some((c) => c.kind === "test") ||
    Object.keys(eco?.scripts ?? {}).some((name) => /test|spec|e2e/i.test(name))
  );
}

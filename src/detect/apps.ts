import { join, posix } from "node:path";
import type { Language } from "../config/schema.js";
import { ciDockerBuilds } from "./ci-commands.js";
import type { CiFacts } from "./ci-jobs.js";
import { composeBuilds } from "./compose.js";
import { parseInstructions } from "./dockerfile.js";
import type { EcosystemDetection, ReaderContext } from "./ecosystem.js";
import { type ProjectFiles, projectFiles } from "./files.js";
import { detectGo } from "./go.js";
import { goCommandBinaries } from "./go-binaries.js";
import { detectJava } from "./java.js";
import { detectNode } from "./node.js";
import { detectPython } from "./python.js";
import { detectRust } from "./rust.js";
import { isRecord } from "./values.js";

type Reader = (files: ProjectFiles, context: ReaderContext) => Promise<EcosystemDetection | null>;

/** Backend languages first: where a folder holds a Go module and a front end's package.json, the Go program is the service. */
const READERS: ReadonlyArray<readonly [Language, Reader]> = [
  ["python", detectPython],
  ["go", detectGo],
  ["rust", detectRust],
  ["java", (files) => detectJava(files)],
  ["node", detectNode],
];

/** A deployable the repository holds, and why it was ranked where it was. */
export interface AppCandidate {
  /** Where its commands run, relative to the repository root. */
  path: string;
  language: Language;
  /** The Dockerfile its image is built from, relative to the repository root. */
  dockerfile: string | null;
  /** The build context for that Dockerfile, relative to the repository root. */
  dockerContext: string | null;
  /** The stage the image is built from, when the build names one. */
  dockerTarget: string | null;
  /** What says so: a CI job, a compose service, the folder's own Dockerfile. */
  dockerSource: string | null;
  /** The name CI or compose tags its image with. */
  imageName: string | null;
  /** A name for it when the manifest's own would not tell two apps apart. */
  name: string | null;
  /** The module folder of a deployable built from the root's multi-module build. */
  module?: string;
  score: number;
  /** Why it looks deployable, for init's explanation of its choice. */
  reasons: string[];
  detection: EcosystemDetection;
}

const SKIPPED =
  /^(node_modules|vendor|dist|build|target|out|coverage|\.git|\.github|\.next|\.venv|venv|__pycache__|tests?|__tests__|e2e|e2e-\w+|docs?|documentation|examples?|fixtures|samples?|storybook|bench(marks?)?|scripts|tools|playground|sandbox|demo|\.devcontainer|infra|deploy|charts|helm|k8s|migrations|locales?|public|static|assets)$/;
const NOT_AN_APP =
  /(^|[/-])(docs?|storybook|examples?|e2e|tests?|bench|playground|sandbox|demo|tools|scripts|eslint-config|tsconfig|config|types|ui|utils?|shared|common|lib|libs|core|sdk)$/;
const BACKEND_NAME = /(^|[/_-])(api|server|backend|service|svc|worker)s?($|[/_-])|service$/;
const FRONTEND_NAME =
  /(^|[/_-])(web|frontend|client|ui|admin|dashboard|www|site|landing|app-ui|widget|embed)($|[/_-])/;
const MANIFESTS = [
  "package.json",
  "pyproject.toml",
  "requirements.txt",
  "go.mod",
  "Cargo.toml",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "setup.py",
];

/**
 * Every deployable in the repository, the most likely main service first: the root, workspace
 * members, folders with their own manifest and Dockerfile, and the contexts CI and compose
 * build images from. A folder that only holds a library, docs or a test suite is not one.
 */
export async function discoverApps(options: {
  root: string;
  repo: ProjectFiles;
  ci: CiFacts;
  /** A folder the person chose: read even when nothing else would make it a candidate. */
  requested?: string;
}): Promise<AppCandidate[]> {
  const { root, repo } = options;
  const cache = new Map<string, ProjectFiles>();
  const filesAt = (dir: string) => {
    let files = cache.get(dir);
    if (!files) {
      files = dir === "." ? repo : projectFiles({ root: join(root, dir) });
      cache.set(dir, files);
    }
    return files;
  };
  const ancestorsOf = (dir: string): ProjectFiles[] => {
    const out: ProjectFiles[] = [];
    let current = dir;
    while (current !== ".") {
      current = posix.dirname(current) === "" ? "." : posix.dirname(current);
      out.push(filesAt(current));
    }
    return out;
  };

  const builds = await imageBuilds(repo, options.ci);
  const dirs = new Set<string>(["."]);
  // Members under examples/, scripts/, docs/ … are part of the workspace, not what it deploys.
  for (const dir of [...(await memberDirs(repo)), ...(await nestedMemberDirs(repo))])
    if (!dir.split("/").some((segment) => SKIPPED.test(segment))) dirs.add(dir);
  for (const dir of await foldersWithManifestAndDockerfile(repo)) dirs.add(dir);
  for (const dir of await foldersCopiedByRootImage(repo))
    if (!SKIPPED.test(dir) && (await hasManifest(repo, dir))) dirs.add(dir);
  for (const build of builds) if (await hasManifest(repo, build.context)) dirs.add(build.context);

  const candidates: AppCandidate[] = [];
  const members = await memberDirs(repo);
  const rootIsWorkspace = members.length > 0;
  // The member the root's start script runs is the deployable, whatever its folder is called.
  const started = await memberTheRootStarts(repo, members);
  if (started) dirs.add(started.dir);
  for (const dir of dirs) {
    if (dir !== "." && NOT_AN_APP.test(dir) && dir !== started?.dir) continue;
    const files = filesAt(dir);
    const found: EcosystemDetection[] = [];
    for (const [, read] of READERS) {
      const detection = await read(files, { ancestors: ancestorsOf(dir) });
      if (detection) found.push(detection);
    }
    for (const detection of found) {
      const startedBy = dir === started?.dir ? started.by : undefined;
      const candidate = await rate({ repo, dir, detection, builds, siblings: found, startedBy });
      if (candidate) candidates.push(candidate);
    }
  }
  // A Node workspace root only orchestrates its members: when a member is deployable, the root is
  // not — unless the root is a server with its own image (a backend whose workspace holds its UI).
  const rootNode = candidates.findIndex((c) => c.path === "." && c.language === "node");
  const rootServes = rootNode >= 0 && servesWithOwnImage(candidates[rootNode]!);
  if (
    rootIsWorkspace &&
    rootNode >= 0 &&
    !rootServes &&
    candidates.some((c) => c.path !== "." && c.language === "node")
  ) {
    candidates.splice(rootNode, 1);
  }
  await jvmReactorModules({ repo, candidates, builds });
  await goCommandBinaries({ repo, candidates });
  const requested = options.requested;
  if (
    requested &&
    !candidates.some((c) => c.path === requested || c.module === requested || c.dockerContext === requested)
  ) {
    // A folder the person named is read even when it does not look deployable on its own.
    const dir = requested;
    const found: EcosystemDetection[] = [];
    for (const [, read] of READERS) {
      const detection = await read(filesAt(dir), { ancestors: ancestorsOf(dir) });
      if (detection) found.push(detection);
    }
    for (const detection of found) {
      const candidate = await rate({ repo, dir, detection, builds, siblings: found, named: true });
      if (candidate) candidates.push(candidate);
    }
  }
  return candidates.sort((a, b) => b.score - a.score || order(a) - order(b));
}

function servesWithOwnImage(c: AppCandidate): boolean {
  return Boolean(c.detection.serves && !c.detection.frontend && c.dockerfile && c.detection.start);
}

function order(c: AppCandidate): number {
  return c.path === "." ? -1 : c.path.split("/").length;
}

interface ImageBuild {
  dockerfile: string;
  context: string;
  target?: string | null;
  image?: string | null;
  /** The compose service or CI job that builds it. */
  by: string;
  /** The compose service's name, when a compose file builds it. */
  service?: string;
}

/** Images CI and compose files build, with their Dockerfile and context. */
async function imageBuilds(repo: ProjectFiles, ci: CiFacts): Promise<ImageBuild[]> {
  const builds: ImageBuild[] = ciDockerBuilds(ci.jobs).map((b) => ({ ...b, by: b.where }));
  for (const b of await composeBuilds(repo)) {
    builds.push({
      dockerfile: b.dockerfile,
      context: b.context,
      target: b.target,
      image: b.image,
      by: `${b.file} service "${b.service}"`,
      service: b.service,
    });
  }
  return builds;
}

async function hasManifest(repo: ProjectFiles, dir: string): Promise<boolean> {
  for (const manifest of MANIFESTS)
    if (await repo.exists(dir === "." ? manifest : `${dir}/${manifest}`)) return true;
  return false;
}

/** Workspace members of the root: npm/yarn/pnpm workspaces, Cargo, Go and uv workspaces. */
async function memberDirs(repo: ProjectFiles): Promise<string[]> {
  return repo.members(await workspacePatterns(repo, "."));
}

/** The member patterns a folder's workspace declares, relative to the repository root. */
async function workspacePatterns(repo: ProjectFiles, dir: string): Promise<string[]> {
  const at = (file: string) => (dir === "." ? file : `${dir}/${file}`);
  const patterns: string[] = [];
  const pkg = await repo.json(at("package.json"));
  const ws = pkg?.workspaces;
  if (Array.isArray(ws)) patterns.push(...ws.filter((w): w is string => typeof w === "string"));
  else if (isRecord(ws) && Array.isArray(ws.packages))
    patterns.push(...ws.packages.filter((w): w is string => typeof w === "string"));
  const pnpm = await repo.yaml(at("pnpm-workspace.yaml"));
  if (isRecord(pnpm) && Array.isArray(pnpm.packages))
    patterns.push(...pnpm.packages.filter((w): w is string => typeof w === "string"));
  const cargo = (await repo.text(at("Cargo.toml"))) ?? "";
  const members = /\[workspace\][\s\S]*?members\s*=\s*\[([\s\S]*?)\]/.exec(cargo)?.[1];
  if (members) patterns.push(...[...members.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  // Exclusions (`!apps/legacy`) narrow what other patterns matched; they name no member.
  return patterns.filter((p) => !p.startsWith("!")).map((p) => (dir === "." ? p : `${dir}/${p}`));
}

/**
 * Members of workspaces rooted in a top-level folder (`clients/pnpm-workspace.yaml` beside a
 * Python `server/`): a repository whose front ends live in their own workspace, apart from the
 * backend at the root or in another folder.
 */
async function nestedMemberDirs(repo: ProjectFiles): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await repo.list(".")) {
    if (entry.startsWith(".") || SKIPPED.test(entry) || !(await repo.isDirectory(entry))) continue;
    const patterns = await workspacePatterns(repo, entry);
    if (patterns.length) found.push(...(await repo.members(patterns)));
  }
  return found;
}

/** Folders (three levels deep at most) with a manifest and a Dockerfile of their own. */
async function foldersWithManifestAndDockerfile(repo: ProjectFiles): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 3 || found.length > 50) return;
    for (const entry of await repo.list(dir)) {
      if (entry.startsWith(".") || SKIPPED.test(entry)) continue;
      const path = dir === "." ? entry : `${dir}/${entry}`;
      if (!(await repo.isDirectory(path))) continue;
      if ((await hasManifest(repo, path)) && (await ownDockerfile(repo, path))) found.push(path);
      await walk(path, depth + 1);
    }
  };
  await walk(".", 1);
  return found;
}

/**
 * Top-level folders the root image copies in (`COPY api/ /app/`), and folders it builds in after
 * copying the whole repository (`RUN cd packages/backend && yarn`): a repository whose only
 * Dockerfile is at the root (or in docker/), building the service kept in `api/` (and, in another
 * stage, the front end in `frontend/`).
 */
async function foldersCopiedByRootImage(repo: ProjectFiles): Promise<string[]> {
  const found = new Set<string>();
  for (const file of ["Dockerfile", "docker/Dockerfile"]) {
    const text = await repo.text(file);
    if (text === null) continue;
    for (const ins of parseInstructions(text)) {
      // `COPY . /app` then `RUN cd packages/backend && yarn --production`: the folders it builds in.
      if (ins.keyword === "RUN") {
        for (const m of ins.args.matchAll(
          /(?:^|&&|;)\s*cd\s+(?:\.\/)?([\w-]+(?:\/[\w-]+)*)\/?\s*(?=&&|;|$)/g,
        ))
          if (await repo.isDirectory(m[1]!)) found.add(m[1]!);
        continue;
      }
      if (ins.keyword !== "COPY" && ins.keyword !== "ADD") continue;
      if (/--from[=\s]/.test(ins.args)) continue; // from another stage or image, not the repository
      const words = ins.args
        .replace(/^\[|\]$/g, "")
        .split(/[\s,]+/)
        .map((w) => w.replace(/^["']|["']$/g, ""))
        .filter((w) => w && !w.startsWith("--"));
      for (const source of words.slice(0, -1)) {
        const top = source.replace(/^\.\//, "").split("/")[0]!;
        if (top && top !== "." && !/[*$?]/.test(top) && (await repo.isDirectory(top))) found.add(top);
      }
    }
  }
  return [...found];
}

/** Where a folder's own Dockerfile came from, in a sentence. */
export function ownDockerfileSource(dir: string, dockerfile: string): string {
  const where = dir === "." ? "the repository root" : dir;
  return posix.dirname(dockerfile) === dir
    ? `the Dockerfile in ${where}`
    : `${dockerfile}, the image of ${where}`;
}

/**
 * The workspace member the root package's start script runs: `cd packages/core && npm start`,
 * `npm start --workspace=api`, `pnpm --filter @acme/api start`, `yarn workspace api start`.
 */
async function memberTheRootStarts(
  repo: ProjectFiles,
  members: readonly string[],
): Promise<{ dir: string; by: string } | null> {
  const scripts = (await repo.json("package.json"))?.scripts;
  const start = isRecord(scripts) && typeof scripts.start === "string" ? scripts.start : null;
  if (!start || !members.length) return null;
  const named =
    /^cd\s+(\S+?)\/?\s*&&/.exec(start)?.[1] ??
    /\s--prefix[=\s]+(\S+)/.exec(start)?.[1] ??
    /\s(?:--filter|-F|--workspace|-w)[=\s]+(\S+)/.exec(start)?.[1] ??
    /^yarn\s+workspace\s+(\S+)/.exec(start)?.[1];
  if (!named) return null;
  const wanted = named.replace(/^["']|["']$/g, "").replace(/^\.\//, "");
  for (const dir of members) {
    const name = (await repo.json(`${dir}/package.json`))?.name;
    if (dir === wanted || name === wanted) return { dir, by: `package.json "start": ${start}` };
  }
  return null;
}

/** The root's own image, for the member its start script runs (`CMD ["npm", "start"]` at the root). */
async function rootImageStarting(repo: ProjectFiles): Promise<FolderImage | null> {
  const dockerfile = await ownDockerfile(repo, ".");
  return dockerfile
    ? { dockerfile, context: ".", by: "the root image, which runs the root's start script" }
    : null;
}

/** The Dockerfile that lives with a folder's code, in the places projects keep one. */
export async function ownDockerfile(repo: ProjectFiles, dir: string): Promise<string | null> {
  const prefix = dir === "." ? "" : `${dir}/`;
  for (const name of [
    "Dockerfile",
    "docker/Dockerfile",
    "src/main/docker/Dockerfile",
    "dockerfile",
    "docker/dockerfile",
    // A docker/ folder of one image per role: the service's is named for the service.
    ...["app", "server", "api", "backend", "production", "prod"].map((role) => `docker/${role}/Dockerfile`),
    "deploy/Dockerfile",
    "build/docker/Dockerfile",
  ]) {
    if (await repo.exists(`${prefix}${name}`)) return `${prefix}${name}`;
  }
  return null;
}

async function rate(options: {
  repo: ProjectFiles;
  dir: string;
  detection: EcosystemDetection;
  builds: readonly ImageBuild[];
  siblings: readonly EcosystemDetection[];
  /** Chosen by the person, so kept whatever it looks like. */
  named?: boolean;
  /** The root's start script that runs this member, when one does. */
  startedBy?: string;
}): Promise<AppCandidate | null> {
  const { repo, dir, detection, builds } = options;
  const reasons: string[] = [];
  let score = 0;
  if (options.startedBy) {
    score += 3;
    reasons.push(`the root's start script runs it (${options.startedBy})`);
  }
  // A Node package beside a backend language in the same folder is that service's front end: its
  // image is one built from the folder for a front end (compose's `web`, `client`), not the backend's.
  const besideBackend = detection.language === "node" && options.siblings.some((s) => s.language !== "node");
  const frontEnd = besideBackend ? await frontEndBuild(repo, dir, builds) : null;
  const image = besideBackend
    ? frontEnd
    : ((await imageFor({ repo, dir, detection, builds })) ??
      (options.startedBy ? await rootImageStarting(repo) : null));
  if (image) {
    score += 4;
    reasons.push(`its image is built from ${image.dockerfile}${image.by ? ` (${image.by})` : ""}`);
  }
  if (detection.serves && !detection.frontend) {
    score += 3;
    reasons.push(`it serves requests (${detection.language})`);
  }
  const label = `${dir} ${detection.name ?? ""}`.toLowerCase();
  if (BACKEND_NAME.test(label)) {
    score += 2;
    reasons.push("its name says it is a service");
  }
  if (detection.frontend || (FRONTEND_NAME.test(label) && !detection.serves)) {
    score -= 3;
    reasons.push("it looks like a front end");
  }
  if (besideBackend) score -= 4;
  if (dir === ".") score += 1;
  // A member without an image or a start command is a library of the workspace, whatever it imports.
  if (dir !== "." && image === null && detection.start === null && !options.named) return null;
  return {
    path: dir,
    language: detection.language,
    dockerfile: image?.dockerfile ?? null,
    dockerContext: image?.context ?? null,
    dockerTarget: image?.target ?? null,
    dockerSource: image ? (image.by ?? ownDockerfileSource(dir, image.dockerfile)) : null,
    imageName: image?.image ?? null,
    // The member the root starts is the product: `@logto/core` is logto.
    name:
      frontEnd?.service ??
      (options.startedBy ? (/^@([^/]+)\//.exec(detection.name ?? "")?.[1] ?? null) : null),
    score,
    reasons,
    detection,
  };
}

/** An image compose or CI builds from `dir` whose service or Dockerfile name says front end. */
async function frontEndBuild(
  repo: ProjectFiles,
  dir: string,
  builds: readonly ImageBuild[],
): Promise<ImageBuild | null> {
  for (const build of builds) {
    if (build.context !== dir) continue;
    const names =
      `${build.service ?? ""} ${posix.basename(build.dockerfile).replace(/\./g, "-")}`.toLowerCase();
    if (FRONTEND_NAME.test(names) && (await repo.exists(build.dockerfile))) return build;
  }
  return null;
}

interface FolderImage {
  dockerfile: string;
  context: string;
  target?: string | null;
  image?: string | null;
  /** What says it is the folder's image; null for the folder's own Dockerfile. */
  by: string | null;
}

/**
 * The image of a folder: built by CI or compose from its folder, its own Dockerfile, or a root
 * Dockerfile that copies the folder in (a monorepo's shared docker/Dockerfile).
 */
async function imageFor(options: {
  repo: ProjectFiles;
  dir: string;
  detection: EcosystemDetection;
  builds: readonly ImageBuild[];
}): Promise<FolderImage | null> {
  const { repo, dir, builds } = options;
  const base = dir === "." ? null : posix.basename(dir);
  // A compose service named like the folder builds the folder's image.
  const named = base ? builds.find((b) => b.by.includes(`service "${base}"`)) : undefined;
  if (named && (await repo.exists(named.dockerfile))) return named;
  const own = await ownDockerfile(repo, dir);
  if (own) {
    const built = builds.find((b) => b.dockerfile === own);
    return {
      dockerfile: own,
      context: built?.context ?? dir,
      target: built?.target,
      image: built?.image,
      by: built?.by ?? null,
    };
  }
  for (const build of builds) {
    const inside =
      dir === "."
        ? !build.dockerfile.includes("/") || build.context === "."
        : build.dockerfile.startsWith(`${dir}/`) || build.context === dir;
    if (!inside || auxiliary(build.dockerfile) || !(await repo.exists(build.dockerfile))) continue;
    if (dir === "." && (await anyMemberNamedIn(repo, build.dockerfile))) continue;
    return build;
  }
  if (dir !== ".") {
    for (const shared of ["Dockerfile", "docker/Dockerfile"]) {
      const text = await repo.text(shared);
      if (text?.includes(dir)) return { dockerfile: shared, context: ".", by: `it copies ${dir}` };
    }
  } else {
    const variants = (await repo.list(".")).filter(
      (f) => /^(Dockerfile\.[\w.-]+|\w[\w.-]*\.Dockerfile)$/i.test(f) && !auxiliary(f),
    );
    const prod = variants.find((f) => /prod/i.test(f)) ?? (variants.length === 1 ? variants[0] : undefined);
    if (prod) return { dockerfile: prod, context: ".", by: null };
  }
  return null;
}

/**
 * Dockerfiles for a database job, tests or development, or a proxy in front of the service, not
 * the service's image.
 */
const AUXILIARY =
  /[._-](db|database|migrations?|seed|clean|test|tests|cypress|e2e|dev|devcontainer|docs?|ci|nginx|proxy|caddy|traefik|haproxy)([._-]|$)|^\.|gitpod/i;
/** Folders of test fixtures: a Dockerfile there builds a harness (`src/tests/ratelimit/`). */
const TEST_FOLDER = /(^|\/)(tests?|e2e|spec|fixtures?|testdata|__tests__)\//i;

function auxiliary(dockerfile: string): boolean {
  return AUXILIARY.test(posix.basename(dockerfile)) || TEST_FOLDER.test(dockerfile);
}

/** Whether a root Dockerfile builds one workspace member (it names `apps/…` or `packages/…`). */
async function anyMemberNamedIn(repo: ProjectFiles, dockerfile: string): Promise<boolean> {
  const text = (await repo.text(dockerfile)) ?? "";
  return /WORKDIR\s+\S*\/(apps|packages|services)\//.test(text);
}

/** Modules that are examples, demos or test harnesses, not services. */
const NOT_A_SERVICE_MODULE = /(^|[-_])(demo|examples?|samples?|tests?|it|benchmarks?|docs?)([-_]|$)/i;

/**
 * Spring Boot application modules of a Maven reactor, nested modules included, that one
 * Dockerfile of the repository builds, told apart by a build argument whose default names one
 * of them (`ARG HAWKBIT_APP=hawkbit-update-server`): each module is a deployable of that image,
 * the one the default names first.
 */
async function sharedImageModules(
  repo: ProjectFiles,
  topModules: readonly string[],
): Promise<Array<{ module: string; dockerfile: string }>> {
  const modules: string[] = [];
  const visit = async (module: string, depth: number) => {
    const pom = await repo.text(`${module}/pom.xml`);
    if (pom === null) return;
    const nested = [...pom.matchAll(/<module>\s*([^<\s]+)\s*<\/module>/g)].map(([, m]) => `${module}/${m}`);
    if (/spring-boot-maven-plugin/.test(pom) && !NOT_A_SERVICE_MODULE.test(posix.basename(module)))
      modules.push(module);
    if (depth < 2) for (const child of nested) await visit(child, depth + 1);
  };
  for (const module of topModules) await visit(module, 0);
  if (modules.length < 2) return [];
  for (const dockerfile of ["Dockerfile", "docker/Dockerfile", ...(await dockerfilesUnder(repo, "docker"))]) {
    const text = await repo.text(dockerfile);
    if (text === null) continue;
    const names = new Set(modules.map((m) => posix.basename(m)));
    const chosen = [...text.matchAll(/^\s*ARG\s+\w+\s*=\s*["']?([\w.-]+)/gm)]
      .map(([, v]) => v!)
      .find((v) => names.has(v));
    if (!chosen) continue;
    const ordered = [...modules].sort(
      (a, b) => Number(posix.basename(b) === chosen) - Number(posix.basename(a) === chosen),
    );
    return ordered.map((module) => ({ module, dockerfile }));
  }
  return [];
}

/** Dockerfiles one level into a folder (`docker/build/Dockerfile`). */
async function dockerfilesUnder(repo: ProjectFiles, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await repo.list(dir)) {
    if (await repo.exists(`${dir}/${entry}/Dockerfile`)) out.push(`${dir}/${entry}/Dockerfile`);
  }
  return out;
}

/**
 * A Maven or Gradle build with several modules is built and tested from its root; a module
 * with a Dockerfile of its own is a deployable of that root build. Each becomes a candidate
 * that runs at the root, named for its module and built from its Dockerfile.
 */
async function jvmReactorModules(options: {
  repo: ProjectFiles;
  candidates: AppCandidate[];
  builds: readonly ImageBuild[];
}): Promise<void> {
  const { repo, candidates, builds } = options;
  const root = candidates.find((c) => c.path === "." && c.language === "java");
  const modules = root?.detection.workspaces?.members ?? [];
  if (!root || !modules.length) return;
  const deployables: Array<{ module: string; dockerfile: string }> = [];
  for (const module of modules) {
    const dockerfile = await ownDockerfile(repo, module);
    if (dockerfile) deployables.push({ module, dockerfile });
  }
  if (!deployables.length) deployables.push(...(await sharedImageModules(repo, modules)));
  for (const [i, c] of [...candidates.entries()].reverse()) {
    if (c.language === "java" && c.path !== "." && modules.includes(c.path)) candidates.splice(i, 1);
  }
  if (!deployables.length) return;
  const at = candidates.indexOf(root);
  candidates.splice(
    at,
    1,
    ...deployables.map(({ module, dockerfile }) => ({
      ...root,
      dockerfile,
      dockerContext: builds.find((b) => b.dockerfile === dockerfile)?.context ?? module,
      imageName: builds.find((b) => b.dockerfile === dockerfile)?.image ?? null,
      dockerSource: `module ${module}'s own Dockerfile`,
      module,
      // One deployable module is the project itself; several need telling apart.
      name: deployables.length > 1 ? posix.basename(module) : null,
      score: root.score + 4,
      reasons: [
        `module ${module} of the root ${root.detection.packageManager} build has its own Dockerfile (${dockerfile})`,
        ...root.reasons,
      ],
    })),
  );
}

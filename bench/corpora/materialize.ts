/**
 * corpus:materialize — brings the real-world corpora's files into the git-ignored `.corpora/`
 * folder from their committed manifests (docs/development.md, "Measuring on real-world corpora").
 *
 *   npm run corpus:materialize -- <kind> [--only id,id] [--force] [--paths-only]
 *
 * Kinds:
 * - `repos`      bench/corpora/repos/manifest.json: whole repository trees at an exact commit into
 *                `.corpora/repos/<id>/`, for measuring `shipgate init`.
 * - `workflows`  bench/corpora/workflows/manifest.json: single workflow files and composite actions
 *                (repository, path, commit, sha256) into `.corpora/workflows/<id>.yml` and
 *                `.corpora/workflows/repos/<owner>+<name>/<path>`, with `paths.json`; each file is
 *                checked against its sha256 and every label's line against the file (see
 *                "Kind: workflows" below: raw.githubusercontent.com comes before a clone there).
 *
 * Where a repository comes from, in order:
 * 1. a git directory already on this machine under /work/.mirror/<owner>+<name>/ (the search
 *    tool's `fetch` puts one there; SHIPGATE_CORPUS_MIRRORS names another root): `git archive`
 *    of the commit, or blob by blob when the snapshot lacks some files (snapshots leave out files
 *    of 4 MiB and more);
 * 2. `git clone --filter=blob:none` from GitHub and a checkout of the commit, when the network
 *    allows (sparse, to the manifest's paths, with --paths-only).
 * Anything that could not be had is reported by id and reason, and the exit code is 1.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadManifest, MATERIALIZED_DIR, type ManifestEntry, STAMP_DIR } from "./repos/corpus.js";
import {
  checkLabelLines,
  readLabels as readWorkflowLabels,
  readManifest as readWorkflowManifest,
  type Manifest as WorkflowManifest,
  corpusDir as workflowCorpusDir,
} from "./workflows/corpus.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MIRROR_ROOTS = [process.env.SHIPGATE_CORPUS_MIRRORS, "/work/.mirror"].filter((d): d is string => !!d);

// ---------------------------------------------------------------------------------------------
// Git sources, shared by every kind

export interface Outcome {
  id: string;
  ok: boolean;
  /** How it was had, or why not. */
  detail: string;
  /** Files the snapshot lacked (written as nothing). */
  missingFiles?: string[];
}

function git(args: string[], options: { cwd?: string; input?: string; timeoutMs?: number } = {}) {
  return spawnSync("git", args, {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 600_000,
    // Never wait on a credential prompt: a private or missing repository is a failure to report.
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The git directory of a fetched snapshot of owner/name, if one is on this machine. */
export function findMirror(repo: string, roots: readonly string[] = MIRROR_ROOTS): string | undefined {
  const name = repo.replace("/", "+");
  for (const root of roots) {
    const base = join(root, name);
    if (!existsSync(base)) continue;
    for (const candidate of [join(base, "repo"), base, join(base, ".git"), join(base, "repo.git")]) {
      if (!existsSync(candidate) || !statSync(candidate).isDirectory()) continue;
      const probe = git(["--git-dir", candidate, "rev-parse", "--git-dir"]);
      if (probe.status === 0) return candidate;
    }
  }
  return undefined;
}

export function hasCommit(gitDir: string, commit: string): boolean {
  return git(["--git-dir", gitDir, "cat-file", "-e", `${commit}^{commit}`]).status === 0;
}

/** `git archive <commit> | tar -x -C <dest>`; false when the archive cannot be made (missing blobs). */
function archiveInto(gitDir: string, commit: string, dest: string): Promise<boolean> {
  return new Promise((done) => {
    const archive = spawn("git", ["--git-dir", gitDir, "archive", "--format=tar", commit], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tar = spawn("tar", ["-x", "-C", dest], { stdio: ["pipe", "ignore", "pipe"] });
    archive.stdout.pipe(tar.stdin);
    let archiveCode: number | null = null;
    let tarCode: number | null = null;
    const finish = () => {
      if (archiveCode !== null && tarCode !== null) done(archiveCode === 0 && tarCode === 0);
    };
    archive.on("close", (code) => {
      archiveCode = code ?? 1;
      finish();
    });
    tar.on("close", (code) => {
      tarCode = code ?? 1;
      finish();
    });
    archive.stderr.resume();
    tar.stderr.resume();
  });
}

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  path: string;
}

function listTree(gitDir: string, commit: string, paths?: readonly string[]): TreeEntry[] {
  const result = git([
    "--git-dir",
    gitDir,
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    commit,
    "--",
    ...(paths ?? []),
  ]);
  if (result.status !== 0) throw new Error(result.stderr.trim() || "git ls-tree failed");
  return result.stdout
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, type, sha] = line.slice(0, tab).split(" ") as [string, string, string];
      return { mode, type, sha, path: line.slice(tab + 1) };
    });
}

/**
 * Writes a commit's files one blob at a time through `git cat-file --batch`, so a snapshot that
 * lacks some blobs still yields every file it has. Returns the paths it could not write.
 */
export async function extractBlobs(
  gitDir: string,
  commit: string,
  dest: string,
  paths?: readonly string[],
): Promise<string[]> {
  const entries = listTree(gitDir, commit, paths).filter((e) => e.type === "blob");
  const missing: string[] = [];
  const batch = spawn("git", ["--git-dir", gitDir, "cat-file", "--batch"], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  let buffer = Buffer.alloc(0);
  let index = 0;
  const wanted = (entry: TreeEntry, body: Buffer) => {
    const file = join(dest, entry.path);
    mkdirSync(dirname(file), { recursive: true });
    if (entry.mode === "120000") {
      // A symbolic link: keep its target as text rather than following it out of the tree.
      writeFileSync(file, body);
    } else {
      writeFileSync(file, body, { mode: entry.mode === "100755" ? 0o755 : 0o644 });
    }
  };
  await new Promise<void>((done, fail) => {
    batch.stdout.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const newline = buffer.indexOf(10);
        if (newline < 0) return;
        const header = buffer.subarray(0, newline).toString("utf8");
        const entry = entries[index];
        if (!entry) return fail(new Error(`unexpected output from git cat-file: ${header}`));
        if (header.endsWith(" missing")) {
          missing.push(entry.path);
          buffer = buffer.subarray(newline + 1);
          index++;
          continue;
        }
        const size = Number(header.split(" ")[2]);
        if (buffer.length < newline + 1 + size + 1) return;
        wanted(entry, buffer.subarray(newline + 1, newline + 1 + size));
        buffer = buffer.subarray(newline + 1 + size + 1);
        index++;
      }
    });
    batch.on("close", () => done());
    batch.on("error", fail);
    batch.stdin.end(`${entries.map((e) => e.sha).join("\n")}\n`);
  });
  if (index !== entries.length)
    throw new Error(`git cat-file stopped after ${index} of ${entries.length} files`);
  return missing;
}

/** Writes the tree of `commit` from a local git directory into `dest`. */
export async function treeFromMirror(
  gitDir: string,
  commit: string,
  dest: string,
  paths?: readonly string[],
): Promise<{ via: string; missing: string[] }> {
  mkdirSync(dest, { recursive: true });
  if (!paths && (await archiveInto(gitDir, commit, dest))) return { via: "git archive", missing: [] };
  // The archive stops at the first missing blob: start again, file by file.
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const missing = await extractBlobs(gitDir, commit, dest, paths);
  return { via: paths ? "git cat-file (manifest paths)" : "git cat-file (blob by blob)", missing };
}

/** Clones from GitHub (blobs on demand) and writes the commit's tree; throws with git's reason. */
export function treeFromClone(repo: string, commit: string, dest: string, paths?: readonly string[]): string {
  const work = mkdtempSync(join(tmpdir(), "shipgate-corpus-clone-"));
  try {
    const url = `https://github.com/${repo}.git`;
    const clone = git(["clone", "--quiet", "--filter=blob:none", "--no-checkout", url, work]);
    if (clone.status !== 0) {
      const why = clone.error ? clone.error.message : clone.stderr.trim().split("\n").pop();
      throw new Error(`git clone ${url}: ${why}`);
    }
    if (!hasCommit(join(work, ".git"), commit)) {
      const fetched = git(["fetch", "--quiet", "origin", commit], { cwd: work });
      if (fetched.status !== 0) throw new Error(`commit ${commit} is not in ${url}`);
    }
    if (paths) {
      git(["sparse-checkout", "set", "--no-cone", ...paths], { cwd: work });
    }
    const checkout = git(["checkout", "--quiet", commit], { cwd: work });
    if (checkout.status !== 0) throw new Error(`git checkout ${commit}: ${checkout.stderr.trim()}`);
    rmSync(join(work, ".git"), { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dirname(dest), { recursive: true });
    // Same filesystem in the common case; fall back to a copy across devices.
    const moved = spawnSync("mv", [work, dest]);
    if (moved.status !== 0) throw new Error(`could not move the checkout into ${dest}`);
    return paths ? "git clone (sparse, manifest paths)" : "git clone";
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Kind: repos

interface Stamp {
  id: string;
  repo: string;
  commit: string;
  branch: string;
  via: string;
  pathsOnly: boolean;
  missingFiles: string[];
  materializedAt: string;
}

export function readStamp(root: string, id: string): Stamp | undefined {
  const file = join(root, STAMP_DIR, `${id}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Stamp) : undefined;
}

async function materializeRepo(entry: ManifestEntry, options: KindOptions): Promise<Outcome> {
  const dest = join(options.root, MATERIALIZED_DIR, entry.id);
  const stamp = readStamp(options.root, entry.id);
  if (
    !options.force &&
    stamp?.commit === entry.commit &&
    existsSync(dest) &&
    stamp.pathsOnly === options.pathsOnly
  ) {
    return {
      id: entry.id,
      ok: true,
      detail: `already there (${stamp.via})`,
      missingFiles: stamp.missingFiles,
    };
  }
  const paths = options.pathsOnly ? entry.paths : undefined;
  const reasons: string[] = [];
  let via: string | undefined;
  let missing: string[] = [];
  const mirror = findMirror(entry.repo);
  if (!mirror) reasons.push("no fetched snapshot on this machine");
  else if (!hasCommit(mirror, entry.commit))
    reasons.push(`the snapshot in ${mirror} lacks commit ${entry.commit}`);
  else {
    rmSync(dest, { recursive: true, force: true });
    const got = await treeFromMirror(mirror, entry.commit, dest, paths);
    via = `${got.via} from ${mirror}`;
    missing = got.missing;
  }
  if (!via) {
    try {
      via = treeFromClone(entry.repo, entry.commit, dest, paths);
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  if (!via) return { id: entry.id, ok: false, detail: reasons.join("; ") };
  // The manifest's paths are what detection reads: say which of them the tree lacks.
  const absent = entry.paths.filter((p) => !existsSync(join(dest, p)));
  const lacking = [...new Set([...missing.filter((p) => entry.paths.includes(p)), ...absent])];
  const written: Stamp = {
    id: entry.id,
    repo: entry.repo,
    commit: entry.commit,
    branch: entry.branch,
    via,
    pathsOnly: options.pathsOnly,
    missingFiles: missing,
    materializedAt: new Date().toISOString(),
  };
  mkdirSync(join(options.root, STAMP_DIR), { recursive: true });
  writeFileSync(join(options.root, STAMP_DIR, `${entry.id}.json`), `${JSON.stringify(written, null, 2)}\n`);
  const note =
    lacking.length > 0
      ? `; lacks ${lacking.length} manifest path(s): ${lacking.slice(0, 5).join(", ")}`
      : missing.length > 0
        ? `; ${missing.length} large file(s) absent from the snapshot (none detection reads)`
        : "";
  return { id: entry.id, ok: lacking.length === 0, detail: `${via}${note}`, missingFiles: missing };
}

const reposKind: Kind = {
  name: "repos",
  description: "whole repositories at a commit, for measuring shipgate init (bench/corpora/repos)",
  async run(options) {
    const manifest = loadManifest(options.root);
    const entries = manifest.repositories.filter((e) => !options.only || options.only.includes(e.id));
    const unknown = (options.only ?? []).filter((id) => !manifest.repositories.some((e) => e.id === id));
    const outcomes: Outcome[] = unknown.map((id) => ({ id, ok: false, detail: "not in the manifest" }));
    for (const entry of entries) {
      const outcome = await materializeRepo(entry, options);
      options.log(`${outcome.ok ? "ok  " : "FAIL"} ${entry.id.padEnd(22)} ${outcome.detail}`);
      outcomes.push(outcome);
    }
    return outcomes;
  },
};

// ---------------------------------------------------------------------------------------------
// Kind: workflows

/**
 * bench/corpora/workflows: single workflow files and composite actions at a commit, labelled by
 * hand (bench/corpora/workflows/README.md). Each entry is written twice:
 *   .corpora/workflows/<id>.yml                               flat, named by id
 *   .corpora/workflows/repos/<owner>+<name>/<original path>   in its repository's layout
 * with .corpora/workflows/paths.json mapping id -> repo, path, commit and both files. Sources,
 * in order: a fetched snapshot under the mirror roots (`git show <commit>:<path>`), then
 * https://raw.githubusercontent.com/<repo>/<commit>/<path>, then a sparse clone. Every file is
 * checked against the manifest's sha256 (a changed file is reported, never written), and every
 * label's line against the text it was written for.
 */
export const WORKFLOWS_OUT = ".corpora/workflows";

export type RawFetcher = (url: string) => Promise<{ ok: boolean; text(): Promise<string> }>;

export interface WorkflowsOptions extends KindOptions {
  /** Mirror roots to look in; default MIRROR_ROOTS. */
  mirrorRoots?: readonly string[];
  /** raw.githubusercontent.com; `null` turns the network sources (raw and clone) off. */
  fetch?: RawFetcher | null;
}

function showFromMirror(roots: readonly string[], repo: string, commit: string, path: string) {
  const mirror = findMirror(repo, roots);
  if (!mirror) return { reason: "no fetched snapshot on this machine" };
  if (!hasCommit(mirror, commit)) return { reason: `the snapshot in ${mirror} lacks commit ${commit}` };
  const shown = git(["--git-dir", mirror, "show", `${commit}:${path}`]);
  if (shown.status !== 0) return { reason: `the snapshot in ${mirror} lacks ${path}` };
  return { text: shown.stdout, via: `git show from ${mirror}` };
}

async function showFromRaw(fetcher: RawFetcher, repo: string, commit: string, path: string) {
  const url = `https://raw.githubusercontent.com/${repo}/${commit}/${path.split("/").map(encodeURIComponent).join("/")}`;
  try {
    const response = await fetcher(url);
    if (!response.ok) return { reason: `${url} did not answer with the file` };
    return { text: await response.text(), via: "raw.githubusercontent.com" };
  } catch (error) {
    return { reason: `${url}: ${(error as Error).message}` };
  }
}

function showFromClone(repo: string, commit: string, path: string) {
  const tmp = mkdtempSync(join(tmpdir(), "shipgate-workflow-"));
  try {
    treeFromClone(repo, commit, join(tmp, "tree"), [path]);
    return { text: readFileSync(join(tmp, "tree", path), "utf8"), via: "git clone (sparse)" };
  } catch (error) {
    return { reason: (error as Error).message };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The file at repo@commit:path from the first source that has it, or every source's reason. */
export async function readWorkflowFile(
  options: Pick<WorkflowsOptions, "mirrorRoots" | "fetch">,
  repo: string,
  commit: string,
  path: string,
): Promise<{ text: string; via: string } | { reasons: string[] }> {
  const reasons: string[] = [];
  const local = showFromMirror(options.mirrorRoots ?? MIRROR_ROOTS, repo, commit, path);
  if (local.text !== undefined) return { text: local.text, via: local.via };
  reasons.push(local.reason);
  const fetcher = options.fetch === undefined ? (globalThis.fetch as RawFetcher | undefined) : options.fetch;
  if (fetcher) {
    const remote = await showFromRaw(fetcher, repo, commit, path);
    if (remote.text !== undefined) return { text: remote.text, via: remote.via };
    reasons.push(remote.reason);
    const cloned = showFromClone(repo, commit, path);
    if (cloned.text !== undefined) return { text: cloned.text, via: cloned.via };
    reasons.push(cloned.reason);
  }
  return { reasons };
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export interface WorkflowsReport {
  outcomes: Outcome[];
  /** Label lines that do not exist in the materialized files, labels without entries and the reverse. */
  labelErrors: string[];
  /** Local extras (composite actions, reusable workflows) copied into the layout, and those that were not. */
  extras: { written: string[]; missing: string[] };
  /** The repositories' other workflows and local actions, copied for repository-level rules. */
  context: string[];
}

export async function materializeWorkflows(options: WorkflowsOptions): Promise<WorkflowsReport> {
  const dir = workflowCorpusDir(options.root);
  const manifest = readWorkflowManifest(dir);
  const labels = readWorkflowLabels(dir);
  const out = join(options.root, WORKFLOWS_OUT);
  const selected = manifest.entries.filter((e) => !options.only || options.only.includes(e.id));
  // A full run starts clean, so nothing stale is ever measured; --only adds to what is there.
  if (!options.only) rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const pathsFile = join(out, "paths.json");
  const paths: Record<string, { repo: string; path: string; commit: string; flat: string; layout: string }> =
    options.only && existsSync(pathsFile) ? JSON.parse(readFileSync(pathsFile, "utf8")) : {};
  const report: WorkflowsReport = {
    outcomes: [],
    labelErrors: [],
    extras: { written: [], missing: [] },
    context: [],
  };
  const unknown = (options.only ?? []).filter((id) => !manifest.entries.some((e) => e.id === id));
  for (const id of unknown) report.outcomes.push({ id, ok: false, detail: "not in the manifest" });
  const ids = new Set<string>();
  for (const entry of selected) {
    if (ids.has(entry.id)) {
      report.outcomes.push({ id: entry.id, ok: false, detail: "duplicate id in the manifest" });
      continue;
    }
    ids.add(entry.id);
    const got = await readWorkflowFile(options, entry.repo, entry.commit, entry.path);
    let outcome: Outcome;
    if ("reasons" in got) {
      outcome = { id: entry.id, ok: false, detail: got.reasons.join("; ") };
    } else if (entry.sha256 && sha256(got.text) !== entry.sha256) {
      outcome = {
        id: entry.id,
        ok: false,
        detail: `sha256 ${sha256(got.text)} differs from the manifest's (${got.via}): not what was labelled`,
      };
    } else {
      const flat = join(WORKFLOWS_OUT, `${entry.id}.yml`);
      const layout = join(WORKFLOWS_OUT, "repos", entry.repo.replace("/", "+"), entry.path);
      writeFile(join(options.root, flat), got.text);
      writeFile(join(options.root, layout), got.text);
      paths[entry.id] = { repo: entry.repo, path: entry.path, commit: entry.commit, flat, layout };
      outcome = { id: entry.id, ok: true, detail: got.via };
      const labelFile = labels.get(entry.id);
      if (!labelFile) report.labelErrors.push(`${entry.id}: no labels/${entry.id}.yml`);
      else report.labelErrors.push(...checkLabelLines(labelFile.problems, got.text, entry.id));
    }
    options.log(`${outcome.ok ? "ok  " : "FAIL"} ${entry.id.padEnd(40)} ${outcome.detail}`);
    report.outcomes.push(outcome);
  }
  if (!options.only) {
    for (const id of labels.keys()) {
      if (!ids.has(id)) report.labelErrors.push(`labels/${id}.yml has no manifest entry`);
    }
  }
  // Local extras that are not entries themselves: into the repository layout when a source has them.
  const entryKeys = new Set(manifest.entries.map((e) => `${e.repo}:${e.path}`));
  const done = new Set<string>();
  for (const entry of selected) {
    for (const extra of entry.extra) {
      const key = `${entry.repo}:${extra}`;
      if (!extra.startsWith(".github/") || entryKeys.has(key) || done.has(key)) continue;
      done.add(key);
      const got = await readWorkflowFile(options, entry.repo, entry.commit, extra);
      if ("text" in got) {
        writeFile(join(out, "repos", entry.repo.replace("/", "+"), extra), got.text);
        report.extras.written.push(key);
      } else report.extras.missing.push(key);
    }
  }
  // The rest of each repository's workflows and local actions, as the audit of the real
  // repository would read them: repository-level rules (a CI workflow, a staging deploy, a
  // rollback workflow elsewhere) judge against the repository, not the labelled subset. Not
  // scored; taken from a fetched snapshot only.
  for (const repo of new Set(selected.map((e) => e.repo))) {
    const commit = selected.find((e) => e.repo === repo)!.commit;
    const mirror = findMirror(repo, options.mirrorRoots ?? MIRROR_ROOTS);
    if (!mirror || !hasCommit(mirror, commit)) continue;
    const listed = git(["--git-dir", mirror, "ls-tree", "-r", "--name-only", commit, "--", ".github"]);
    if (listed.status !== 0) continue;
    for (const path of listed.stdout.split("\n")) {
      if (!/^\.github\/(workflows\/[^/]+\.ya?ml|actions\/.+\/action\.ya?ml)$/.test(path)) continue;
      const target = join(out, "repos", repo.replace("/", "+"), path);
      if (existsSync(target)) continue;
      const shown = git(["--git-dir", mirror, "show", `${commit}:${path}`]);
      if (shown.status !== 0) continue;
      writeFile(target, shown.stdout);
      report.context.push(`${repo}:${path}`);
    }
  }
  writeFileSync(pathsFile, `${JSON.stringify(paths, null, 2)}\n`);
  return report;
}

/** What to do about files that could not be had, for the person running the command. */
export function howToGetWorkflows(failed: Outcome[], manifest: WorkflowManifest): string {
  const repos = [
    ...new Set(failed.map((f) => manifest.entries.find((e) => e.id === f.id)?.repo).filter(Boolean)),
  ];
  return [
    "To get them: put a git directory of each repository holding the commit under a mirror root",
    `(${MIRROR_ROOTS.join(", ")}; SHIPGATE_CORPUS_MIRRORS adds one), for example`,
    ...repos.map(
      (r) => `  git clone --bare https://github.com/${r} /work/.mirror/${r?.replace("/", "+")}/repo`,
    ),
    "or run where raw.githubusercontent.com or github.com can be reached. A sha256 mismatch means the",
    "file at that commit is not what was labelled: check the manifest entry, never re-label silently.",
  ].join("\n");
}

const workflowsKind: Kind = {
  name: "workflows",
  description: "single workflow files and composite actions at a commit, labelled (bench/corpora/workflows)",
  async run(options) {
    const report = await materializeWorkflows(options);
    const copied = report.extras.written.length;
    if (copied) options.log(`extras copied into the repository layout: ${copied}`);
    if (report.context.length)
      options.log(
        `other workflows and actions of the repositories, for repository-level rules: ${report.context.length}`,
      );
    if (report.extras.missing.length) {
      options.log(
        `extras not available (the flat files do not need them): ${report.extras.missing.join(", ")}`,
      );
    }
    const failed = report.outcomes.filter((o) => !o.ok);
    if (failed.length)
      options.log(howToGetWorkflows(failed, readWorkflowManifest(workflowCorpusDir(options.root))));
    if (report.labelErrors.length) {
      options.log(`${report.labelErrors.length} label problem(s):`);
      for (const e of report.labelErrors) options.log(`  ${e}`);
      return [
        ...report.outcomes,
        { id: "labels", ok: false, detail: "labels do not fit their files (see above)" },
      ];
    }
    if (!failed.length) options.log("every label's line exists in its file");
    return report.outcomes;
  },
};

// ---------------------------------------------------------------------------------------------
// The command

export interface KindOptions {
  root: string;
  only: string[] | undefined;
  force: boolean;
  pathsOnly: boolean;
  log: (line: string) => void;
}

export interface Kind {
  name: string;
  description: string;
  run(options: KindOptions): Promise<Outcome[]>;
}

export const KINDS: Record<string, Kind> = { repos: reposKind, workflows: workflowsKind };

export function parseArgs(
  argv: readonly string[],
): { kind: string | undefined } & Omit<KindOptions, "root" | "log"> {
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "").split(",").filter(Boolean) : undefined;
  const kind = argv.find((a, i) => !a.startsWith("-") && !(onlyAt >= 0 && i === onlyAt + 1));
  return { kind, only, force: argv.includes("--force"), pathsOnly: argv.includes("--paths-only") };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const kind = args.kind ? KINDS[args.kind] : undefined;
  if (!kind) {
    console.error("usage: npm run corpus:materialize -- <kind> [--only id,id] [--force] [--paths-only]");
    for (const k of Object.values(KINDS)) console.error(`  ${k.name.padEnd(10)} ${k.description}`);
    return 2;
  }
  const root = resolve(ROOT);
  const outcomes = await kind.run({ ...args, root, log: (line) => console.log(line) });
  const failed = outcomes.filter((o) => !o.ok);
  console.log(
    `\n${outcomes.length - failed.length} of ${outcomes.length} materialized into .corpora/${kind.name}/`,
  );
  if (failed.length > 0) {
    console.log("could not be had:");
    for (const f of failed) console.log(`  ${f.id}: ${f.detail}`);
  }
  return failed.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(2);
    },
  );
}

/** For tests: the folders a repos run would write. */
export function materializedIds(root: string): string[] {
  const dir = join(root, MATERIALIZED_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith(".")) : [];
}

/**
 * The labelled repository corpus: the manifest (which repository, at which commit, which files
 * detection reads) and one label file per repository (what a careful engineer would put in
 * shipgate.yml, field by field, with evidence). See ./README.md for how both were written.
 *
 * Only this folder's own files are committed; the repositories themselves are materialized into
 * the git-ignored `.corpora/repos/<id>/` by `npm run corpus:materialize -- repos`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const REPOS_DIR = "bench/corpora/repos";
export const MANIFEST_FILE = `${REPOS_DIR}/manifest.json`;
export const LABELS_DIR = `${REPOS_DIR}/labels`;
export const SPLIT_FILE = `${REPOS_DIR}/split.json`;
/** Where materialized trees live, relative to the project root (git-ignored). */
export const MATERIALIZED_DIR = ".corpora/repos";
/** Beside the trees, never inside them, so detection does not read it. */
export const STAMP_DIR = ".corpora/repos/.stamps";
/** Who commits in the scratch repositories the scripts make of a materialized tree. */
export const SCRATCH_GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "corpus",
  GIT_AUTHOR_EMAIL: "corpus@example.invalid",
  GIT_COMMITTER_NAME: "corpus",
  GIT_COMMITTER_EMAIL: "corpus@example.invalid",
};

export const ECOSYSTEMS = [
  "node-npm",
  "node-pnpm",
  "node-yarn",
  "python-pip",
  "python-poetry",
  "python-uv",
  "go",
  "rust",
  "java-maven",
  "java-gradle",
] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export interface ManifestEntry {
  id: string;
  /** owner/name on GitHub. */
  repo: string;
  /** The exact commit labelled, 40 hex digits. */
  commit: string;
  /** The branch the commit was taken from (the default branch when it was recorded). */
  branch: string;
  ecosystem: Ecosystem;
  /** Files detection should read, for a partial materialization when a whole tree cannot be had. */
  paths: string[];
}

export interface Manifest {
  version: 1;
  description: string;
  repositories: ManifestEntry[];
}

/** Every labelled field; `defaultBranch` is per repository, the rest per app. */
export const APP_FIELDS = [
  "path",
  "name",
  "language",
  "packageManager",
  "languageVersion",
  "install",
  "lint",
  "typecheck",
  "test",
  "build",
  "start",
  "healthPath",
  "readyPath",
  "port",
  "services",
  "testEnv",
  "dockerfile",
  "setupNeeds",
] as const;
export type AppField = (typeof APP_FIELDS)[number];
export type Field = "defaultBranch" | AppField;
export const FIELDS: readonly Field[] = ["defaultBranch", ...APP_FIELDS];

/** A labelled value: a string, number or list; `null` when the project has none; "unknown". */
export type LabelValue = string | number | string[] | null;

export interface LabelledField {
  value: LabelValue;
  /** Other values a careful engineer would accept as equally right. */
  accept: LabelValue[];
  /** file:line references that justify the value. */
  evidence: string[];
  /** Why the field is `unknown`. */
  why?: string;
  /** languageVersion only: the file the version comes from. */
  file?: string;
}

export interface LabelledApp {
  /** path and name are plain strings in the label files; kept as fields to score them alike. */
  fields: Record<AppField, LabelledField>;
  notes?: string;
}

export interface RepoLabel {
  id: string;
  repo: string;
  commit: string;
  ecosystem: Ecosystem;
  reviewed: string;
  defaultBranch: LabelledField;
  apps: LabelledApp[];
}

export const UNKNOWN = "unknown";

export class LabelError extends Error {}

export function loadManifest(root: string): Manifest {
  const manifest = JSON.parse(readFileSync(join(root, MANIFEST_FILE), "utf8")) as Manifest;
  if (manifest.version !== 1 || !Array.isArray(manifest.repositories)) {
    throw new LabelError(`${MANIFEST_FILE}: expected {"version": 1, "repositories": [...]}`);
  }
  return manifest;
}

export const SPLITS = ["dev", "test"] as const;
export type SplitName = (typeof SPLITS)[number];

/**
 * Which repositories detection may be tuned against (dev) and which are only measured (test).
 * Checked against the manifest: every repository in exactly one set, no unknown id.
 */
export function loadSplit(root: string, manifest: Manifest): Record<SplitName, string[]> {
  const raw = JSON.parse(readFileSync(join(root, SPLIT_FILE), "utf8")) as Partial<Record<SplitName, unknown>>;
  const ids = manifest.repositories.map((e) => e.id);
  const split = {} as Record<SplitName, string[]>;
  const seen = new Set<string>();
  for (const name of SPLITS) {
    const list = raw[name];
    if (!Array.isArray(list) || !list.every((id): id is string => typeof id === "string")) {
      throw new LabelError(`${SPLIT_FILE}: ${name} must be a list of repository ids`);
    }
    for (const id of list) {
      if (!ids.includes(id)) throw new LabelError(`${SPLIT_FILE}: ${id} is not in the manifest`);
      if (seen.has(id)) throw new LabelError(`${SPLIT_FILE}: ${id} is listed twice`);
      seen.add(id);
    }
    split[name] = list;
  }
  const unplaced = ids.filter((id) => !seen.has(id));
  if (unplaced.length) throw new LabelError(`${SPLIT_FILE}: ${unplaced.join(", ")} in neither set`);
  return split;
}

export function loadLabels(root: string): Map<string, RepoLabel> {
  const dir = join(root, LABELS_DIR);
  const labels = new Map<string, RepoLabel>();
  if (!existsSync(dir)) return labels;
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".yml")) continue;
    const label = parseLabel(readFileSync(join(dir, name), "utf8"), `${LABELS_DIR}/${name}`);
    labels.set(label.id, label);
  }
  return labels;
}

/** Reads one label file, checking its shape so a typo fails loudly instead of scoring nothing. */
export function parseLabel(text: string, where = "label"): RepoLabel {
  const raw = parse(text) as Record<string, unknown> | null;
  if (!raw || typeof raw !== "object") throw new LabelError(`${where}: not a mapping`);
  const str = (key: string): string => {
    const v = raw[key];
    if (typeof v !== "string" || v === "") throw new LabelError(`${where}: ${key} must be a string`);
    return v;
  };
  const ecosystem = str("ecosystem");
  if (!(ECOSYSTEMS as readonly string[]).includes(ecosystem)) {
    throw new LabelError(`${where}: ecosystem ${ecosystem} is not one of ${ECOSYSTEMS.join(", ")}`);
  }
  if (!/^[0-9a-f]{40}$/.test(str("commit"))) throw new LabelError(`${where}: commit must be 40 hex digits`);
  const reviewed = raw.reviewed instanceof Date ? raw.reviewed.toISOString().slice(0, 10) : str("reviewed");
  const apps = raw.apps;
  if (!Array.isArray(apps) || apps.length === 0)
    throw new LabelError(`${where}: apps must be a non-empty list`);
  return {
    id: str("id"),
    repo: str("repo"),
    commit: str("commit"),
    ecosystem: ecosystem as Ecosystem,
    reviewed,
    defaultBranch: parseField(raw.defaultBranch, `${where}: defaultBranch`),
    apps: apps.map((app, i) => parseApp(app, `${where}: apps[${i}]`)),
  };
}

function parseApp(raw: unknown, where: string): LabelledApp {
  if (!raw || typeof raw !== "object") throw new LabelError(`${where}: not a mapping`);
  const app = raw as Record<string, unknown>;
  const fields = {} as Record<AppField, LabelledField>;
  for (const field of APP_FIELDS) {
    const value = app[field];
    if (value === undefined) throw new LabelError(`${where}: ${field} is missing (write null or unknown)`);
    // path and name are written as plain values; everything else as {value, evidence}.
    fields[field] =
      field === "path" || field === "name"
        ? { value: String(value), accept: [], evidence: [] }
        : parseField(value, `${where}.${field}`);
  }
  for (const key of Object.keys(app)) {
    if (!(APP_FIELDS as readonly string[]).includes(key) && key !== "notes") {
      throw new LabelError(`${where}: unknown key ${key}`);
    }
  }
  return { fields, ...(typeof app.notes === "string" ? { notes: app.notes } : {}) };
}

function parseField(raw: unknown, where: string): LabelledField {
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !("value" in raw)) {
    throw new LabelError(`${where}: expected {value, evidence}`);
  }
  const f = raw as Record<string, unknown>;
  const value = labelValue(f.value, where);
  const evidence = f.evidence;
  if (!Array.isArray(evidence) || evidence.length === 0 || !evidence.every((e) => typeof e === "string")) {
    throw new LabelError(`${where}: evidence must be a non-empty list of file:line strings`);
  }
  if (value === UNKNOWN && typeof f.why !== "string") throw new LabelError(`${where}: unknown needs a why`);
  const accept = f.accept === undefined ? [] : f.accept;
  if (!Array.isArray(accept)) throw new LabelError(`${where}: accept must be a list`);
  return {
    value,
    accept: accept.map((a) => labelValue(a, `${where}.accept`)),
    evidence: evidence as string[],
    ...(typeof f.why === "string" ? { why: f.why } : {}),
    ...(typeof f.file === "string" ? { file: f.file } : {}),
  };
}

function labelValue(v: unknown, where: string): LabelValue {
  if (v === null || typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new LabelError(`${where}: a value is a string, a number, a list of strings or null`);
}

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * A labelled real-world corpus, as committed: bench/corpora/<corpus>/manifest.json says where
 * each file lives (repository, path, commit, sha256) and labels/<id>.yml says what a reviewer
 * found in it. The files themselves are never committed; materialize.ts writes them into the
 * git-ignored .corpora/<corpus>/.
 */

export const CATEGORIES = [
  "unpinned-action",
  "long-lived-credentials",
  "secret-exposure",
  "script-injection",
  "untrusted-checkout",
  "excessive-permissions",
  "missing-permissions",
  "production-without-gate",
  "deploy-concurrency",
  "no-post-deploy-check",
  "no-rollback",
  "mutable-artifact",
  "floating-version",
  "insecure-download",
  "non-deterministic-install",
  "invalid-workflow",
  "missing-timeout",
  "persist-credentials",
  "self-hosted-on-pull-request",
  "other",
] as const;
export type LabelCategory = (typeof CATEGORIES)[number];

export type LabelSeverity = "error" | "warning" | "note";
export type Split = "dev" | "test";
export type EntryKind = "deploy" | "ci" | "release" | "control" | "reusable" | "action";

export interface ManifestEntry {
  id: string;
  /** owner/name on GitHub. */
  repo: string;
  /** Path of the file inside the repository. */
  path: string;
  /** The 40-hex commit the file was read (and labelled) at. */
  commit: string;
  /** sha256 of the file's bytes at that commit: a changed file is detected, never silently measured. */
  sha256: string;
  kind: EntryKind;
  targets: string[];
  /** Where it deploys; production is null when an input decides. */
  environments: Array<{ name: string; production: boolean | null; evidence: string }>;
  split: Split;
  /** Local composite actions or reusable workflows the file uses (repository paths, or owner/repo/path for other repositories). */
  extra: string[];
}

export interface Manifest {
  corpus: string;
  description?: string;
  split?: string;
  entries: ManifestEntry[];
}

export interface Label {
  /** The entry id the label belongs to. */
  id: string;
  line: number;
  endLine?: number;
  category: LabelCategory;
  severity: LabelSeverity;
  note: string;
}

export interface LabelFile {
  id: string;
  reviewed: string;
  problems: Label[];
}

export function corpusDir(root: string, corpus = "workflows"): string {
  return join(root, "bench", "corpora", corpus);
}

export function readManifest(dir: string): Manifest {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  if (!Array.isArray(manifest.entries)) throw new Error(`${dir}/manifest.json has no entries`);
  return manifest;
}

/** Parses one labels/<id>.yml; throws with the file name on anything malformed. */
export function parseLabelFile(text: string, file: string): LabelFile {
  const data = parse(text) as {
    id?: unknown;
    reviewed?: unknown;
    problems?: Array<Record<string, unknown>> | null;
  } | null;
  if (!data || typeof data.id !== "string") throw new Error(`${file}: no id`);
  if (data.reviewed === undefined) throw new Error(`${file}: no reviewed: date`);
  const problems: Label[] = [];
  for (const [i, p] of (data.problems ?? []).entries()) {
    const where = `${file}: problem ${i + 1}`;
    if (typeof p.line !== "number" || p.line < 1) throw new Error(`${where}: line must be a positive number`);
    if (p.endLine !== undefined && (typeof p.endLine !== "number" || p.endLine < p.line)) {
      throw new Error(`${where}: endLine must be a number not before line`);
    }
    if (!CATEGORIES.includes(p.category as LabelCategory))
      throw new Error(`${where}: unknown category ${p.category}`);
    if (!["error", "warning", "note"].includes(p.severity as string)) {
      throw new Error(`${where}: severity must be error, warning or note`);
    }
    problems.push({
      id: data.id,
      line: p.line,
      ...(p.endLine !== undefined ? { endLine: p.endLine as number } : {}),
      category: p.category as LabelCategory,
      severity: p.severity as LabelSeverity,
      note: String(p.note ?? ""),
    });
  }
  return { id: data.id, reviewed: String(data.reviewed), problems };
}

/** Every labels/*.yml of a corpus, by id. */
export function readLabels(dir: string): Map<string, LabelFile> {
  const labels = new Map<string, LabelFile>();
  const labelDir = join(dir, "labels");
  for (const name of readdirSync(labelDir)
    .filter((n) => n.endsWith(".yml"))
    .sort()) {
    const file = parseLabelFile(readFileSync(join(labelDir, name), "utf8"), `labels/${name}`);
    if (`${file.id}.yml` !== name)
      throw new Error(`labels/${name}: id ${file.id} does not match the file name`);
    labels.set(file.id, file);
  }
  return labels;
}

/**
 * Checks labels against the text they were written for: every line (and endLine) must exist
 * and the range must not be blank. Returns one message per problem found.
 */
export function checkLabelLines(labels: Label[], text: string, id: string): string[] {
  const lines = text.split("\n");
  const count = text.endsWith("\n") ? lines.length - 1 : lines.length;
  const errors: string[] = [];
  for (const label of labels) {
    const end = label.endLine ?? label.line;
    if (end > count) {
      errors.push(
        `${id}: label at line ${label.line}${label.endLine ? `-${end}` : ""} is past the end (${count} lines)`,
      );
      continue;
    }
    const range = lines.slice(label.line - 1, end);
    if (range.every((l) => l.trim() === ""))
      errors.push(`${id}: label at line ${label.line} points at blank lines`);
  }
  return errors;
}

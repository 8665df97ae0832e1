import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { readFileBytes } from "../config/text-file.js";
import { findGitRoot, readGitFacts } from "../detect/git.js";
import { inputError, ShipgateError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readBaseline, writeBaseline } from "./baseline.js";
import { type AuditInput, type AuditResult, auditWorkflows } from "./engine.js";
import { applyFixes } from "./fix.js";
import { WORKFLOW_LIMITS } from "./limits.js";
import { auditWorkflowsParallel } from "./parallel.js";
import { loadAuditSettings } from "./settings.js";
import type { Finding, Severity } from "./types.js";

export { auditWorkflowsParallel, createAuditPool } from "./parallel.js";
export { renderGithub } from "./report/github.js";
export { renderSarif } from "./report/sarif.js";
export { renderText } from "./report/text.js";
export { RULE_REGISTRY, RULES } from "./rules/index.js";
export type { Finding, Rule, Severity } from "./types.js";
export { auditWorkflows };

export interface AuditRepositoryOptions {
  root: string;
  /**
   * Files or folders to audit; when empty, `.github/workflows/`, the composite actions under
   * `.github/actions/` and a root `action.yml` of root.
   */
  paths?: string[];
  /** Apply safe fixes to the files, then audit again. */
  fix?: boolean;
  /** With fix: compute the fixed text but write nothing. */
  dryRun?: boolean;
  baselinePath?: string;
  writeBaselinePath?: string;
  /**
   * The GitHub user or organisation owning the repository (its own actions are graded as its
   * own code); by default the owner in the URL of root's `origin` remote.
   */
  repositoryOwner?: string;
  /** The repository's name; by default the name in the URL of root's `origin` remote. */
  repositoryName?: string;
}

export interface AuditRun extends AuditResult {
  /** Findings hidden because the baseline accepts them. */
  hiddenByBaseline: number;
  /** Original text of every audited file, by its display path. */
  sources: Map<string, string>;
  /** Files changed (or, with dryRun, that would change) by --fix: path → [before, after]. */
  fixed: Map<string, [string, string]>;
}

const SEVERITY_RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

export function atOrAbove(findings: Finding[], min: Severity): Finding[] {
  return findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);
}

/** Audits a repository's workflows, honouring shipgate.yml's `audit:` section and a baseline. */
export async function auditRepository(options: AuditRepositoryOptions): Promise<AuditRun> {
  const root = resolve(options.root);
  const settings = await loadAuditSettings({ path: join(root, "shipgate.yml"), displayPath: "shipgate.yml" });
  const files = await collectFiles(root, options.paths ?? []);
  const inputs: AuditInput[] = await Promise.all(
    files.map(async (absolute) => {
      const path = display(root, absolute);
      const bytes = await readFileBytes({
        path: absolute,
        file: path,
        maxBytes: WORKFLOW_LIMITS.maxBytes,
        prefix: "audit",
      });
      // Workflows are audited, not obeyed: a byte that is not UTF-8 shows as U+FFFD in a
      // finding instead of stopping the audit of every other file.
      return { path, text: bytes.toString("utf8") };
    }),
  );
  const sources = new Map(inputs.map((i) => [i.path, i.text]));
  const auditSettings = {
    rules: settings?.rules,
    ...(await origin(root, options)),
  };
  let result = await auditWorkflowsParallel({ files: inputs, settings: auditSettings });

  const fixed = new Map<string, [string, string]>();
  if (options.fix) {
    for (const input of inputs) {
      const { text, applied } = applyFixes(
        input.text,
        result.findings.filter((f) => f.file === input.path),
      );
      if (applied > 0 && text !== input.text) fixed.set(input.path, [input.text, text]);
    }
    if (!options.dryRun) {
      for (const [path, [, after]] of fixed) await writeFileAtomic(resolve(root, path), after);
    }
    const after = inputs.map((i) => ({ path: i.path, text: fixed.get(i.path)?.[1] ?? i.text }));
    if (!options.dryRun) {
      result = await auditWorkflowsParallel({ files: after, settings: auditSettings });
      for (const i of after) sources.set(i.path, i.text);
    }
  }

  if (options.writeBaselinePath)
    await writeBaseline(resolve(root, options.writeBaselinePath), result.findings);
  let hiddenByBaseline = 0;
  const baselinePath = options.baselinePath ?? settings?.baseline;
  if (baselinePath && !options.writeBaselinePath) {
    const accepted = await readBaseline(resolve(root, baselinePath));
    const fresh = result.findings.filter((f) => !accepted.has(f.fingerprint));
    hiddenByBaseline = result.findings.length - fresh.length;
    result = { ...result, findings: fresh };
  }
  return { ...result, hiddenByBaseline, sources, fixed };
}

/** Whose repository this is, as given or as root's `origin` remote says. */
async function origin(
  root: string,
  options: Pick<AuditRepositoryOptions, "repositoryOwner" | "repositoryName">,
): Promise<{ repositoryOwner?: string; repositoryName?: string }> {
  if (options.repositoryOwner !== undefined && options.repositoryName !== undefined)
    return { repositoryOwner: options.repositoryOwner, repositoryName: options.repositoryName };
  const gitRoot = await findGitRoot(root);
  const facts = gitRoot ? await readGitFacts(gitRoot) : undefined;
  return {
    repositoryOwner: options.repositoryOwner ?? facts?.remoteOwner ?? undefined,
    repositoryName: options.repositoryName ?? facts?.remoteName ?? undefined,
  };
}

function display(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  return (rel.startsWith("..") ? absolute : rel).split(sep).join("/");
}

const WORKFLOW_FILE = /\.ya?ml$/;
const ACTION_FILE = /^action\.ya?ml$/;

/** What is audited when no paths are given: workflows, local actions, the repository's own action. */
async function defaultFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string, keep: RegExp) => {
    const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
    for (const e of entries) if (e.isFile() && keep.test(e.name)) out.push(join(e.parentPath, e.name));
  };
  await walk(join(root, ".github", "workflows"), WORKFLOW_FILE);
  await walk(join(root, ".github", "actions"), ACTION_FILE);
  for (const name of ["action.yml", "action.yaml"]) {
    const info = await stat(join(root, name)).catch(() => null);
    if (info?.isFile()) out.push(join(root, name));
  }
  return [...new Set(out)].sort();
}

async function collectFiles(root: string, paths: string[]): Promise<string[]> {
  if (!paths.length) return defaultFiles(root);
  const targets = paths.map((p) => resolve(root, p));
  const out: string[] = [];
  for (const target of targets) {
    const info = await stat(target).catch(() => null);
    if (!info) {
      throw new ShipgateError({
        code: "audit/path-not-found",
        message: `${display(root, target)} does not exist`,
        hint: "pass workflow files or folders, or run in a repository with .github/workflows/",
      });
    }
    if (info.isFile()) {
      out.push(target);
      continue;
    }
    if (!info.isDirectory()) {
      throw inputError(
        "audit/not-a-file",
        "neither a file nor a folder (a device, pipe or socket), so it is not read",
        {
          location: { file: display(root, target), line: 1, column: 1 },
          hint: "pass workflow files or folders; devices, pipes and sockets are not read",
        },
      );
    }
    const entries = await readdir(target, { withFileTypes: true, recursive: true });
    for (const e of entries) {
      if (e.isFile() && WORKFLOW_FILE.test(e.name)) out.push(join(e.parentPath, e.name));
    }
  }
  return [...new Set(out)].sort();
}

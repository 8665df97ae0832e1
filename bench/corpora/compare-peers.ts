/**
 * The labelled workflow corpus, scored for shipgate audit and for two peers run beside it on
 * the same files: zizmor (a security auditor) and native actionlint (a linter). Each peer's
 * findings are mapped to the corpus's label categories (PEER_CATEGORIES) and matched to labels
 * exactly as shipgate's are (score-audit.ts). Only shipgate's unmatched findings are judged in
 * judgements.yml; a peer's precision is therefore shown as its lower bound (matched / findings).
 *
 *   npm run corpus:compare-peers -- [--split dev|test|all] [--zizmor PATH] [--actionlint PATH]
 *
 * Peers are found on PATH, in ~/.local/bin (pip --user) and ~/go/bin (go install), or given.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseJudgements, RULE_CATEGORIES, type Score, type ScoredFinding, score } from "./score-audit.js";
import {
  corpusDir,
  type LabelCategory,
  type LabelSeverity,
  type ManifestEntry,
  readLabels,
  readManifest,
} from "./workflows/corpus.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const REPOS = join(ROOT, ".corpora/workflows/repos");

/** zizmor audits and actionlint kinds, by the label categories their findings stand for. */
export const PEER_CATEGORIES: Record<string, readonly LabelCategory[]> = {
  // zizmor
  "unpinned-uses": ["unpinned-action"],
  "stale-action-refs": ["unpinned-action"],
  "ref-version-mismatch": ["unpinned-action"],
  "impostor-commit": ["unpinned-action"],
  "ref-confusion": ["unpinned-action"],
  "template-injection": ["script-injection"],
  "github-env": ["script-injection", "secret-exposure"],
  "excessive-permissions": ["excessive-permissions", "missing-permissions"],
  "undocumented-permissions": ["excessive-permissions"],
  artipacked: ["persist-credentials"],
  "secrets-inherit": ["secret-exposure"],
  "overprovisioned-secrets": ["secret-exposure"],
  "unredacted-secrets": ["secret-exposure"],
  "secrets-outside-env": ["secret-exposure"],
  "hardcoded-container-credentials": ["secret-exposure", "long-lived-credentials"],
  "use-trusted-publishing": ["long-lived-credentials"],
  "dangerous-triggers": ["untrusted-checkout"],
  "bot-conditions": ["untrusted-checkout"],
  "cache-poisoning": ["other"],
  "insecure-commands": ["invalid-workflow"],
  "self-hosted-runner": ["self-hosted-on-pull-request"],
  "unpinned-images": ["mutable-artifact"],
  "concurrency-limits": ["deploy-concurrency"],
  "anonymous-definition": ["other"],
  obfuscation: ["other"],
  "unsound-contains": ["other"],
  "unsound-condition": ["other"],
  "forbidden-uses": ["other"],
  "archived-uses": ["other"],
  misfeature: ["other"],
  // actionlint
  "syntax-check": ["invalid-workflow", "other"],
  expression: ["invalid-workflow", "script-injection", "other"],
  "runner-label": ["invalid-workflow"],
  "deprecated-commands": ["invalid-workflow"],
  credentials: ["secret-exposure", "long-lived-credentials"],
  action: ["invalid-workflow", "other"],
  events: ["invalid-workflow", "other"],
  "job-needs": ["invalid-workflow", "other"],
  matrix: ["invalid-workflow", "other"],
  glob: ["invalid-workflow", "other"],
  permissions: ["invalid-workflow", "excessive-permissions"],
  id: ["invalid-workflow", "other"],
  "env-var": ["invalid-workflow", "other"],
  "workflow-call": ["invalid-workflow", "other"],
  "if-cond": ["invalid-workflow", "other"],
  shellcheck: ["insecure-download", "other"],
  pyflakes: ["other"],
};

const ZIZMOR_SEVERITY: Record<string, LabelSeverity> = {
  High: "error",
  Medium: "warning",
  Low: "warning",
  Informational: "note",
  Unknown: "note",
};

function find(tool: string, given?: string): string | undefined {
  const candidates = [given, join(homedir(), ".local/bin", tool), join(homedir(), "go/bin", tool)];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const which = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

interface ZizmorFinding {
  ident: string;
  determinations: { severity: string };
  locations: Array<{
    symbolic: { key: { Local?: { verbatim_path: string } }; kind: string };
    concrete: { location: { start_point: { row: number } } };
  }>;
}

function runZizmor(
  bin: string,
  entries: readonly ManifestEntry[],
): { findings: ScoredFinding[]; ms: number } {
  const findings: ScoredFinding[] = [];
  let ms = 0;
  for (const repo of new Set(entries.map((e) => e.repo))) {
    const dir = repo.replace("/", "+");
    const byPath = new Map(entries.filter((e) => e.repo === repo).map((e) => [`${dir}/${e.path}`, e.id]));
    const zizmor = (target: string) => {
      const started = performance.now();
      const run = spawnSync(bin, ["--offline", "--no-progress", "--format", "json", target], {
        cwd: REPOS,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      ms += performance.now() - started;
      return run;
    };
    const run = zizmor(dir);
    // zizmor stops at the first file it cannot load; then each labelled file is run on its own,
    // and the ones it cannot read are reported (they count as no findings).
    const outputs: string[] = [];
    if (run.stdout.trim()) outputs.push(run.stdout);
    else {
      console.error(
        `zizmor on ${dir}: ${
          run.stderr
            .trim()
            .split("\n")
            .find((l) => /error/i.test(l)) ?? "no output"
        }; running each labelled file alone`,
      );
      for (const path of byPath.keys()) {
        const single = zizmor(path);
        if (single.stdout.trim()) outputs.push(single.stdout);
        else
          console.error(
            `zizmor could not read ${path}: ${
              single.stderr
                .trim()
                .split("\n")
                .find((l) => /error/i.test(l)) ?? "no output"
            }`,
          );
      }
    }
    for (const f of outputs.flatMap((out) => JSON.parse(out) as ZizmorFinding[])) {
      const primary = f.locations.find((l) => l.symbolic.kind === "Primary") ?? f.locations[0];
      const id = byPath.get(primary?.symbolic.key.Local?.verbatim_path ?? "");
      if (!id || !primary) continue;
      findings.push({
        id,
        ruleId: f.ident,
        severity: ZIZMOR_SEVERITY[f.determinations.severity] ?? "note",
        line: primary.concrete.location.start_point.row + 1,
        message: f.ident,
      });
    }
  }
  return { findings, ms };
}

function runActionlint(
  bin: string,
  entries: readonly ManifestEntry[],
): { findings: ScoredFinding[]; ms: number } {
  const findings: ScoredFinding[] = [];
  let ms = 0;
  for (const repo of new Set(entries.map((e) => e.repo))) {
    const dir = join(REPOS, repo.replace("/", "+"));
    // actionlint reads workflows only; composite actions are not its input.
    const own = entries.filter((e) => e.repo === repo && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(e.path));
    if (own.length === 0) continue;
    const byPath = new Map(own.map((e) => [e.path, e.id]));
    const started = performance.now();
    const run = spawnSync(bin, ["-format", "{{json .}}", ...own.map((e) => e.path)], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    ms += performance.now() - started;
    const list = JSON.parse(run.stdout || "[]") as Array<{ filepath: string; line: number; kind: string }>;
    for (const f of list) {
      const id = byPath.get(f.filepath);
      if (id) findings.push({ id, ruleId: f.kind, severity: "error", line: f.line, message: f.kind });
    }
  }
  return { findings, ms };
}

async function shipgate(
  entries: readonly ManifestEntry[],
): Promise<{ findings: ScoredFinding[]; ms: number }> {
  const engine = (await import(pathToFileURL(join(ROOT, "dist/audit/engine.js")).href)) as {
    auditWorkflows(input: { files: Array<{ path: string; text: string }> }): {
      findings: Array<{
        file: string;
        ruleId: string;
        severity: LabelSeverity;
        region: { startLine: number };
      }>;
    };
  };
  const findings: ScoredFinding[] = [];
  let ms = 0;
  for (const repo of new Set(entries.map((e) => e.repo))) {
    const dir = join(REPOS, repo.replace("/", "+"));
    const own = entries.filter((e) => e.repo === repo);
    // The whole repository, as the audit of a checkout reads it; only the entries are scored.
    const files = yamlFiles(dir).map((path) => ({ path, text: readFileSync(join(dir, path), "utf8") }));
    const byPath = new Map(own.map((e) => [e.path, e.id]));
    const started = performance.now();
    const result = engine.auditWorkflows({ files });
    ms += performance.now() - started;
    for (const f of result.findings) {
      const id = byPath.get(f.file);
      if (id)
        findings.push({
          id,
          ruleId: f.ruleId,
          severity: f.severity,
          line: f.region.startLine,
          message: f.ruleId,
        });
    }
  }
  return { findings, ms };
}

function yamlFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full, base);
    return /\.ya?ml$/.test(name) ? [relative(base, full)] : [];
  });
}

function pct(r: { value: number | null; hit: number; total: number }): string {
  return r.value === null ? "—" : `${(r.value * 100).toFixed(1)}% (${r.hit}/${r.total})`;
}

function table(rows: Array<[string, Score | undefined]>, categories: readonly LabelCategory[]): string {
  const head = `| | ${rows.map(([n]) => n).join(" | ")} |\n|---|${rows.map(() => "---").join("|")}|`;
  const line = (name: string, cell: (s: Score) => string) =>
    `| ${name} | ${rows.map(([, s]) => (s ? cell(s) : "not run")).join(" | ")} |`;
  const out = [
    head,
    line("recall (warning/error labels)", (s) => pct(s.recall)),
    line("findings at warning/error", (s) => String(s.findings.scored)),
    line("of them matching a label", (s) => String(s.precision.matched)),
    line("precision, judged", (s) =>
      s.precision.judgedTruePositive + s.precision.judgedFalsePositive > 0 && s.precision.value !== null
        ? `${(s.precision.value * 100).toFixed(1)}%${s.precision.unjudged ? ` (${s.precision.unjudged} unjudged)` : ""}`
        : `≥ ${((s.precision.matched / Math.max(1, s.findings.scored)) * 100).toFixed(1)}% (unmatched not judged)`,
    ),
  ];
  for (const c of categories) {
    if (rows.every(([, s]) => !s?.recallByCategory[c])) continue;
    out.push(line(`recall: ${c}`, (s) => (s.recallByCategory[c] ? pct(s.recallByCategory[c]!) : "—")));
  }
  return out.join("\n");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const split = opt("--split") ?? "test";
  const dir = corpusDir(ROOT);
  const entries = readManifest(dir).entries.filter((e) => split === "all" || e.split === split);
  const labels = readLabels(dir);
  const labelList = entries.flatMap((e) => labels.get(e.id)?.problems ?? []);
  const judgementsFile = join(dir, "judgements.yml");
  const judgements = existsSync(judgementsFile)
    ? parseJudgements(readFileSync(judgementsFile, "utf8"), judgementsFile)
    : new Map();
  const rows: Array<[string, Score | undefined]> = [];
  const timing: string[] = [];

  const own = await shipgate(entries);
  rows.push(["shipgate audit", score(labelList, own.findings, judgements, entries.length, RULE_CATEGORIES)]);
  timing.push(`shipgate audit ${own.ms.toFixed(0)} ms (in process)`);

  const zizmor = find("zizmor", opt("--zizmor"));
  if (zizmor) {
    const version = spawnSync(zizmor, ["--version"], { encoding: "utf8" }).stdout.trim();
    const z = runZizmor(zizmor, entries);
    rows.push([version, score(labelList, z.findings, new Map(), entries.length, PEER_CATEGORIES)]);
    timing.push(`${version} ${z.ms.toFixed(0)} ms (one process per repository)`);
  } else rows.push(["zizmor", undefined]);

  const actionlint = find("actionlint", opt("--actionlint"));
  if (actionlint) {
    const version = spawnSync(actionlint, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0]!.trim();
    const a = runActionlint(actionlint, entries);
    rows.push([
      `actionlint ${version}`,
      score(labelList, a.findings, new Map(), entries.length, PEER_CATEGORIES),
    ]);
    timing.push(`actionlint ${version} ${a.ms.toFixed(0)} ms (one process per repository)`);
  } else rows.push(["actionlint", undefined]);

  const categories = [...new Set(labelList.map((l) => l.category))].sort() as LabelCategory[];
  console.log(`== ${split}: ${entries.length} files, ${labelList.length} labels\n`);
  console.log(table(rows, categories));
  console.log(`\n${timing.join("\n")}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

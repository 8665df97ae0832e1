/**
 * corpus:score-audit — how well `shipgate audit` finds what reviewers found in real workflows it
 * was not built against (bench/corpora/workflows/README.md).
 *
 *   npm run corpus:materialize -- workflows
 *   npm run corpus:score-audit -- [--split dev|test|all] [--json] [--only id,id]
 *                                 [--layout repos|single] [--judgements <file>] [--verbose]
 *
 * It audits the materialized files with the built library (`auditWorkflows` from
 * dist/audit/engine.js; the npm script builds first), then:
 *
 * - matches each finding at warning or error to a label of the same file when the finding's line
 *   is within the label's lines (line..endLine) widened by 2 on each side, and the finding's rule
 *   maps to the label's category in RULE_CATEGORIES. Each label is found by at most one finding
 *   (the closest); further findings of an already-found problem count as matched duplicates;
 * - recall = labels found / labels, over labels of severity warning and error, per category, per
 *   split and overall;
 * - precision = (matched findings + findings judged true positives) / findings at warning and
 *   error. Findings that match no label are listed for a person to judge in
 *   bench/corpora/workflows/judgements.yml (`<id>:<line>:<rule>: true-positive|false-positive
 *   # why`); those not judged yet are printed and counted apart, never guessed.
 *
 * Layouts: `repos` (default) audits each repository's materialized files together, at their
 * original paths (.corpora/workflows/repos/<owner>+<name>/...), so local composite actions and
 * reusable workflows are there to be read; `single` audits each file on its own at its path.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CATEGORIES,
  corpusDir,
  type Label,
  type LabelCategory,
  type LabelSeverity,
  type ManifestEntry,
  readLabels,
  readManifest,
  type Split,
} from "./workflows/corpus.js";

/**
 * Which label categories each audit rule's findings can stand for. Rules not listed match
 * nothing: their findings are all unmatched and go to judgement. A rule may map to several
 * categories (e.g. one that reports both missing and excessive token permissions).
 */
export const RULE_CATEGORIES: Record<string, readonly LabelCategory[]> = {
  "aws-static-credentials": ["long-lived-credentials"],
  "cloud-static-credentials": ["long-lived-credentials"],
  "ci-no-cancel-stale": ["other"],
  "condition-always-true": ["other", "invalid-workflow"],
  "curl-pipe-shell": ["insecure-download"],
  "deploy-after-failure": ["other"],
  "deploy-cancel-in-progress": ["deploy-concurrency"],
  "deploy-missing-concurrency": ["deploy-concurrency"],
  "deploy-without-ci": ["other"],
  "deploy-without-rollback": ["no-rollback"],
  "deprecated-workflow-command": ["invalid-workflow"],
  "docker-build-no-cache": ["other"],
  "ecs-no-wait": ["no-post-deploy-check"],
  "excessive-permissions": ["excessive-permissions"],
  "floating-tool-version": ["floating-version"],
  "hardcoded-credentials": ["secret-exposure", "long-lived-credentials"],
  "ignore-without-reason": ["other"],
  "image-tag-not-sha": ["mutable-artifact"],
  "insecure-download": ["insecure-download"],
  "ssh-host-key-unchecked": ["other"],
  "tls-verification-disabled": ["other", "insecure-download"],
  "unverified-download": ["insecure-download"],
  "invalid-workflow": ["invalid-workflow"],
  "kubectl-no-rollout-status": ["no-post-deploy-check"],
  "missing-dependency-cache": ["other"],
  "missing-permissions": ["missing-permissions"],
  "missing-timeout": ["missing-timeout"],
  "mutable-image-tag": ["mutable-artifact"],
  "no-post-deploy-check": ["no-post-deploy-check"],
  "no-staging-environment": ["other"],
  // An unpinned `pip install <tool>` is both an unlocked install and a floating tool version.
  "non-deterministic-install": ["non-deterministic-install", "floating-version"],
  "persist-credentials": ["persist-credentials"],
  "production-rebuild": ["mutable-artifact"],
  "workflow-run-head-checkout": ["mutable-artifact"],
  "production-without-environment": ["production-without-gate"],
  "retired-action": ["invalid-workflow"],
  "retired-runner": ["invalid-workflow"],
  "scan-cannot-fail": ["other"],
  "script-injection": ["script-injection"],
  "secret-echoed": ["secret-exposure"],
  "secret-exposed": ["secret-exposure"],
  "secret-in-command-line": ["secret-exposure"],
  "secrets-inherit": ["secret-exposure", "excessive-permissions"],
  "self-hosted-on-pull-request": ["self-hosted-on-pull-request"],
  "undefined-reference": ["other", "invalid-workflow"],
  "unpinned-action": ["unpinned-action"],
  "untrusted-checkout": ["untrusted-checkout"],
};

/** A finding reduced to what scoring reads, with the corpus id of the file it is in. */
export interface ScoredFinding {
  id: string;
  ruleId: string;
  severity: LabelSeverity;
  line: number;
  message: string;
}

export type Verdict = "true-positive" | "false-positive";

export interface Judgement {
  verdict: Verdict;
  why: string;
}

/** Lines a finding may be off from a label and still be the same problem. */
export const LINE_TOLERANCE = 2;

const SCORED: ReadonlySet<LabelSeverity> = new Set(["error", "warning"]);

export function judgementKey(finding: Pick<ScoredFinding, "id" | "line" | "ruleId">): string {
  return `${finding.id}:${finding.line}:${finding.ruleId}`;
}

/**
 * Reads judgements.yml: one `<id>:<line>:<rule>: true-positive|false-positive # why` a line.
 * Blank lines and lines starting with `#` are skipped; anything else malformed throws with its
 * line number, so a typo never silently drops a judgement.
 */
export function parseJudgements(text: string, file = "judgements.yml"): Map<string, Judgement> {
  const judgements = new Map<string, Judgement>();
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m =
      /^"?([A-Za-z0-9._-]+):(\d+):([A-Za-z0-9._/-]+)"?\s*:\s*(true-positive|false-positive)\s*(?:#\s*(.*))?$/.exec(
        line,
      );
    if (!m) {
      throw new Error(
        `${file}:${i + 1}: expected "<id>:<line>:<rule>: true-positive|false-positive # why", got: ${line}`,
      );
    }
    const [, id, lineNo, rule, verdict, why] = m as unknown as [
      string,
      string,
      string,
      string,
      Verdict,
      string?,
    ];
    const key = `${id}:${Number(lineNo)}:${rule}`;
    if (judgements.has(key)) throw new Error(`${file}:${i + 1}: ${key} is judged twice`);
    judgements.set(key, { verdict, why: (why ?? "").trim() });
  }
  return judgements;
}

/** How far a line is from a label's lines: 0 inside line..endLine, else the distance to the nearer end. */
export function lineDistance(label: Pick<Label, "line" | "endLine">, line: number): number {
  const end = label.endLine ?? label.line;
  if (line < label.line) return label.line - line;
  if (line > end) return line - end;
  return 0;
}

export function canMatch(
  label: Label,
  finding: ScoredFinding,
  ruleCategories: Record<string, readonly LabelCategory[]> = RULE_CATEGORIES,
  tolerance = LINE_TOLERANCE,
): boolean {
  if (label.id !== finding.id) return false;
  if (!(ruleCategories[finding.ruleId] ?? []).includes(label.category)) return false;
  return lineDistance(label, finding.line) <= tolerance;
}

export interface Matching {
  /** One finding per label found: the closest (then earliest) compatible finding. */
  pairs: Array<{ label: Label; finding: ScoredFinding }>;
  /** Findings compatible with a label that another finding already found. */
  duplicates: Array<{ label: Label; finding: ScoredFinding }>;
  /** Findings (warning and error) compatible with no label: for judgement. */
  unmatched: ScoredFinding[];
  /** Findings at note, which scoring leaves out. */
  ignoredNotes: number;
}

/**
 * Matches findings to labels one to one, closest pairs first, so one finding never finds two
 * adjacent problems and two findings of one problem count it once.
 */
export function matchFindings(
  labels: readonly Label[],
  findings: readonly ScoredFinding[],
  ruleCategories: Record<string, readonly LabelCategory[]> = RULE_CATEGORIES,
  tolerance = LINE_TOLERANCE,
): Matching {
  const scored = findings.filter((f) => SCORED.has(f.severity));
  const candidates: Array<{ label: number; finding: number; distance: number }> = [];
  const byId = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byId.get(label.id) ?? [];
    list.push(i);
    byId.set(label.id, list);
  });
  scored.forEach((finding, f) => {
    for (const l of byId.get(finding.id) ?? []) {
      const label = labels[l] as Label;
      if (canMatch(label, finding, ruleCategories, tolerance)) {
        candidates.push({ label: l, finding: f, distance: lineDistance(label, finding.line) });
      }
    }
  });
  candidates.sort((a, b) => a.distance - b.distance || a.finding - b.finding || a.label - b.label);
  const labelTaken = new Set<number>();
  const findingTaken = new Set<number>();
  const pairs: Matching["pairs"] = [];
  for (const c of candidates) {
    if (labelTaken.has(c.label) || findingTaken.has(c.finding)) continue;
    labelTaken.add(c.label);
    findingTaken.add(c.finding);
    pairs.push({ label: labels[c.label] as Label, finding: scored[c.finding] as ScoredFinding });
  }
  const duplicates: Matching["duplicates"] = [];
  const unmatched: ScoredFinding[] = [];
  scored.forEach((finding, f) => {
    if (findingTaken.has(f)) return;
    const nearest = candidates.find((c) => c.finding === f);
    if (nearest) duplicates.push({ label: labels[nearest.label] as Label, finding });
    else unmatched.push(finding);
  });
  return { pairs, duplicates, unmatched, ignoredNotes: findings.length - scored.length };
}

export interface Ratio {
  hit: number;
  total: number;
  /** hit / total, or null when there is nothing to divide. */
  value: number | null;
}

function ratio(hit: number, total: number): Ratio {
  return { hit, total, value: total === 0 ? null : hit / total };
}

export interface Score {
  files: number;
  labels: { scored: number; notes: number };
  findings: { scored: number; notes: number };
  recall: Ratio;
  recallByCategory: Partial<Record<LabelCategory, Ratio>>;
  recallBySeverity: { error: Ratio; warning: Ratio };
  /** Matched findings whose severity is the label's. */
  severityAgreement: Ratio;
  precision: {
    /** (matched + judged true positives) / findings: every unjudged finding counts against it. */
    value: number | null;
    matched: number;
    duplicates: number;
    judgedTruePositive: number;
    judgedFalsePositive: number;
    unjudged: number;
    /** Precision if every unjudged finding turned out a true positive. */
    upperBound: number | null;
  };
  findingsByRule: Record<
    string,
    { findings: number; matched: number; truePositive: number; falsePositive: number; unjudged: number }
  >;
  /** Unmatched findings with their judgement, if any. */
  toJudge: Array<ScoredFinding & { key: string; judgement?: Judgement }>;
  /** Labels at warning or error that no finding found. */
  missed: Label[];
}

/** Scores one group of files (one split, or all): labels of those files, findings in them. */
export function score(
  labels: readonly Label[],
  findings: readonly ScoredFinding[],
  judgements: ReadonlyMap<string, Judgement>,
  files: number,
  ruleCategories: Record<string, readonly LabelCategory[]> = RULE_CATEGORIES,
): Score {
  const matching = matchFindings(labels, findings, ruleCategories);
  const found = new Set(matching.pairs.map((p) => p.label));
  const scoredLabels = labels.filter((l) => SCORED.has(l.severity));
  const recallByCategory: Score["recallByCategory"] = {};
  for (const category of CATEGORIES) {
    const of = scoredLabels.filter((l) => l.category === category);
    if (of.length) recallByCategory[category] = ratio(of.filter((l) => found.has(l)).length, of.length);
  }
  const bySeverity = (severity: LabelSeverity) => {
    const of = scoredLabels.filter((l) => l.severity === severity);
    return ratio(of.filter((l) => found.has(l)).length, of.length);
  };
  const toJudge = matching.unmatched.map((f) => {
    const key = judgementKey(f);
    const judgement = judgements.get(key);
    return { ...f, key, ...(judgement ? { judgement } : {}) };
  });
  const tp = toJudge.filter((f) => f.judgement?.verdict === "true-positive").length;
  const fp = toJudge.filter((f) => f.judgement?.verdict === "false-positive").length;
  const unjudged = toJudge.length - tp - fp;
  const matched = matching.pairs.length + matching.duplicates.length;
  const total = matched + toJudge.length;
  const findingsByRule: Score["findingsByRule"] = {};
  const rule = (id: string) => {
    findingsByRule[id] ??= { findings: 0, matched: 0, truePositive: 0, falsePositive: 0, unjudged: 0 };
    return findingsByRule[id];
  };
  for (const { finding } of [...matching.pairs, ...matching.duplicates]) {
    rule(finding.ruleId).findings++;
    rule(finding.ruleId).matched++;
  }
  for (const f of toJudge) {
    const r = rule(f.ruleId);
    r.findings++;
    if (f.judgement?.verdict === "true-positive") r.truePositive++;
    else if (f.judgement?.verdict === "false-positive") r.falsePositive++;
    else r.unjudged++;
  }
  return {
    files,
    labels: { scored: scoredLabels.length, notes: labels.length - scoredLabels.length },
    findings: { scored: total, notes: matching.ignoredNotes },
    recall: ratio(scoredLabels.filter((l) => found.has(l)).length, scoredLabels.length),
    recallByCategory,
    recallBySeverity: { error: bySeverity("error"), warning: bySeverity("warning") },
    severityAgreement: ratio(
      matching.pairs.filter((p) => p.finding.severity === p.label.severity).length,
      matching.pairs.length,
    ),
    precision: {
      value: total === 0 ? null : (matched + tp) / total,
      matched,
      duplicates: matching.duplicates.length,
      judgedTruePositive: tp,
      judgedFalsePositive: fp,
      unjudged,
      upperBound: total === 0 ? null : (matched + tp + unjudged) / total,
    },
    findingsByRule,
    toJudge,
    missed: scoredLabels.filter((l) => !found.has(l)),
  };
}

/** Judgements that name no current unmatched finding (the file, the line or the rule moved). */
export function staleJudgements(
  judgements: ReadonlyMap<string, Judgement>,
  scores: readonly Score[],
  inScope: (id: string) => boolean,
): string[] {
  const live = new Set(scores.flatMap((s) => s.toJudge.map((f) => f.key)));
  return [...judgements.keys()].filter((k) => inScope(k.split(":")[0] as string) && !live.has(k));
}

const percent = (r: { value: number | null }) =>
  r.value === null ? "  n/a" : `${(r.value * 100).toFixed(1)}%`;
const fraction = (r: Ratio) => `${percent(r).padStart(6)} (${r.hit}/${r.total})`;

export function formatScore(name: string, s: Score): string {
  const p = s.precision;
  const lines = [
    `== ${name}: ${s.files} files, ${s.labels.scored} labels at warning/error (${s.labels.notes} notes not scored), ${s.findings.scored} findings at warning/error (${s.findings.notes} notes not scored)`,
    `recall      ${fraction(s.recall)}   error ${fraction(s.recallBySeverity.error)}   warning ${fraction(s.recallBySeverity.warning)}`,
    `precision   ${percent(p).padStart(6)} = (${p.matched} matched + ${p.judgedTruePositive} judged true) / ${s.findings.scored}; ${p.judgedFalsePositive} judged false, ${p.unjudged} unjudged (at most ${percent({ value: p.upperBound })} if all unjudged were true)`,
    `severity agrees on ${fraction(s.severityAgreement)} of found labels; ${p.duplicates} duplicate finding(s) of found labels`,
    "recall by category:",
    ...Object.entries(s.recallByCategory).map(([c, r]) => `  ${c.padEnd(28)} ${fraction(r)}`),
  ];
  const rules = Object.entries(s.findingsByRule).sort(([a], [b]) => (a < b ? -1 : 1));
  if (rules.length) {
    lines.push("findings by rule (findings, matched, judged true, judged false, unjudged):");
    for (const [id, r] of rules) {
      const mapped = RULE_CATEGORIES[id] ? "" : "   (not in RULE_CATEGORIES: matches nothing)";
      lines.push(
        `  ${id.padEnd(34)} ${String(r.findings).padStart(4)} ${String(r.matched).padStart(4)} ${String(r.truePositive).padStart(4)} ${String(r.falsePositive).padStart(4)} ${String(r.unjudged).padStart(4)}${mapped}`,
      );
    }
  }
  return lines.join("\n");
}

export function formatToJudge(s: Score): string {
  const unjudged = s.toJudge.filter((f) => !f.judgement);
  if (!unjudged.length) return "no unjudged findings";
  return [
    `${unjudged.length} finding(s) matching no label, not judged yet — judge each in bench/corpora/workflows/judgements.yml:`,
    ...unjudged.map((f) => `${f.key}: ?   # [${f.severity}] ${f.message.replace(/\s+/g, " ").slice(0, 160)}`),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Running the audit over the materialized corpus

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const OUT = ".corpora/workflows";

interface Options {
  split: Split | "all";
  json: boolean;
  only: string[] | undefined;
  layout: "repos" | "single";
  judgements: string;
  /** Also list every label no finding found. */
  verbose: boolean;
}

export function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const split = value("--split") ?? "all";
  if (!["dev", "test", "all"].includes(split))
    throw new Error(`--split must be dev, test or all, not ${split}`);
  const layout = value("--layout") ?? "repos";
  if (!["repos", "single"].includes(layout))
    throw new Error(`--layout must be repos or single, not ${layout}`);
  return {
    split: split as Options["split"],
    json: argv.includes("--json"),
    only: value("--only")?.split(",").filter(Boolean),
    layout: layout as Options["layout"],
    judgements: value("--judgements") ?? join(corpusDir(ROOT), "judgements.yml"),
    verbose: argv.includes("--verbose"),
  };
}

interface EngineFinding {
  ruleId: string;
  severity: LabelSeverity;
  message: string;
  file: string;
  region: { startLine: number };
}

interface Engine {
  auditWorkflows(options: {
    files: Array<{ path: string; text: string }>;
    settings?: { repositoryOwner?: string; repositoryName?: string };
  }): {
    findings: EngineFinding[];
    failures: Array<{ ruleId: string; file: string; message: string }>;
  };
}

function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, base) : [relative(base, full)];
  });
}

/** Audits the entries and returns their findings by corpus id, plus rules that threw. */
function auditCorpus(engine: Engine, entries: readonly ManifestEntry[], layout: Options["layout"]) {
  const findings: ScoredFinding[] = [];
  const failures: string[] = [];
  const groups =
    layout === "single"
      ? entries.map((e) => ({ repo: e.repo, entries: [e] }))
      : [...new Set(entries.map((e) => e.repo))].map((repo) => ({
          repo,
          entries: entries.filter((e) => e.repo === repo),
        }));
  for (const group of groups) {
    const repoDir = join(ROOT, OUT, "repos", group.repo.replace("/", "+"));
    // The repository layout also holds local composite actions and reusable workflows that are
    // not entries: audited with the rest so they can be resolved, their findings not scored.
    const paths =
      layout === "single"
        ? group.entries.map((e) => e.path)
        : filesUnder(repoDir).filter((p) => /\.ya?ml$/.test(p));
    const files = paths.map((path) => ({ path, text: readFileSync(join(repoDir, path), "utf8") }));
    const byPath = new Map(group.entries.map((e) => [e.path, e.id]));
    // As `shipgate audit` run in that repository knows it from its origin remote.
    const [repositoryOwner, repositoryName] = group.repo.split("/");
    const result = engine.auditWorkflows({ files, settings: { repositoryOwner, repositoryName } });
    for (const f of result.findings) {
      const id = byPath.get(f.file);
      if (!id) continue;
      findings.push({
        id,
        ruleId: f.ruleId,
        severity: f.severity,
        line: f.region.startLine,
        message: f.message,
      });
    }
    for (const f of result.failures)
      failures.push(`${group.repo}:${f.file}: rule ${f.ruleId} threw: ${f.message}`);
  }
  return { findings, failures };
}

/** Entries whose materialized files are missing or not what was labelled. */
function checkMaterialized(entries: readonly ManifestEntry[]): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    const file = join(ROOT, OUT, "repos", e.repo.replace("/", "+"), e.path);
    if (!existsSync(file)) {
      problems.push(`${e.id}: not materialized`);
      continue;
    }
    const digest = createHash("sha256").update(readFileSync(file)).digest("hex");
    if (digest !== e.sha256) problems.push(`${e.id}: materialized file differs from the manifest's sha256`);
  }
  return problems;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const dir = corpusDir(ROOT);
  const manifest = readManifest(dir);
  const labels = readLabels(dir);
  const entries = manifest.entries.filter(
    (e) =>
      (options.split === "all" || e.split === options.split) &&
      (!options.only || options.only.includes(e.id)),
  );
  const notThere = checkMaterialized(entries);
  if (notThere.length) {
    console.error(notThere.join("\n"));
    console.error("run `npm run corpus:materialize -- workflows` first");
    return 2;
  }
  const engineFile = join(ROOT, "dist/audit/engine.js");
  if (!existsSync(engineFile)) {
    console.error("dist/audit/engine.js is missing: run `npm run build` (npm run corpus:score-audit does)");
    return 2;
  }
  const engine = (await import(pathToFileURL(engineFile).href)) as Engine;
  const judgements = existsSync(options.judgements)
    ? parseJudgements(readFileSync(options.judgements, "utf8"), options.judgements)
    : new Map<string, Judgement>();
  const { findings, failures } = auditCorpus(engine, entries, options.layout);

  const labelsOf = (group: readonly ManifestEntry[]) =>
    group.flatMap((e) => {
      const file = labels.get(e.id);
      if (!file) throw new Error(`${e.id}: no labels/${e.id}.yml`);
      return file.problems;
    });
  const groups: Array<[string, ManifestEntry[]]> = [];
  if (options.split === "all") {
    groups.push(
      ["dev", entries.filter((e) => e.split === "dev")],
      ["test", entries.filter((e) => e.split === "test")],
    );
  }
  groups.push([options.split, entries]);
  const scores = groups.map(([name, group]) => {
    const ids = new Set(group.map((e) => e.id));
    return {
      name,
      score: score(
        labelsOf(group),
        findings.filter((f) => ids.has(f.id)),
        judgements,
        group.length,
      ),
    };
  });
  const overall = scores[scores.length - 1]?.score as Score;
  const inScope = new Set(entries.map((e) => e.id));
  const stale = staleJudgements(judgements, [overall], (id) => inScope.has(id));

  if (options.json) {
    console.log(
      JSON.stringify(
        {
          split: options.split,
          layout: options.layout,
          ruleCategories: RULE_CATEGORIES,
          scores: Object.fromEntries(scores.map((s) => [s.name, s.score])),
          staleJudgements: stale,
          ruleFailures: failures,
        },
        null,
        2,
      ),
    );
  } else {
    for (const s of scores) console.log(`${formatScore(s.name, s.score)}\n`);
    if (options.verbose) {
      console.log(`${overall.missed.length} label(s) no finding found:`);
      for (const l of overall.missed) {
        console.log(
          `  ${l.id}:${l.line}${l.endLine ? `-${l.endLine}` : ""} ${l.category} [${l.severity}] ${l.note}`,
        );
      }
      console.log("");
    }
    console.log(formatToJudge(overall));
    if (stale.length) {
      console.log(`\n${stale.length} judgement(s) name no current unmatched finding (moved or now matched):`);
      for (const k of stale) console.log(`  ${k}`);
    }
    if (failures.length) {
      console.log(`\n${failures.length} rule failure(s):`);
      for (const f of failures) console.log(`  ${f}`);
    }
  }
  return 0;
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

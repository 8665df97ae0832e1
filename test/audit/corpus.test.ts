import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { auditWorkflows } from "../../src/audit/engine.js";

/**
 * Precision and recall of the audit against a hand-labelled corpus: realistic workflows in
 * test/audit/corpus/, each beside a `<name>.expected.yml` listing every finding a careful
 * reviewer applying the rule catalogue of docs/proposals/0001-audit.md expects, as
 * `{ rule, line }`. Each file is audited alone, as a one-workflow repository. A finding
 * matches an expected one when rule and line are equal. The labelling conventions are in
 * test/audit/corpus/README.md.
 */

const CORPUS = new URL("./corpus/", import.meta.url);
const MIN_FILES = 30;
const MIN_PRECISION = 0.9;
const MIN_RECALL = 0.9;

/** The rule catalogue of proposal 0001; findings of any other rule are not counted. */
const CATALOGUE = new Set([
  "aws-static-credentials",
  "ci-no-cancel-stale",
  "curl-pipe-shell",
  "deploy-cancel-in-progress",
  "deploy-missing-concurrency",
  "deploy-without-ci",
  "deploy-without-rollback",
  "docker-build-no-cache",
  "ecs-no-wait",
  "excessive-permissions",
  "hardcoded-credentials",
  "ignore-without-reason",
  "image-tag-not-sha",
  "insecure-download",
  "invalid-workflow",
  "kubectl-no-rollout-status",
  "missing-dependency-cache",
  "missing-permissions",
  "missing-timeout",
  "mutable-image-tag",
  "no-post-deploy-check",
  "no-staging-environment",
  "non-deterministic-install",
  "persist-credentials",
  "production-rebuild",
  "production-without-environment",
  "scan-cannot-fail",
  "script-injection",
  "secret-echoed",
  "secrets-inherit",
  "self-hosted-on-pull-request",
  "unpinned-action",
  "untrusted-checkout",
]);

interface Labelled {
  name: string;
  text: string;
  expected: Array<{ rule: string; line: number }>;
}

const key = (rule: string, line: number) => `${rule}@${line}`;

function loadCorpus(): Labelled[] {
  const names = readdirSync(CORPUS)
    .filter((n) => n.endsWith(".yml") && !n.endsWith(".expected.yml"))
    .sort();
  return names.map((name) => {
    const text = readFileSync(new URL(name, CORPUS), "utf8");
    const sidecar = readFileSync(new URL(name.replace(/\.yml$/, ".expected.yml"), CORPUS), "utf8");
    const expected = (parse(sidecar) ?? []) as Array<{ rule: string; line: number }>;
    return { name, text, expected };
  });
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

const ratio = (num: number, den: number) => (den === 0 ? 1 : num / den);

describe("audit corpus", () => {
  const corpus = loadCorpus();

  test("every workflow has a well-formed expected file", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(MIN_FILES);
    for (const { name, text, expected } of corpus) {
      expect(Array.isArray(expected), `${name}: expected file must be a YAML list`).toBe(true);
      const lines = text.split("\n").length;
      for (const { rule, line } of expected) {
        expect(CATALOGUE.has(rule), `${name}: ${rule} is not in the catalogue`).toBe(true);
        expect(Number.isInteger(line) && line >= 1 && line <= lines, `${name}: line ${line} of ${rule}`).toBe(
          true,
        );
      }
      const keys = expected.map((e) => key(e.rule, e.line));
      expect(new Set(keys).size, `${name}: duplicate expectations`).toBe(keys.length);
    }
  });

  test(`precision and recall are at least ${MIN_PRECISION} and ${MIN_RECALL}`, () => {
    const perRule = new Map<string, Tally>();
    const tally = (rule: string) => {
      const t = perRule.get(rule) ?? { tp: 0, fp: 0, fn: 0 };
      perRule.set(rule, t);
      return t;
    };
    const mismatches: string[] = [];
    const total: Tally = { tp: 0, fp: 0, fn: 0 };

    for (const { name, text, expected } of corpus) {
      const result = auditWorkflows({ files: [{ path: `.github/workflows/${name}`, text }] });
      const found = new Map<string, { rule: string; line: number }>();
      for (const f of result.findings) {
        if (CATALOGUE.has(f.ruleId))
          found.set(key(f.ruleId, f.region.startLine), { rule: f.ruleId, line: f.region.startLine });
      }
      const wanted = new Map(expected.map((e) => [key(e.rule, e.line), e]));
      for (const [k, f] of found) {
        if (wanted.has(k)) {
          tally(f.rule).tp++;
          total.tp++;
        } else {
          tally(f.rule).fp++;
          total.fp++;
          mismatches.push(`${name}\t${f.rule}\t${f.line}\tfound, not expected`);
        }
      }
      for (const [k, e] of wanted) {
        if (found.has(k)) continue;
        tally(e.rule).fn++;
        total.fn++;
        mismatches.push(`${name}\t${e.rule}\t${e.line}\texpected, not found`);
      }
    }

    const precision = ratio(total.tp, total.tp + total.fp);
    const recall = ratio(total.tp, total.tp + total.fn);
    // SHIPGATE_CORPUS_REPORT=1 prints the table on a passing run too.
    if (process.env.SHIPGATE_CORPUS_REPORT || precision < MIN_PRECISION || recall < MIN_RECALL) {
      const rows = [...perRule.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([rule, t]) =>
          [
            rule.padEnd(32),
            String(t.tp).padStart(4),
            String(t.fp).padStart(4),
            String(t.fn).padStart(4),
            ratio(t.tp, t.tp + t.fp)
              .toFixed(2)
              .padStart(6),
            ratio(t.tp, t.tp + t.fn)
              .toFixed(2)
              .padStart(6),
          ].join(" "),
        );
      console.log(
        [
          `corpus: ${corpus.length} files, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (TP ${total.tp}, FP ${total.fp}, FN ${total.fn})`,
          `${"rule".padEnd(32)}   TP   FP   FN      P      R`,
          ...rows,
          "",
          "mismatches (file, rule, line, found/expected):",
          ...mismatches,
        ].join("\n"),
      );
    }
    expect(precision).toBeGreaterThanOrEqual(MIN_PRECISION);
    expect(recall).toBeGreaterThanOrEqual(MIN_RECALL);
  });
});

import { describe, expect, test } from "vitest";
import {
  formatScore,
  formatToJudge,
  judgementKey,
  lineDistance,
  matchFindings,
  parseJudgements,
  parseOptions,
  RULE_CATEGORIES,
  type ScoredFinding,
  score,
  staleJudgements,
} from "../../../bench/corpora/score-audit.js";
import { checkLabelLines, type Label, parseLabelFile } from "../../../bench/corpora/workflows/corpus.js";

/** A made-up deploy workflow and its labels, written the way the corpus writes them. */
const WORKFLOW = `name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
      - run: aws ecs update-service --cluster prod --service web --force-new-deployment
`;

const LABELS = `id: demo-deploy
reviewed: 2026-12-07
problems:
  - line: 1
    endLine: 5
    category: missing-permissions
    severity: warning
    note: No permissions block; the token is write-all by default.
  - line: 6
    category: production-without-gate
    severity: warning
    note: Production deploy job without an environment.
  - line: 9
    category: unpinned-action
    severity: note
    note: actions/checkout by tag.
  - line: 10
    category: unpinned-action
    severity: warning
    note: Third-party action by tag.
  - line: 12
    endLine: 13
    category: long-lived-credentials
    severity: warning
    note: Static AWS keys where OIDC exists.
  - line: 14
    category: no-post-deploy-check
    severity: error
    note: Nothing waits for the service to be stable.
`;

const MAP = {
  "missing-permissions-rule": ["missing-permissions", "excessive-permissions"],
  "no-gate": ["production-without-gate"],
  "pin-actions": ["unpinned-action"],
  "static-keys": ["long-lived-credentials"],
  "post-deploy": ["no-post-deploy-check"],
} as const;

const labels = parseLabelFile(LABELS, "labels/demo-deploy.yml").problems;

const finding = (
  ruleId: string,
  line: number,
  severity: ScoredFinding["severity"] = "warning",
): ScoredFinding => ({
  id: "demo-deploy",
  ruleId,
  line,
  severity,
  message: `${ruleId} at ${line}`,
});

describe("labels", () => {
  test("parse with their id and fit the text they were written for", () => {
    expect(labels).toHaveLength(6);
    expect(labels[0]).toMatchObject({
      id: "demo-deploy",
      line: 1,
      endLine: 5,
      category: "missing-permissions",
    });
    expect(checkLabelLines(labels, WORKFLOW, "demo-deploy")).toEqual([]);
    const past: Label = { ...(labels[0] as Label), line: 40, endLine: undefined };
    expect(checkLabelLines([past], WORKFLOW, "demo-deploy")[0]).toMatch(/past the end/);
  });

  test("reject an unknown category or a missing reviewed date", () => {
    expect(() => parseLabelFile(LABELS.replace("missing-permissions", "bad-category"), "x")).toThrow(
      /unknown category/,
    );
    expect(() => parseLabelFile(LABELS.replace("reviewed: 2026-12-07\n", ""), "x")).toThrow(/reviewed/);
  });
});

describe("matching", () => {
  test("a finding matches within the label's lines widened by 2, not beyond", () => {
    expect(lineDistance({ line: 12, endLine: 13 }, 13)).toBe(0);
    expect(lineDistance({ line: 12, endLine: 13 }, 15)).toBe(2);
    expect(lineDistance({ line: 12 }, 9)).toBe(3);
    const near = matchFindings(labels, [finding("static-keys", 15)], MAP);
    expect(near.pairs.map((p) => p.label.line)).toEqual([12]);
    const far = matchFindings(labels, [finding("static-keys", 16)], MAP);
    expect(far.pairs).toEqual([]);
    expect(far.unmatched).toHaveLength(1);
  });

  test("the rule must map to the label's category; unmapped rules match nothing", () => {
    const m = matchFindings(labels, [finding("static-keys", 6), finding("unknown-rule", 10)], MAP);
    expect(m.pairs).toEqual([]);
    expect(m.unmatched.map((f) => f.ruleId)).toEqual(["static-keys", "unknown-rule"]);
    expect(matchFindings(labels, [finding("pin-actions", 10)], {}).pairs).toEqual([]);
    expect(RULE_CATEGORIES).toBeTypeOf("object");
  });

  test("only the same file matches", () => {
    const other = { ...finding("pin-actions", 10), id: "another-file" };
    expect(matchFindings(labels, [other], MAP).pairs).toEqual([]);
  });

  test("one finding finds one label, the closest; a second finding of it is a duplicate", () => {
    // Line 10 is within 2 of both unpinned labels (9 and 10): it takes 10, the exact one.
    const one = matchFindings(labels, [finding("pin-actions", 10)], MAP);
    expect(one.pairs.map((p) => p.label.line)).toEqual([10]);
    const two = matchFindings(labels, [finding("pin-actions", 10), finding("pin-actions", 9)], MAP);
    expect(two.pairs.map((p) => p.label.line).sort((a, b) => a - b)).toEqual([9, 10]);
    const dup = matchFindings(labels, [finding("post-deploy", 14), finding("post-deploy", 15, "error")], MAP);
    expect(dup.pairs).toHaveLength(1);
    expect(dup.duplicates).toHaveLength(1);
    expect(dup.unmatched).toEqual([]);
  });

  test("findings at note are left out", () => {
    const m = matchFindings(labels, [finding("post-deploy", 14, "note")], MAP);
    expect(m.pairs).toEqual([]);
    expect(m.ignoredNotes).toBe(1);
  });
});

describe("judgements", () => {
  test("parse one finding a line and refuse what they cannot read", () => {
    const j = parseJudgements(
      [
        "# header",
        "",
        "demo-deploy:7:runner-label: false-positive  # ubuntu-latest is fine",
        '"demo-deploy:14:rollback": true-positive',
      ].join("\n"),
    );
    expect(j.get("demo-deploy:7:runner-label")).toEqual({
      verdict: "false-positive",
      why: "ubuntu-latest is fine",
    });
    expect(j.get("demo-deploy:14:rollback")?.verdict).toBe("true-positive");
    expect(() => parseJudgements("demo-deploy:7:x: maybe")).toThrow(/judgements.yml:1/);
    expect(() => parseJudgements("a:1:r: true-positive\na:1:r: false-positive")).toThrow(/twice/);
    expect(judgementKey(finding("x", 3))).toBe("demo-deploy:3:x");
  });
});

describe("score", () => {
  const findings = [
    finding("missing-permissions-rule", 1), // found: missing-permissions (1..5)
    finding("no-gate", 7), // found: production-without-gate (6)
    finding("pin-actions", 9, "note"), // a note: not scored
    finding("static-keys", 12, "error"), // found, severity differs
    finding("runner-label", 7), // unmatched, judged false
    finding("rollback", 14), // unmatched, judged true
    finding("cache", 2), // unmatched, unjudged
  ];
  const judgements = parseJudgements(
    "demo-deploy:7:runner-label: false-positive # fine\ndemo-deploy:14:rollback: true-positive # none\n",
  );
  const s = score(labels, findings, judgements, 1, MAP);

  test("recall counts labels at warning and error, per category and severity", () => {
    expect(s.labels).toEqual({ scored: 5, notes: 1 });
    expect(s.recall).toEqual({ hit: 3, total: 5, value: 0.6 });
    expect(s.recallByCategory["unpinned-action"]).toEqual({ hit: 0, total: 1, value: 0 });
    expect(s.recallByCategory["no-post-deploy-check"]).toEqual({ hit: 0, total: 1, value: 0 });
    expect(s.recallBySeverity.error).toEqual({ hit: 0, total: 1, value: 0 });
    expect(s.missed.map((l) => l.line)).toEqual([10, 14]);
    expect(s.severityAgreement).toEqual({ hit: 2, total: 3, value: 2 / 3 });
  });

  test("precision is (matched + judged true) over findings; unjudged are counted apart", () => {
    expect(s.findings).toEqual({ scored: 6, notes: 1 });
    expect(s.precision).toMatchObject({
      matched: 3,
      judgedTruePositive: 1,
      judgedFalsePositive: 1,
      unjudged: 1,
      value: 4 / 6,
      upperBound: 5 / 6,
    });
    expect(s.findingsByRule.cache).toEqual({
      findings: 1,
      matched: 0,
      truePositive: 0,
      falsePositive: 0,
      unjudged: 1,
    });
    expect(formatToJudge(s)).toContain("demo-deploy:2:cache: ?");
    expect(formatToJudge(s)).not.toContain("runner-label");
    expect(formatScore("all", s)).toContain("precision    66.7%");
  });

  test("per split: each split scores only its own files' labels and findings", () => {
    const devLabels = labels;
    const testLabels: Label[] = [
      { id: "other", line: 3, category: "missing-timeout", severity: "warning", note: "" },
    ];
    const dev = score(devLabels, findings, judgements, 1, MAP);
    const testScore = score(testLabels, [], judgements, 1, MAP);
    expect(dev.recall.value).toBe(0.6);
    expect(testScore.recall).toEqual({ hit: 0, total: 1, value: 0 });
    expect(testScore.precision.value).toBeNull();
  });

  test("stale judgements are those naming no current unmatched finding", () => {
    const j = parseJudgements(
      "demo-deploy:7:runner-label: false-positive\ndemo-deploy:99:gone: true-positive\n",
    );
    expect(staleJudgements(j, [s], () => true)).toEqual(["demo-deploy:99:gone"]);
    expect(staleJudgements(j, [s], () => false)).toEqual([]);
  });
});

test("options", () => {
  expect(parseOptions(["--split", "dev", "--json"])).toMatchObject({
    split: "dev",
    json: true,
    layout: "repos",
  });
  expect(() => parseOptions(["--split", "train"])).toThrow(/--split/);
});

describe("RULE_CATEGORIES", () => {
  test("maps every audit rule to label categories the corpus knows", async () => {
    const { RULE_REGISTRY } = await import("../../../src/audit/rules/index.js");
    const { CATEGORIES } = await import("../../../bench/corpora/workflows/corpus.js");
    expect(Object.keys(RULE_CATEGORIES).sort()).toEqual(Object.keys(RULE_REGISTRY).sort());
    for (const categories of Object.values(RULE_CATEGORIES))
      for (const c of categories) expect(CATEGORIES).toContain(c);
  });
});

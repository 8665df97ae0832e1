import { readdir, readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";
import { applyFixes } from "../../src/audit/fix.js";
import { RULE_REGISTRY, RULES } from "../../src/audit/rules/index.js";
import { validateWorkflow } from "../support/validate-workflow.js";
import { expectedLines, findingsOf, fixture } from "./harness.js";

const RULE_FILES = (await readdir(new URL("../../src/audit/rules/", import.meta.url)))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const DOCS = new URL("../../docs/rules/", import.meta.url);

describe("every rule is registered, documented and has fixtures", () => {
  test("one file per rule, each registered under its own id, keys sorted", () => {
    const ids = Object.keys(RULE_REGISTRY);
    expect(ids, "register every file of src/audit/rules/ in rules/index.ts").toEqual(RULE_FILES);
    expect(ids).toEqual([...ids].sort());
    for (const [id, rule] of Object.entries(RULE_REGISTRY)) expect(rule.meta.id).toBe(id);
  });

  test("there are at least 30 rules", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(30);
  });

  test.each(RULES.map((r) => [r.meta.id, r] as const))(
    "%s: docs/rules/<id>.md opens with its description",
    async (id, rule) => {
      const doc = await readFile(new URL(`${id}.md`, DOCS), "utf8").catch(() => null);
      expect(doc, `add docs/rules/${id}.md`).not.toBeNull();
      const lines = doc!.split("\n");
      expect(lines[0]).toBe(`# ${id}: ${rule.meta.name}`);
      expect(doc, `docs/rules/${id}.md must state the rule's description`).toContain(rule.meta.description);
      for (const heading of ["## Why", "## How to fix", "## Example"])
        expect(doc, `${id}.md needs "${heading}"`).toContain(heading);
      expect(rule.meta.docsUrl.endsWith(`/docs/rules/${id}.md`)).toBe(true);
    },
  );
});

describe.each(RULES.map((r) => [r.meta.id] as const))("%s", (id) => {
  test("fires on exactly the lines bad.yml marks with NOT OK", async () => {
    const bad = await fixture(id, "bad.yml");
    expect(bad, `add test/audit/fixtures/${id}/bad.yml`).not.toBeNull();
    const expected = expectedLines(bad!);
    expect(expected.length, "bad.yml must mark at least one line with # NOT OK").toBeGreaterThan(0);
    const lines = [...new Set(findingsOf(id, bad!).map((f) => f.region.startLine))].sort((a, b) => a - b);
    expect(lines).toEqual(expected);
  });

  test("stays silent on good.yml", async () => {
    const good = await fixture(id, "good.yml");
    expect(good, `add test/audit/fixtures/${id}/good.yml`).not.toBeNull();
    expect(findingsOf(id, good!).map((f) => `${f.region.startLine}: ${f.message}`)).toEqual([]);
  });

  test("its safe fixes give bad.fixed.yml, are idempotent, and the result passes actionlint", async () => {
    const bad = await fixture(id, "bad.yml");
    const fixed = await fixture(id, "bad.fixed.yml");
    const rule = RULE_REGISTRY[id as keyof typeof RULE_REGISTRY];
    if (!rule.meta.fixable) {
      expect(fixed, "a rule without fixes has no bad.fixed.yml").toBeNull();
      expect(findingsOf(id, bad!).every((f) => !f.fix)).toBe(true);
      return;
    }
    expect(fixed, `add test/audit/fixtures/${id}/bad.fixed.yml`).not.toBeNull();
    const once = applyFixes(bad!, findingsOf(id, bad!)).text;
    expect(once).toBe(fixed);
    expect(applyFixes(once, findingsOf(id, once)).text, "a second --fix changes nothing").toBe(once);
    const lint = await validateWorkflow(once, ".github/workflows/workflow.yml");
    expect(
      lint.filter((p) => p.tool === "actionlint" && !/could not read reusable workflow/.test(p.message)),
    ).toEqual([]);
  });
});

describe("engine", () => {
  test("a malformed file is a finding; the other files are still audited", () => {
    const result = auditWorkflows({
      files: [
        { path: ".github/workflows/broken.yml", text: "on: [push\njobs: {" },
        {
          path: ".github/workflows/ok.yml",
          text: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n",
        },
      ],
    });
    expect(
      result.findings.some((f) => f.ruleId === "invalid-workflow" && f.file.endsWith("broken.yml")),
    ).toBe(true);
    expect(result.findings.some((f) => f.ruleId === "missing-timeout" && f.file.endsWith("ok.yml"))).toBe(
      true,
    );
  });

  test("a rule that throws is reported with its id and does not stop the others", () => {
    const rules = [
      {
        meta: { ...RULE_REGISTRY["missing-timeout"].meta, id: "exploding" },
        job: () => {
          throw new Error("boom");
        },
      },
      RULE_REGISTRY["missing-timeout"],
    ];
    const result = auditWorkflows({
      files: [{ path: "w.yml", text: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n" }],
      rules,
    });
    expect(result.failures).toEqual([{ ruleId: "exploding", file: "w.yml", message: "boom" }]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(["missing-timeout"]);
  });

  test("settings turn a rule off or change its severity", () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n";
    const off = auditWorkflows({
      files: [{ path: "w.yml", text }],
      settings: { rules: { "missing-timeout": "off" } },
    });
    expect(off.findings.filter((f) => f.ruleId === "missing-timeout")).toEqual([]);
    const error = auditWorkflows({
      files: [{ path: "w.yml", text }],
      settings: { rules: { "missing-timeout": "error" } },
    });
    expect(error.findings.find((f) => f.ruleId === "missing-timeout")?.severity).toBe("error");
  });

  test("inline ignores with a reason hide the finding and keep the reason", () => {
    const text =
      "on: push\njobs:\n  # shipgate-ignore missing-timeout: runner group limit\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n";
    const result = auditWorkflows({ files: [{ path: "w.yml", text }] });
    expect(result.findings.filter((f) => f.ruleId === "missing-timeout")).toEqual([]);
    expect(result.suppressed.map((s) => [s.ruleId, s.reason])).toEqual([
      ["missing-timeout", "runner group limit"],
    ]);
  });

  test("fingerprints survive lines moving", () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n";
    const before = auditWorkflows({ files: [{ path: "w.yml", text }] }).findings[0]!;
    const after = auditWorkflows({ files: [{ path: "w.yml", text: `# a new comment\n\n${text}` }] })
      .findings[0]!;
    expect(after.region.startLine).toBe(before.region.startLine + 2);
    expect(after.fingerprint).toBe(before.fingerprint);
  });
});

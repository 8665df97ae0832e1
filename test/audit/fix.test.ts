import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";
import { applyEdits, applyFixes } from "../../src/audit/fix.js";
import { parseYaml } from "../../src/audit/model/fast-parse.js";

describe("applying fixes", () => {
  test("an edit reported twice is applied once", () => {
    const edit = { start: 3, end: 3, text: "X" };
    expect(applyEdits("abcdef", [edit, { ...edit }])).toEqual({ text: "abcXdef", applied: 1 });
  });

  // Found by the generated corpus: one checkout step shared by two jobs through an anchor got
  // `with: persist-credentials: false` inserted twice, a duplicated key GitHub rejects.
  test("a step shared by two jobs through an anchor is fixed once", () => {
    const text = [
      "on: push",
      "permissions: {}",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps: &steps",
      "      - uses: actions/checkout@v4",
      "  b:",
      "    runs-on: ubuntu-latest",
      "    steps: *steps",
      "",
    ].join("\n");
    const { findings } = auditWorkflows({ files: [{ path: "w.yml", text }] });
    expect(findings.filter((f) => f.ruleId === "persist-credentials")).toHaveLength(2);
    const fixed = applyFixes(text, findings).text;
    expect(parseYaml(fixed).errors).toEqual([]);
    expect(fixed.match(/persist-credentials: false/g)).toHaveLength(1);
  });

  test("inserted lines take the file's CRLF line breaks", () => {
    const text =
      "on: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: actions/checkout@v4\r\n";
    const { findings } = auditWorkflows({ files: [{ path: "w.yml", text }] });
    const fixed = applyFixes(text, findings).text;
    expect(fixed).toContain("persist-credentials: false\r\n");
    expect(fixed).not.toMatch(/[^\r]\n/);
  });
});

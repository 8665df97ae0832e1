import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";

/**
 * Robustness over real-world workflows: the templates of actions/starter-workflows
 * (bench/data/starter-workflows/, see its README) audited together as one repository.
 * No rule may throw, and every finding must point at a line and link to its docs.
 */

const DATA = new URL("../../bench/data/starter-workflows/", import.meta.url);

test("the starter workflows audit without rule failures, each finding located and documented", () => {
  const names = readdirSync(DATA)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  expect(names.length).toBeGreaterThan(150);
  const files = names.map((name) => ({
    path: `.github/workflows/${name}`,
    text: readFileSync(new URL(name, DATA), "utf8"),
  }));

  const result = auditWorkflows({ files });

  expect(result.failures).toEqual([]);
  expect(result.filesAudited).toBe(files.length);
  const lineCounts = new Map(files.map((f) => [f.path, f.text.split("\n").length]));
  const badlyPlaced = result.findings.filter(
    (f) =>
      !Number.isInteger(f.region.startLine) ||
      f.region.startLine < 1 ||
      f.region.startLine > (lineCounts.get(f.file) ?? 0) ||
      f.region.endLine < f.region.startLine,
  );
  expect(badlyPlaced.map((f) => `${f.file}:${f.region.startLine} ${f.ruleId}`)).toEqual([]);
  const undocumented = result.findings.filter(
    (f) => !/^https:\/\/\S+\/docs\/rules\/[a-z0-9-]+\.md$/.test(f.docsUrl),
  );
  expect(undocumented.map((f) => `${f.file} ${f.ruleId} ${f.docsUrl}`)).toEqual([]);
});

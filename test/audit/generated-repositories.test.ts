import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";
import { applyFixes } from "../../src/audit/fix.js";
import { parseYaml } from "../../src/audit/model/fast-parse.js";
import { checkProperty, propertySettings } from "../helpers/property.js";
import { type GeneratedFile, generatedRepository } from "../helpers/workflow-arbitrary.js";

/**
 * Robustness over the generated corpus (test/helpers/workflow-arbitrary.ts): repositories of
 * workflows, composite actions and damaged copies in the shapes real ones have, audited
 * together as one repository. No rule may throw, every finding must point inside its file and
 * link to its docs, and `--fix` must leave a file that still parses and that a second audit
 * does not fix again.
 */

function locationProblems(files: GeneratedFile[], findings: ReturnType<typeof auditWorkflows>["findings"]) {
  const lineCounts = new Map(files.map((f) => [f.path, f.text.split("\n").length]));
  return findings.flatMap((f) => {
    const lines = lineCounts.get(f.file);
    const r = f.region;
    const problems: string[] = [];
    if (lines === undefined) problems.push("names a file that was not audited");
    if (!Number.isInteger(r.startLine) || r.startLine < 1 || r.startLine > (lines ?? 0))
      problems.push(`starts at line ${r.startLine} of ${lines}`);
    if (r.endLine < r.startLine) problems.push(`ends at line ${r.endLine}, before it starts`);
    if (!/^https:\/\/\S+\/docs\/rules\/[a-z0-9-]+\.md$/.test(f.docsUrl)) problems.push(`docs ${f.docsUrl}`);
    return problems.map((p) => `${f.file}:${r.startLine} ${f.ruleId}: ${p}`);
  });
}

describe("the audit over generated repositories", () => {
  const settings = propertySettings(40);
  test(`every rule runs without failing, each finding located and documented (${settings.numRuns} repositories of 5–25 files)`, () => {
    let files = 0;
    let findings = 0;
    checkProperty(
      "audit robustness",
      fc.property(generatedRepository({ minLength: 5, maxLength: 25 }), (repository) => {
        const result = auditWorkflows({ files: repository });
        files += repository.length;
        findings += result.findings.length;
        if (result.failures.length) throw new Error(`rule failures: ${JSON.stringify(result.failures)}`);
        expect(result.filesAudited).toBe(repository.length);
        const problems = locationProblems(repository, result.findings);
        if (problems.length) throw new Error(problems.join("\n"));
      }),
      settings,
    );
    console.log(`audit robustness: ${files} generated files, ${findings} findings`);
    expect(findings).toBeGreaterThan(files); // the corpus exercises the rules, it is not all clean
  });

  const fixSettings = propertySettings(40, 5);
  test(`--fix leaves files that parse, and a second run has nothing left to fix (${fixSettings.numRuns} repositories)`, () => {
    let fixedFiles = 0;
    checkProperty(
      "fixes",
      fc.property(generatedRepository({ minLength: 3, maxLength: 12 }), (repository) => {
        const first = auditWorkflows({ files: repository });
        for (const file of repository) {
          const mine = first.findings.filter((f) => f.file === file.path);
          const { text, applied } = applyFixes(file.text, mine);
          if (!applied || text === file.text) continue;
          fixedFiles++;
          const before = parseYaml(file.text);
          const after = parseYaml(text);
          if (!before.errors.length && after.errors.length)
            throw new Error(
              `${file.path}: the fixed file no longer parses: ${after.errors[0]!.message}\n${text}`,
            );
          if (/\r\n/.test(file.text) && /(?<!\r)\n/.test(file.text) === false && /(?<!\r)\n/.test(text))
            throw new Error(`${file.path}: the fix mixed LF into a CRLF file\n${JSON.stringify(text)}`);
          const again = auditWorkflows({ files: [{ path: file.path, text }] });
          if (again.failures.length)
            throw new Error(`rule failures after fixing: ${JSON.stringify(again.failures)}`);
          // Fixes are idempotent: what one run fixed, the next finds nothing of to fix.
          const second = applyFixes(
            text,
            again.findings.filter((f) => f.file === file.path),
          );
          const fixedRules = new Set(mine.filter((f) => f.fix?.safe).map((f) => f.ruleId));
          const refixed = again.findings.filter(
            (f) => f.fix?.safe && fixedRules.has(f.ruleId) && second.applied,
          );
          if (refixed.length)
            throw new Error(
              `${file.path}: fixed again on the second run: ${refixed.map((f) => `${f.ruleId}@${f.region.startLine}`).join(", ")}\n${text}`,
            );
        }
      }),
      fixSettings,
    );
    console.log(`fixes: ${fixedFiles} generated files fixed and audited again`);
    expect(fixedFiles).toBeGreaterThan(0);
  });
});

import { describe, expect, test } from "vitest";
import { applyFixes } from "../../../src/audit/fix.js";
import { findingsOf } from "../harness.js";

const ID = "deploy-cancel-in-progress";

const deploy = (concurrency: string) => `on: push
${concurrency}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: ./deploy.sh
`;

describe(ID, () => {
  test("a quoted 'true' is reported and fixed like a boolean", () => {
    const text = deploy('concurrency:\n  group: deploy\n  cancel-in-progress: "true"');
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => f.region.startLine)).toEqual([4]);
    expect(applyFixes(text, findings).text).toContain("  cancel-in-progress: false\n");
  });

  test("an expression, false, a group alone or no concurrency are not reported", () => {
    for (const c of [
      "concurrency:\n  group: deploy\n  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
      "concurrency:\n  group: deploy\n  cancel-in-progress: false",
      "concurrency: deploy",
      "",
    ]) {
      expect(findingsOf(ID, deploy(c)), c).toEqual([]);
    }
  });

  test("a workflow that deploys nothing may cancel its stale runs", () => {
    const text =
      "on: push\nconcurrency:\n  group: ci\n  cancel-in-progress: true\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("workflow and job findings of one file have distinct fingerprints", () => {
    const text = `on: push
concurrency:
  group: a
  cancel-in-progress: true
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency:
      group: b
      cancel-in-progress: true
    steps:
      - run: helm upgrade --install web ./chart --wait
`;
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => f.region.startLine)).toEqual([4, 10]);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
    expect(findings.every((f) => f.fix?.safe)).toBe(true);
  });
});

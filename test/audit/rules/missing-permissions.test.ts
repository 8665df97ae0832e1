import { describe, expect, test } from "vitest";
import { applyFixes } from "../../../src/audit/fix.js";
import { findingsOf } from "../harness.js";

const ID = "missing-permissions";

const job = (id: string, extra = "", steps = "      - run: make test\n") =>
  `  ${id}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n${steps}`;

describe("missing-permissions", () => {
  test("some jobs with permissions, others without: each job without is reported, no fix", () => {
    const text = `on: push\njobs:\n${job("a", "    permissions:\n      contents: read\n")}${job("b")}${job("c")}`;
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => f.region.startLine)).toEqual([9, 13]);
    expect(findings.every((f) => !f.fix)).toBe(true);
  });

  test("a workflow-level block, even empty, covers every job", () => {
    expect(findingsOf(ID, `on: push\npermissions: {}\njobs:\n${job("a")}`)).toEqual([]);
    expect(findingsOf(ID, `on: push\npermissions: read-all\njobs:\n${job("a")}`)).toEqual([]);
  });

  test("a reusable workflow takes its token from the caller", () => {
    expect(findingsOf(ID, `on: workflow_call\njobs:\n${job("a")}`)).toEqual([]);
    expect(findingsOf(ID, `on: [workflow_call, workflow_dispatch]\njobs:\n${job("a")}`)).toHaveLength(1);
  });

  test("the fix goes above the comments attached to jobs:", () => {
    const text = `on: push\n\n# The jobs\njobs:\n${job("a")}`;
    const [finding] = findingsOf(ID, text);
    expect(finding!.fix!.safe).toBe(true);
    expect(applyFixes(text, [finding!]).text).toBe(
      `on: push\n\npermissions:\n  contents: read\n\n# The jobs\njobs:\n${job("a")}`,
    );
  });

  test("the fix is offered but not applied when a job may need more than read access", () => {
    const cases = [
      job(
        "a",
        "",
        "      - run: gh pr comment 1 --body hi\n        env:\n          GH_TOKEN: ${{ github.token }}\n",
      ),
      job("a", "", "      - run: git push origin HEAD:main\n"),
      job("a", "", "      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9\n"),
      job("a", "", "      - uses: ./.github/actions/setup\n"),
      "  a:\n    uses: ./.github/workflows/deploy.yml\n",
    ];
    for (const jobs of cases) {
      const [finding] = findingsOf(ID, `on: push\njobs:\n${jobs}`);
      expect(finding?.fix?.safe, jobs).toBe(false);
      expect(finding?.fix?.description).toMatch(/check first/);
    }
  });
});

import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
import { applyFixes } from "../../../src/audit/fix.js";
import { findingsOf } from "../harness.js";

const ID = "missing-permissions";

const job = (id: string, extra = "", steps = "      - uses: actions/checkout@v4\n      - run: make test\n") =>
  `  ${id}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n${steps}`;

describe("missing-permissions", () => {
  test("some jobs with permissions, others without: each job without is reported, no fix", () => {
    const text = `on: push\njobs:\n${job("a", "    permissions:\n      contents: read\n")}${job("b")}${job("c")}`;
    const findings = findingsOf(ID, text);
    expect(findings.map((f) => f.region.startLine)).toEqual([10, 15]);
    expect(findings.every((f) => !f.fix)).toBe(true);
  });

  test("a job whose scripts never name the token cannot use it: not reported", () => {
    const scripts = '      - run: echo "host=app.example" >> "$GITHUB_OUTPUT"\n';
    // Every job lacks permissions but none reaches the token.
    expect(findingsOf(ID, `on: push\njobs:\n${job("a", "", scripts)}${job("b", "", scripts)}`)).toEqual([]);
    // One job reaches it: the workflow-level finding, naming that job.
    const [finding, ...rest] = findingsOf(ID, `on: push\njobs:\n${job("a", "", scripts)}${job("b")}`);
    expect(rest).toEqual([]);
    expect(finding?.message).toMatch(/so job "b" \(and every other job\)/);
    // Scripts that name it, or the GitHub CLI, reach it.
    for (const run of [
      "gh release view",
      "echo ${{ github.token }} | docker login ghcr.io -u ci --password-stdin",
      "./notify.sh",
    ]) {
      const env = run === "./notify.sh" ? "        env:\n          TOKEN: ${{ secrets.GITHUB_TOKEN }}\n" : "";
      const text = `on: push\njobs:\n${job("a", "    permissions: {}\n")}${job("b", "", `      - run: ${run}\n${env}`)}`;
      expect(
        findingsOf(ID, text).map((f) => f.region.startLine),
        run,
      ).toEqual([9]);
    }
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
      job("a", "", "      - uses: actions/checkout@v4\n      - run: git push origin HEAD:main\n"),
      job("a", "", "      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9\n"),
      job("a", "", "      - uses: ./.github/actions/setup\n"),
      "  a:\n    uses: org/shared/.github/workflows/deploy.yml@v1\n",
    ];
    for (const jobs of cases) {
      const [finding] = findingsOf(ID, `on: push\njobs:\n${jobs}`);
      expect(finding?.fix?.safe, jobs).toBe(false);
      expect(finding?.fix?.description).toMatch(/check first/);
    }
  });

  test("a call to the repository's own workflow is judged with the callee in view", () => {
    const caller =
      "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - run: make\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n";
    const callee = (permissions: string) =>
      `on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n${permissions}    steps:\n      - run: ./deploy.sh\n`;
    const audit = (files: Record<string, string>) =>
      auditWorkflows({
        files: Object.entries(files).map(([name, text]) => ({ path: `.github/workflows/${name}`, text })),
      }).findings.filter((f) => f.ruleId === ID);
    // Every job of the callee sets its own permissions: the caller's default token never reaches them.
    expect(
      audit({ "ci.yml": caller, "deploy.yml": callee("    permissions:\n      contents: read\n") }),
    ).toEqual([]);
    // The callee sets none, or cannot be read: the caller's job is reported.
    const cases: Array<Record<string, string>> = [
      { "ci.yml": caller, "deploy.yml": callee("") },
      { "ci.yml": caller },
    ];
    for (const files of cases) {
      const found = audit(files);
      expect(found.map((f) => [f.file, f.region.startLine])).toEqual([[".github/workflows/ci.yml", 9]]);
      expect(found[0]!.message).toContain("the workflow it calls does not set them on every job");
    }
  });
});

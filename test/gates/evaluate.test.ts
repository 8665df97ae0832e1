import { describe, expect, it } from "vitest";
import type { VulnIgnore } from "../../src/config/schema.js";
import { evaluateCoverage } from "../../src/gates/evaluate/coverage.js";
import { evaluateTests } from "../../src/gates/evaluate/tests.js";
import { evaluateVulns } from "../../src/gates/evaluate/vulns.js";
import { ratio } from "../../src/gates/ratio.js";
import type {
  CoverageReport,
  TestCaseResult,
  TestReport,
  VulnFinding,
  VulnReport,
} from "../../src/gates/types.js";

const coverage = (
  covered: number,
  total: number,
  branches: [number, number] | null = null,
): CoverageReport => ({
  kind: "coverage",
  format: "lcov",
  file: "lcov.info",
  lines: ratio(covered, total),
  branches: branches ? ratio(...branches) : null,
  files: [
    { file: "src/a.ts", lines: ratio(1, 10), branches: null },
    { file: "src/b.ts", lines: ratio(9, 10), branches: null },
    { file: "src/full.ts", lines: ratio(5, 5), branches: null },
  ],
  notes: [],
});

describe("evaluateCoverage", () => {
  it("passes at exactly the minimum and fails a hair below it", () => {
    expect(evaluateCoverage(coverage(800, 1000), { min: 80 }).ok).toBe(true);
    const below = evaluateCoverage(coverage(79999, 100000), { min: 80 });
    expect(below.ok).toBe(false);
    // Rounded down, so the figure never reads as the minimum it missed.
    expect(below.figure).toBe("lines 79.99% (79999/100000)");
    expect(below.summary).toBe("line coverage 79.99% is below the 80% minimum; least covered: src/a.ts 10%");
  });

  it("lists the least covered files, leaving out fully covered ones", () => {
    const result = evaluateCoverage(coverage(1, 2), { min: 90 });
    expect(result.leastCovered.map((f) => f.file)).toEqual(["src/a.ts", "src/b.ts"]);
  });

  it("gates branches only when asked, and fails a report without branch data", () => {
    expect(evaluateCoverage(coverage(9, 10, [1, 10]), { min: 80 }).ok).toBe(true);
    const low = evaluateCoverage(coverage(9, 10, [1, 10]), { min: 80, branches: 50 });
    expect(low).toMatchObject({ ok: false, threshold: "lines ≥ 80%, branches ≥ 50%" });
    expect(low.summary).toContain("branch coverage 10% is below the 50% minimum");
    const none = evaluateCoverage(coverage(9, 10), { min: 80, branches: 50 });
    expect(none.ok).toBe(false);
    expect(none.summary).toContain("no branch data");
  });

  it("fails a report that measured no lines, whatever the thresholds", () => {
    const result = evaluateCoverage({ ...coverage(0, 0, [0, 0]), files: [] }, { min: 0, branches: 0 });
    expect(result).toMatchObject({ ok: false, figure: "no lines measured (0/0)" });
    expect(result.summary).toContain("the coverage tool included no source file");
    expect(result.summary).not.toContain("branch");
  });
});

const finding = (
  id: string,
  severity: VulnFinding["severity"],
  pkg = "openssl",
  aliases: string[] = [],
): VulnFinding => ({
  id,
  aliases,
  severity,
  reportedSeverity: severity.toUpperCase(),
  package: pkg,
});
const vulns = (...findings: VulnFinding[]): VulnReport => ({
  kind: "vulns",
  format: "trivy",
  file: "trivy.json",
  findings,
  notes: [],
});
const ignore = (id: string, expires: string, extra: Partial<VulnIgnore> = {}): VulnIgnore => ({
  id,
  reason: "not reachable: we never parse untrusted certificates",
  expires,
  ...extra,
});
const NOW = new Date("2026-12-01T10:00:00Z");

describe("evaluateVulns", () => {
  it("fails on findings at or above failOn, most severe first", () => {
    const result = evaluateVulns(
      [vulns(finding("CVE-1", "high"), finding("CVE-2", "critical"), finding("CVE-3", "medium"))],
      {
        failOn: "high",
        now: NOW,
      },
    );
    expect(result.ok).toBe(false);
    expect(result.failing.map((f) => f.id)).toEqual(["CVE-2", "CVE-1"]);
    expect(result.figure).toBe("1 critical, 1 high, 1 medium");
    expect(result.summary).toBe("CVE-2 (critical) in openssl, and 1 more");
  });

  it("ignores a finding with an in-date entry, through the expiry day itself", () => {
    const result = evaluateVulns([vulns(finding("CVE-1", "critical"))], {
      failOn: "high",
      ignore: [ignore("CVE-1", "2026-12-01")],
      now: NOW,
    });
    expect(result.ok).toBe(true);
    expect(result.figure).toBe("no findings (1 ignored)");
    expect(result.ignoreEntries[0]).toMatchObject({ state: "applied", matched: 1 });
  });

  it("stops ignoring the day after expiry and says since when", () => {
    const result = evaluateVulns([vulns(finding("CVE-1", "critical"))], {
      failOn: "high",
      ignore: [ignore("CVE-1", "2026-11-30")],
      now: NOW,
    });
    expect(result.ok).toBe(false);
    expect(result.ignoreEntries[0]).toMatchObject({
      state: "expired",
      matched: 1,
      expiredSince: "2026-12-01",
    });
    expect(result.summary).toBe("CVE-1 (critical) in openssl; ignore entry expired: CVE-1 since 2026-12-01");
  });

  it("reports an entry that matched nothing as unused", () => {
    const result = evaluateVulns([vulns(finding("CVE-1", "low"))], {
      failOn: "high",
      ignore: [ignore("CVE-9", "2027-06-30")],
      now: NOW,
    });
    expect(result.ok).toBe(true);
    expect(result.ignoreEntries[0]).toMatchObject({ state: "unused", matched: 0 });
  });

  it("matches ids case-insensitively and through aliases, and only in the named package", () => {
    const result = evaluateVulns(
      [
        vulns(
          finding("GHSA-abcd-efgh-ijkl", "high", "axios", ["1103617"]),
          finding("CVE-7", "high", "libssl3"),
        ),
      ],
      {
        failOn: "high",
        ignore: [
          ignore("ghsa-ABCD-efgh-ijkl", "2027-01-01"),
          ignore("CVE-7", "2027-01-01", { package: "openssl" }),
        ],
        now: NOW,
      },
    );
    expect(result.ignored.map((i) => i.finding.id)).toEqual(["GHSA-abcd-efgh-ijkl"]);
    expect(result.failing.map((f) => f.id)).toEqual(["CVE-7"]);
    expect(result.ignoreEntries.map((e) => e.state)).toEqual(["applied", "unused"]);
    expect(
      evaluateVulns([vulns(finding("GHSA-x", "high", "axios", ["1103617"]))], {
        failOn: "high",
        ignore: [ignore("1103617", "2027-01-01")],
        now: NOW,
      }).ok,
    ).toBe(true);
  });

  it("passes with nothing at the threshold and says what it checked", () => {
    const result = evaluateVulns([vulns(finding("CVE-1", "high"))], { failOn: "critical", now: NOW });
    expect(result).toMatchObject({ ok: true, summary: "nothing critical", threshold: "fail on critical" });
  });
});

const testCase = (
  name: string,
  status: TestCaseResult["status"],
  file = "a.xml",
  attempts = 1,
): TestCaseResult => ({
  file,
  classname: "suite",
  name,
  status,
  attempts,
  ...(status === "failed" && { message: "expected 1, got 2" }),
});
const tests = (file: string, ...cases: TestCaseResult[]): TestReport => ({
  kind: "tests",
  format: "junit",
  file,
  cases,
  notes: [],
});

describe("evaluateTests", () => {
  it("fails on a failure or an error and names the first", () => {
    const result = evaluateTests([
      tests("a.xml", testCase("ok", "passed"), testCase("bad", "failed"), testCase("boom", "error")),
    ]);
    expect(result.ok).toBe(false);
    expect(result.figure).toBe("1 passed, 1 failed, 1 error");
    expect(result.summary).toBe("suite › bad failed: expected 1, got 2, and 1 more");
  });

  it("passes with flaky tests and lists them, unless failOnFlaky", () => {
    const reports = [tests("a.xml", testCase("ok", "passed"), testCase("wobbly", "flaky", "a.xml", 2))];
    const lenient = evaluateTests(reports);
    expect(lenient).toMatchObject({
      ok: true,
      summary: "all 2 tests passed; flaky (passed on retry): suite › wobbly",
    });
    const strict = evaluateTests(reports, { failOnFlaky: true });
    expect(strict.ok).toBe(false);
    expect(strict.summary).toBe("passed only on retry (failOnFlaky is set): suite › wobbly");
  });

  it("fails when there is nothing that ran", () => {
    expect(evaluateTests([tests("a.xml")])).toMatchObject({
      ok: false,
      summary: expect.stringContaining("no test cases"),
    });
    expect(evaluateTests([tests("a.xml", testCase("s", "skipped"))]).summary).toBe(
      "the 1 test was skipped; nothing was tested",
    );
    const todo = evaluateTests([tests("a.xml", testCase("s", "skipped"), testCase("t", "todo"))]);
    expect(todo).toMatchObject({
      ok: false,
      figure: "0 passed, 1 skipped, 1 todo",
      summary: "all 2 tests were skipped or todo; nothing was tested",
    });
  });

  it("keeps same-named cases in one file apart, and says so when some of them failed", () => {
    const result = evaluateTests([
      tests("a.xml", testCase("adds", "passed"), testCase("adds", "failed"), testCase("adds", "passed")),
    ]);
    expect(result).toMatchObject({ ok: false, figure: "2 passed, 1 failed" });
    expect(result.notes).toEqual([
      expect.stringMatching(/^suite › adds is in a\.xml 3 times and failed 1 of them;/),
    ]);
  });

  it("does not merge retries across files, but says when a failed test passed elsewhere", () => {
    const result = evaluateTests([
      tests("linux.xml", testCase("t", "failed", "linux.xml")),
      tests("windows.xml", testCase("t", "passed", "windows.xml")),
    ]);
    expect(result.ok).toBe(false);
    expect(result.notes).toEqual([
      "suite › t failed in linux.xml but passed in windows.xml; reports are not merged across files",
    ]);
  });
});

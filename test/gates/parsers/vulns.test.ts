import { describe, expect, it } from "vitest";
import { parse as parseNpmAudit } from "../../../src/gates/parsers/npm-audit/index.js";
import { parse as parseSarif } from "../../../src/gates/parsers/sarif/index.js";
import { parse as parseTrivy } from "../../../src/gates/parsers/trivy/index.js";
import { fixture, rejection, reportFile } from "../support/fixtures.js";

const summary = (f: { id: string; package?: string; severity: string }) =>
  `${f.id} ${f.package ?? "-"} ${f.severity}`;

describe("Trivy JSON", () => {
  it("reads Results[].Vulnerabilities[] with the Result's Target, UNKNOWN counted as low and said so", async () => {
    const report = await parseTrivy(fixture("trivy", "failing.json"));
    expect(report.findings.map(summary)).toEqual([
      "CVE-2011-3374 apt low",
      "CVE-2024-45490 libexpat1 high",
      "CVE-2024-45492 libexpat1 critical",
      "CVE-2023-4039 gcc-12-base low",
      "CVE-2024-21538 cross-spawn high",
      "CVE-2024-45296 path-to-regexp medium",
    ]);
    expect(report.findings[2]).toMatchObject({
      installedVersion: "2.5.0-1",
      fixedVersion: "2.5.0-1+deb12u1",
      target: "ghcr.io/acme/orders-api:4f1c2d9 (debian 12.7)",
      reportedSeverity: "CRITICAL",
    });
    expect(report.notes).toEqual(["1 finding with Trivy severity UNKNOWN counted as low"]);
  });

  it("accepts a Result without Vulnerabilities (a clean lockfile)", async () => {
    const report = await parseTrivy(fixture("trivy", "good.json"));
    expect(report.findings).toHaveLength(3);
  });

  it("locates the end of a truncated report", async () => {
    const file = fixture("trivy", "malformed.json");
    const error = await rejection(parseTrivy(file));
    expect(error.diagnostics[0]).toMatchObject({
      code: "gate/report-malformed",
      location: { file, line: 237 },
    });
  });

  it("names the vulnerability whose field is wrong", async () => {
    const file = await reportFile(
      "trivy.json",
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: "x",
        Results: [{ Target: "a", Vulnerabilities: [{ VulnerabilityID: "CVE-1", Severity: "SEVERE" }] }],
      }),
    );
    const error = await rejection(parseTrivy(file));
    expect(error.message).toContain(
      'Results[0].Vulnerabilities[0].Severity: "SEVERE" is not a Trivy severity',
    );
  });

  it("attaches a Target written after the Vulnerabilities list", async () => {
    const file = await reportFile(
      "trivy.json",
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: "x",
        Results: [{ Vulnerabilities: [{ VulnerabilityID: "CVE-1", Severity: "HIGH" }], Target: "go.sum" }],
      }),
    );
    expect((await parseTrivy(file)).findings[0]).toMatchObject({ id: "CVE-1", target: "go.sum" });
  });

  it("refuses schema version 1", async () => {
    const file = await reportFile("trivy.json", '{"SchemaVersion": 1, "ArtifactName": "x", "Results": []}');
    expect((await rejection(parseTrivy(file))).message).toContain("SchemaVersion 1 is not supported");
  });
});

describe("npm audit --json", () => {
  it("makes one finding per advisory, by GHSA id with npm's source id as an alias; moderate is medium", async () => {
    const report = await parseNpmAudit(fixture("npm-audit", "failing.json"));
    expect(report.findings.map(summary)).toEqual([
      "GHSA-fjxv-7rqg-78g4 form-data critical",
      "GHSA-jr5f-v2jv-69x6 axios high",
      "GHSA-9wv6-86v2-598j path-to-regexp high",
      "GHSA-952p-6rrq-rcjv micromatch medium",
    ]);
    expect(report.findings[1]).toMatchObject({
      aliases: ["1103617"],
      fixedVersion: "1.11.0",
      reportedSeverity: "high",
    });
    expect(report.findings[3]?.reportedSeverity).toBe("moderate");
  });

  it("explains npm's own error report (no lockfile)", async () => {
    const error = await rejection(parseNpmAudit(fixture("npm-audit", "enolock.json")));
    expect(error.message).toContain("npm audit failed instead of auditing (ENOLOCK");
    expect(error.diagnostics[0]?.hint).toContain("--package-lock-only");
  });

  it("points at npm's notice appended after the JSON", async () => {
    const file = fixture("npm-audit", "malformed.json");
    const error = await rejection(parseNpmAudit(file));
    expect(error.diagnostics[0]?.location).toEqual({ file, line: 171, column: 1 });
    expect(error.diagnostics[0]?.hint).toContain("2>&1");
  });

  it("refuses npm 6's format with the version to use", async () => {
    const file = await reportFile(
      "audit.json",
      '{"actions": [], "advisories": {}, "muted": [], "metadata": {}}',
    );
    expect((await rejection(parseNpmAudit(file))).diagnostics[0]?.hint).toContain("npm 7 or later");
  });
});

describe("SARIF 2.1.0", () => {
  it("maps security-severity on CodeQL's extension rules to severities", async () => {
    const report = await parseSarif(fixture("sarif", "failing.sarif"));
    expect(report.findings.map((f) => `${f.id} ${f.severity} ${f.reportedSeverity}`)).toEqual([
      "js/sql-injection high security-severity 8.8",
      "js/reflected-xss medium security-severity 6.1",
      "js/missing-rate-limiting high security-severity 7.5",
      "js/hardcoded-credentials critical security-severity 9.8",
    ]);
    expect(report.notes).toEqual([
      "1 result not counted: their rules are not security rules (no security-severity, security tag or CWE): CodeQL's js/unused-local-variable (1)",
    ]);
    expect(report.findings[0]).toMatchObject({
      target: "src/routes/orders.js:42",
      title: expect.any(String),
    });
  });

  it("falls back to the level and leaves suppressed results out, saying so", async () => {
    const report = await parseSarif(fixture("sarif", "good.sarif"));
    expect(report.findings.map((f) => f.severity)).toEqual(["medium", "low"]);
    expect(report.notes).toEqual(["1 result suppressed in the SARIF log not counted"]);
  });

  it.each([
    ["10.0", "critical"],
    ["9.0", "critical"],
    ["8.9", "high"],
    ["7.0", "high"],
    ["6.9", "medium"],
    ["4.0", "medium"],
    ["3.9", "low"],
    ["0.0", "low"],
  ])("security-severity %s is %s", async (score, severity) => {
    const report = await sarifWith({ level: "note" }, { "security-severity": score });
    expect(report.findings[0]?.severity).toBe(severity);
  });

  it.each([
    ["error", "high"],
    ["warning", "medium"],
    ["note", "low"],
  ])("level %s without security-severity is %s", async (level, severity) => {
    expect((await sarifWith({ level }, SECURITY)).findings[0]?.severity).toBe(severity);
  });

  it("uses the rule's default level when the result has none, and warning when neither has", async () => {
    expect((await sarifWith({}, SECURITY, "error")).findings[0]?.severity).toBe("high");
    expect((await sarifWith({}, SECURITY)).findings[0]?.severity).toBe("medium");
  });

  it.each([
    ["a security tag", { tags: ["Security"] }],
    ["a CWE tag as Semgrep writes it", { tags: ["CWE-89: SQL Injection"] }],
    ["a CWE tag as CodeQL writes it", { tags: ["external/cwe/cwe-079"] }],
  ])("counts a result whose rule has %s", async (_, properties) => {
    expect((await sarifWith({ level: "error" }, properties)).findings).toHaveLength(1);
  });

  it("does not count results of rules that are not about security, and says so", async () => {
    const report = await sarifWith({ level: "error" }, { tags: ["maintainability"] });
    expect(report.findings).toEqual([]);
    expect(report.notes).toEqual([expect.stringMatching(/^1 result not counted: .*: t's R1 \(1\)$/)]);
  });

  it("finds the position of a syntax error V8 does not give an offset for", async () => {
    const file = fixture("sarif", "malformed.sarif");
    const error = await rejection(parseSarif(file));
    expect(error.diagnostics[0]?.location).toEqual({ file, line: 31, column: 28 });
  });
});

const SECURITY = { tags: ["security"] };

async function sarifWith(
  result: Record<string, unknown>,
  ruleProperties: Record<string, unknown>,
  defaultLevel?: string,
) {
  const rule = {
    id: "R1",
    properties: ruleProperties,
    ...(defaultLevel && { defaultConfiguration: { level: defaultLevel } }),
  };
  const file = await reportFile(
    "scan.sarif",
    JSON.stringify({
      version: "2.1.0",
      runs: [
        {
          tool: { driver: { name: "t", rules: [rule] } },
          results: [{ ruleId: "R1", message: { text: "m" }, ...result }],
        },
      ],
    }),
  );
  return parseSarif(file);
}

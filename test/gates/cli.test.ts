import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.js";
import { runGateCli } from "./support/cli.js";
import { FIXTURES, fixture } from "./support/fixtures.js";

const CONFIG = `app:
  name: orders-api
  language: node
environments:
  staging:
    target:
      type: local
      port: 8080
`;

/** A repository with reports in reports/ and optionally a shipgate.yml. */
async function repo(reports: Record<string, string>, config?: string) {
  const dir = await tempDir();
  await mkdir(join(dir, "reports"));
  for (const [name, from] of Object.entries(reports)) await copyFile(from, join(dir, "reports", name));
  if (config !== undefined) await writeFile(join(dir, "shipgate.yml"), CONFIG + config);
  return dir;
}

describe("shipgate gate coverage", () => {
  it("exits 0 with a PASS row when coverage meets the minimum", async () => {
    const run = await runGateCli(["gate", "coverage", "lcov/good.info", "--min", "80", "--branches", "75"], {
      cwd: FIXTURES,
    });
    expect(run.code).toBe(0);
    const [header, row] = run.stdout.split("\n");
    expect(header).toMatch(/^gate\s+result\s+figure\s+threshold\s+why$/);
    expect(row).toMatch(
      /^coverage\s+PASS\s+lines 90\.96% \(282\/310\), branches 84\.37% \(54\/64\)\s+lines ≥ 80%, branches ≥ 75%/,
    );
  });

  it("exits 1 and lists the least covered files when below the minimum", async () => {
    const run = await runGateCli(["gate", "coverage", "cobertura/failing.xml", "--min", "80%"], {
      cwd: FIXTURES,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL");
    expect(run.stdout).toContain("coverage: least covered files");
    expect(run.stdout).toMatch(/com\/acme\/billing\/export\/CsvExporter\.java\s+6\.66% \(3\/45\)/);
  });

  it("exits 2 on a malformed report, with file:line:column", async () => {
    const run = await runGateCli(["gate", "coverage", "junit/../lcov/malformed.info", "--min", "80"], {
      cwd: FIXTURES,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${FIXTURES}lcov/malformed.info:203:1: error[gate/report-malformed]`);
  });

  it("exits 2 on a bad --min or a missing one", async () => {
    const bad = await runGateCli(["gate", "coverage", "lcov/good.info", "--min", "eighty"], {
      cwd: FIXTURES,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --min "eighty"');
    const missing = await runGateCli(["gate", "coverage", "lcov/good.info"], { cwd: FIXTURES });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--min");
  });

  it("prints JSON with --json", async () => {
    const run = await runGateCli(
      ["gate", "coverage", "istanbul-summary/failing.json", "--min", "60", "--json"],
      {
        cwd: FIXTURES,
      },
    );
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.ok).toBe(false);
    expect(json.results[0]).toMatchObject({
      gate: "coverage",
      ok: false,
      min: 60,
      lines: { covered: 146, total: 279 },
    });
    expect(json.results[0].leastCovered[0].file).toContain("src/lib/analytics.ts");
  });
});

describe("shipgate gate vulns", () => {
  it("fails on high findings across several reports", async () => {
    const run = await runGateCli(
      ["gate", "vulns", "trivy/failing.json", "npm-audit/failing.json", "--fail-on", "high"],
      {
        cwd: FIXTURES,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /vulns\s+FAIL\s+2 critical, 4 high, 2 medium, 2 low\s+fail on high or above\s+CVE-2024-45492/,
    );
    expect(run.stdout).toContain("UNKNOWN counted as low");
  });

  it("passes good reports, and accepts moderate for medium", async () => {
    const run = await runGateCli(
      ["gate", "vulns", "trivy/good.json", "npm-audit/good.json", "sarif/good.sarif", "--fail-on", "high"],
      { cwd: FIXTURES },
    );
    expect(run.code).toBe(0);
    const medium = await runGateCli(["gate", "vulns", "npm-audit/good.json", "--fail-on", "moderate"], {
      cwd: FIXTURES,
    });
    expect(medium.code).toBe(1);
  });

  it("applies the ignore list from shipgate.yml: in-date entries ignore, expired ones say since when", async () => {
    const dir = await repo(
      { "image.json": fixture("trivy", "failing.json") },
      `gates:
  vulns:
    reports: [reports/image.json]
    ignore:
      - id: CVE-2024-45492
        package: libexpat1
        reason: the XML parser never sees untrusted input
        expires: "2999-12-31"
      - id: CVE-2024-45490
        reason: waiting for the base image rebuild
        expires: "2026-01-15"
      - id: CVE-2024-21538
        reason: cross-spawn is only used by the build
        expires: "2999-12-31"
      - id: CVE-2020-0001
        reason: fixed long ago
        expires: "2999-12-31"
`,
    );
    const run = await runGateCli(["gate", "vulns", "reports/image.json", "--fail-on", "high"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("CVE-2024-45490 (high) in libexpat1 2.5.0-1");
    expect(run.stdout).toContain("ignore entry expired: CVE-2024-45490 since 2026-01-16");
    expect(run.stdout).toMatch(
      /expired\s+CVE-2024-45490\s+any\s+expired 2026-01-15: not ignored since 2026-01-16/,
    );
    expect(run.stdout).toMatch(/unused\s+CVE-2020-0001\s+any\s+matched no finding; remove it/);
    expect(run.stdout).toMatch(/applied\s+CVE-2024-45492\s+libexpat1\s+ignores 1 finding until 2999-12-31/);
  });

  it("exits 2 on a bad --fail-on, and when -c names a file that does not exist", async () => {
    const bad = await runGateCli(["gate", "vulns", "trivy/good.json", "--fail-on", "severe"], {
      cwd: FIXTURES,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("use one of low, medium, high, critical");
    const missing = await runGateCli(
      ["gate", "vulns", "trivy/good.json", "--fail-on", "high", "-c", "nope.yml"],
      {
        cwd: FIXTURES,
      },
    );
    expect(missing.code).toBe(2);
  });

  it("exits 2 on a report of another kind", async () => {
    const run = await runGateCli(["gate", "vulns", "lcov/good.info", "--fail-on", "high"], { cwd: FIXTURES });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a lcov report (coverage report), not a vulnerability report");
  });
});

describe("shipgate gate tests", () => {
  it("expands glob patterns and reports flaky tests without failing", async () => {
    const dir = await repo({
      "TEST-flaky.xml": fixture("junit", "surefire-flaky.xml"),
      "jest.xml": fixture("junit", "jest-junit.xml"),
    });
    const run = await runGateCli(["gate", "tests", "reports/**/TEST-*.xml", "reports/jest.xml"], {
      cwd: dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/tests\s+PASS\s+8 passed, 1 flaky, 1 skipped/);
    expect(run.stdout).toContain("tests: flaky (passed on retry)");
    const strict = await runGateCli(["gate", "tests", "reports/*.xml", "--fail-on-flaky"], { cwd: dir });
    expect(strict.code).toBe(1);
  });

  it("fails a test written once per attempt that nothing marks as a rerun, and says why", async () => {
    const run = await runGateCli(["gate", "tests", "junit/gradle-retry.xml"], { cwd: FIXTURES });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/tests\s+FAIL\s+3 passed, 1 failed/);
    expect(run.stdout).toContain("is in junit/gradle-retry.xml 2 times and failed 1 of them");
    expect(run.stdout).toContain("Gradle with mergeReruns");
  });

  it("fails on failures and errors and names them", async () => {
    const run = await runGateCli(
      ["gate", "tests", "junit/pytest-failing.xml", "junit/surefire-rerun-failed.xml"],
      {
        cwd: FIXTURES,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /tests\.test_orders › test_refund_partial\s+failed\s+AssertionError: assert 1500 == 1499/,
    );
    expect(run.stdout).toContain("failed (3 attempts)");
  });

  it("takes failOnFlaky from shipgate.yml when it exists", async () => {
    const dir = await repo(
      { "TEST-flaky.xml": fixture("junit", "surefire-flaky.xml") },
      "gates:\n  tests:\n    reports: [reports/*.xml]\n    failOnFlaky: true\n",
    );
    expect((await runGateCli(["gate", "tests", "reports/TEST-flaky.xml"], { cwd: dir })).code).toBe(1);
  });

  it("exits 2 when a pattern matches nothing", async () => {
    const run = await runGateCli(["gate", "tests", "build/**/*.xml"], { cwd: FIXTURES });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no file matches build/**/*.xml");
  });
});

describe("shipgate gate all", () => {
  const GATES = `gates:
  coverage:
    report: reports/lcov.info
    min: 80
  vulns:
    reports: [reports/trivy.json, reports/audit.json]
    failOn: critical
  tests:
    reports: ["reports/TEST-*.xml"]
`;

  const reportsWith = (trivy: string) => ({
    "lcov.info": fixture("lcov", "good.info"),
    "trivy.json": fixture("trivy", trivy),
    "audit.json": fixture("npm-audit", "good.json"),
    "TEST-jest.xml": fixture("junit", "jest-junit.xml"),
  });

  it("runs every configured gate with paths relative to shipgate.yml", async () => {
    const dir = await repo(reportsWith("good.json"), GATES);
    const run = await runGateCli(["gate", "all", "-c", join(dir, "shipgate.yml")], { cwd: FIXTURES });
    expect(run.code).toBe(0);
    const rows = run.stdout.split("\n").slice(1, 4);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "coverage PASS",
      "vulns PASS",
      "tests PASS",
    ]);
    expect(run.stdout).toContain("PASS: all 3 gates passed");
  });

  it("exits 1 when one gate fails and appends a Markdown summary to $GITHUB_STEP_SUMMARY", async () => {
    const dir = await repo(reportsWith("failing.json"), GATES);
    const summary = join(dir, "step-summary.md");
    await writeFile(summary, "## Build\n\nbuilt in 41s\n\n");
    const env = { GITHUB_STEP_SUMMARY: summary };
    const run = await runGateCli(["gate", "all"], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL: 1 of 3 gates failed");
    const markdown = await readFile(summary, "utf8");
    expect(markdown.startsWith("## Build\n\nbuilt in 41s\n\n### shipgate gates: ❌ failed\n")).toBe(true);
    expect(markdown).toContain(
      "| vulns | ❌ FAIL | 1 critical, 2 high, 2 medium, 3 low | fail on critical |",
    );
    expect(markdown).toContain("<details><summary>vulns: findings at critical</summary>");
    // Paths inside the working directory are shown relative to it.
    expect(markdown).toContain(
      "| CRITICAL | CVE-2024-45492 | libexpat1 2.5.0-1 | 2.5.0-1+deb12u1 | reports/trivy.json (",
    );
    await runGateCli(["gate", "all"], { cwd: dir, env });
    expect((await readFile(summary, "utf8")).split("### shipgate gates").length).toBe(3);
  });

  it("keeps the verdict when the job summary cannot be written, with a warning", async () => {
    const dir = await repo(reportsWith("good.json"), GATES);
    const run = await runGateCli(["gate", "all"], {
      cwd: dir,
      env: { GITHUB_STEP_SUMMARY: join(dir, "reports") },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning[gate/step-summary]: cannot append to $GITHUB_STEP_SUMMARY");
  });

  it("reads hundreds of report files, one per test class as Surefire writes them", async () => {
    const dir = await tempDir();
    const xml = await readFile(fixture("junit", "surefire-flaky.xml"), "utf8");
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        writeFile(join(dir, `TEST-${i}.xml`), xml.replaceAll("InvoiceServiceTest", `T${i}`)),
      ),
    );
    const run = await runGateCli(["gate", "tests", "*.xml", "--json"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).results[0].totals).toMatchObject({ tests: 900, flaky: 300 });
  });

  it("reports every unreadable report at once, with exit 2", async () => {
    const dir = await repo({ "lcov.info": fixture("lcov", "malformed.info") }, GATES);
    const run = await runGateCli(["gate", "all"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("lcov.info:203:1");
    expect(run.stderr).toContain("reports/trivy.json does not exist");
    expect(run.stderr).toContain("no file matches reports/TEST-*.xml");
  });

  it("is a clear error when shipgate.yml has no gates: section, or does not exist", async () => {
    const dir = await repo({}, "");
    const run = await runGateCli(["gate", "all"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("shipgate.yml:1:1: error[gate/no-gates]");
    expect(run.stderr).toContain("has no gates: section");
    const none = await runGateCli(["gate", "all", "-c", "missing.yml"], { cwd: dir });
    expect(none.code).toBe(2);
  });

  it("exits 2 without a subcommand", async () => {
    expect((await runGateCli(["gate"], { cwd: FIXTURES })).code).toBe(2);
  });
});

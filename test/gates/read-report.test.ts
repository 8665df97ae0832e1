import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readReport } from "../../src/gates/read-report.js";
import { tempDir } from "../helpers/tmp.js";
import { fixture, rejection, reportFile } from "./support/fixtures.js";

describe("readReport", () => {
  it("detects the format by content, not by the file's name", async () => {
    const dir = await tempDir();
    const file = join(dir, "results.txt");
    await copyFile(fixture("cobertura", "good.xml"), file);
    expect((await readReport(file, "coverage")).format).toBe("cobertura");
  });

  it("reads a file that starts with a byte-order mark", async () => {
    const file = await reportFile(
      "TEST-x.xml",
      '\uFEFF<?xml version="1.0"?><testsuite name="s"><testcase name="t"/></testsuite>',
    );
    expect((await readReport(file, "tests")).cases).toHaveLength(1);
  });

  it("says an empty file is empty", async () => {
    const file = await reportFile("lcov.info", "\n  \n");
    const error = await rejection(readReport(file, "coverage"));
    expect(error).toMatchObject({ code: "gate/report-empty", exitCode: 2 });
    expect(error.message).toBe(`report ${file} is empty`);
    expect(error.diagnostics[0]?.hint).toContain(
      "(expected lcov, Cobertura XML or Istanbul coverage-summary.json)",
    );
  });

  it("names the accepted formats for a file it does not recognise", async () => {
    const file = await reportFile("report.json", '{"issues": []}');
    const error = await rejection(readReport(file, "vulns"));
    expect(error.code).toBe("gate/report-unknown-format");
    expect(error.diagnostics[0]?.hint).toBe(
      "a vulnerability report must be Trivy JSON, npm audit JSON or SARIF 2.1.0",
    );
  });

  it("recognises Istanbul's coverage-final.json and says which reporter to add", async () => {
    const file = await reportFile(
      "coverage-final.json",
      '{"/src/a.js": {"path": "/src/a.js", "statementMap": {}}}',
    );
    expect((await rejection(readReport(file, "coverage"))).diagnostics[0]?.hint).toContain("json-summary");
  });

  it("says which gate a report of another kind belongs to", async () => {
    const error = await rejection(readReport(fixture("junit", "jest-junit.xml"), "coverage"));
    expect(error.code).toBe("gate/report-wrong-kind");
    expect(error.message).toContain("is a JUnit XML report (test report), not a coverage report");
    expect(error.diagnostics[0]?.hint).toContain('"shipgate gate tests"');
  });

  it("says a missing report does not exist, and a directory is not a report", async () => {
    const dir = await tempDir();
    expect((await rejection(readReport(join(dir, "nope.xml"), "tests"))).message).toContain("does not exist");
    await mkdir(join(dir, "reports"));
    expect((await rejection(readReport(join(dir, "reports"), "tests"))).message).toContain("is a directory");
  });
});

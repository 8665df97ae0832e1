import { describe, expect, it } from "vitest";
import { parse as parseCobertura } from "../../../src/gates/parsers/cobertura/index.js";
import { parse as parseIstanbul } from "../../../src/gates/parsers/istanbul-summary/index.js";
import { parse as parseLcov } from "../../../src/gates/parsers/lcov/index.js";
import { fixture, rejection, reportFile } from "../support/fixtures.js";

describe("lcov", () => {
  it("sums LF/LH and BRF/BRH over the records", async () => {
    const report = await parseLcov(fixture("lcov", "good.info"));
    expect(report.lines).toMatchObject({ covered: 282, total: 310 });
    expect(report.branches).toMatchObject({ covered: 54, total: 64 });
    expect(report.files.map((f) => f.file)).toContain("src/pricing/discounts.ts");
  });

  it("counts DA and BRDA lines when a tracefile has no summary lines", async () => {
    const file = await reportFile(
      "lcov.info",
      "SF:a.js\nDA:1,3\nDA:2,0\nDA:3,1\nBRDA:1,0,0,2\nBRDA:1,0,1,-\nend_of_record\n",
    );
    const report = await parseLcov(file);
    expect(report.lines).toMatchObject({ covered: 2, total: 3 });
    expect(report.branches).toMatchObject({ covered: 1, total: 2 });
  });

  it("reads coverage.py 6's LH, which counts docstrings that ran, as the statements that ran, and says so", async () => {
    const file = await reportFile(
      "lcov.info",
      "TN:\nSF:pkg/__init__.py\nDA:1,1,h\nLF:0\nLH:1\nend_of_record\n" +
        "TN:\nSF:pkg/fmt.py\nDA:1,1,h\nDA:2,1,h\nDA:3,1,h\nDA:5,1,h\nDA:4,0,h\nLF:4\nLH:4\nend_of_record\n",
    );
    const report = await parseLcov(file);
    expect(report.lines).toMatchObject({ covered: 3, total: 4 });
    expect(report.notes).toEqual([
      expect.stringMatching(
        /^pkg\/__init__\.py: LH:1 counts lines that are not among its LF:0 statements.*read as 0 of 0/,
      ),
      expect.stringMatching(/^pkg\/fmt\.py: LH:4 .* read as 3 of 4/),
    ]);
  });

  it("reports a tracefile cut off inside a record at its last line", async () => {
    const file = fixture("lcov", "malformed.info");
    const error = await rejection(parseLcov(file));
    expect(error.exitCode).toBe(2);
    expect(error.diagnostics[0]).toMatchObject({
      code: "gate/report-malformed",
      location: { file, line: 203, column: 1 },
    });
    expect(error.message).toContain("ends inside the record for src/checkout.ts");
  });

  it("names the line of a value that is not a count", async () => {
    const file = await reportFile("lcov.info", "TN:\nSF:a.js\nLF:ten\nend_of_record\n");
    const error = await rejection(parseLcov(file));
    expect(error.diagnostics[0]?.location).toEqual({ file, line: 3, column: 1 });
    expect(error.message).toContain('LF: expects a whole number, found "ten"');
  });
});

describe("Cobertura", () => {
  it("takes coverage.py's totals from the root element", async () => {
    const report = await parseCobertura(fixture("cobertura", "good.xml"));
    expect(report.lines).toMatchObject({ covered: 328, total: 358 });
    expect(report.branches).toMatchObject({ covered: 49, total: 68 });
    expect(report.files).toHaveLength(4);
  });

  it("sums per-line data when the root has no totals, merging classes of one file (JaCoCo)", async () => {
    const report = await parseCobertura(fixture("cobertura", "failing.xml"));
    expect(report.files.map((f) => f.file).sort()).toEqual([
      "com/acme/billing/InvoiceService.java",
      "com/acme/billing/TaxCalculator.java",
      "com/acme/billing/export/CsvExporter.java",
    ]);
    expect(report.lines.total).toBe(report.files.reduce((n, f) => n + f.lines.total, 0));
    expect(report.lines.pct).toBeLessThan(60);
    expect(report.branches?.total).toBeGreaterThan(0);
  });

  it("has no branch data when coverage.py ran without --branch", async () => {
    const file = await reportFile(
      "coverage.xml",
      `<?xml version="1.0" ?>\n<coverage version="7.6.1" lines-valid="4" lines-covered="3" line-rate="0.75" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0"><packages/></coverage>\n`,
    );
    const report = await parseCobertura(file);
    expect(report.lines.pct).toBe(75);
    expect(report.branches).toBeNull();
  });

  it("gives the validator's line and column for broken XML", async () => {
    const file = fixture("cobertura", "malformed.xml");
    const error = await rejection(parseCobertura(file));
    expect(error.diagnostics[0]).toMatchObject({
      code: "gate/report-malformed",
      location: { file, line: 278 },
    });
    expect(error.diagnostics[0]?.hint).toContain("cut off");
  });
});

describe("Istanbul coverage-summary.json", () => {
  it("reads total.lines and total.branches and the per-file entries", async () => {
    const report = await parseIstanbul(fixture("istanbul-summary", "good.json"));
    expect(report.lines).toMatchObject({ covered: 216, total: 237 });
    expect(report.branches).toMatchObject({ covered: 65, total: 78 });
    expect(report.files).toHaveLength(4);
  });

  it("turns the JSON parse offset into line and column", async () => {
    const file = fixture("istanbul-summary", "malformed.json");
    const error = await rejection(parseIstanbul(file));
    expect(error.diagnostics[0]?.location).toEqual({ file, line: 4, column: 118 });
  });

  it("names the field that is wrong", async () => {
    const file = await reportFile(
      "coverage-summary.json",
      '{"total": {"lines": {"total": 10, "covered": "8", "pct": 80}}}',
    );
    const error = await rejection(parseIstanbul(file));
    expect(error.message).toContain("total.lines.covered");
  });
});

import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_NESTING, MAX_REPORT_BYTES } from "../../src/gates/limits.js";
import { readReport } from "../../src/gates/read-report.js";
import type { ReportKind } from "../../src/gates/types.js";
import { tempDir } from "../helpers/tmp.js";
import { runGateCli } from "./support/cli.js";
import { rejection, reportFile } from "./support/fixtures.js";

/**
 * Reports built to hurt the reader: each ends in its own error with a position, never an
 * "internal error" with a stack trace, a stack overflow or a hang.
 */

const LEVELS = 100_000;
const deepArray = `${"[".repeat(LEVELS)}${"]".repeat(LEVELS)}`;

describe("XML entities", () => {
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuites><testsuite name="&lol3;"><testcase name="&lol3;"/></testsuite></testsuites>
`;
  const external = `<?xml version="1.0"?>
<!DOCTYPE coverage [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<coverage line-rate="1" lines-valid="1" lines-covered="1"><sources><source>&xxe;</source></sources></coverage>
`;
  const wide = `<?xml version="1.0"?>
<!DOCTYPE testsuites [ <!ENTITY a "${"a".repeat(9000)}"> ]>
<testsuites><testsuite name="s"><testcase name="${"&a;".repeat(2000)}"/></testsuite></testsuites>
`;

  it.each([
    ["a billion-laughs JUnit report", "junit.xml", laughs, "tests", 3],
    ["an external entity in a Cobertura report", "coverage.xml", external, "coverage", 2],
    ["an entity expanded thousands of times", "junit.xml", wide, "tests", 2],
  ] as const)("%s is refused at the entity declaration", async (_, name, text, kind, line) => {
    const file = await reportFile(name, text);
    const error = await rejection(readReport(file, kind as ReportKind));
    expect(error.code).toBe("gate/report-malformed");
    expect(error.message).toContain("declares XML entities");
    expect(error.diagnostics[0]?.location).toMatchObject({ file, line });
  });

  it("a DOCTYPE that only names the Cobertura DTD is read, and the DTD is never fetched", async () => {
    const file = await reportFile(
      "coverage.xml",
      `<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" lines-valid="4" lines-covered="2"/>
`,
    );
    expect((await readReport(file, "coverage")).lines).toMatchObject({ covered: 2, total: 4 });
  });
});

describe(`nesting ${LEVELS.toLocaleString("en")} levels deep`, () => {
  const cases: Array<[string, string, ReportKind, string, number]> = [
    [
      "JUnit XML",
      "junit.xml",
      "tests",
      `<testsuites>\n${"<testsuite>".repeat(LEVELS)}${"</testsuite>".repeat(LEVELS)}</testsuites>`,
      2,
    ],
    [
      "Cobertura XML",
      "coverage.xml",
      "coverage",
      `<coverage line-rate="1">\n${"<a>".repeat(LEVELS)}${"</a>".repeat(LEVELS)}</coverage>`,
      2,
    ],
    [
      "Trivy JSON, in a field the gate never reads",
      "trivy.json",
      "vulns",
      `{"SchemaVersion": 2,\n"Metadata": ${deepArray}, "Results": []}`,
      2,
    ],
    [
      "Trivy JSON, inside a vulnerability",
      "trivy.json",
      "vulns",
      `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [\n{"VulnerabilityID": "CVE-1", "Severity": "LOW", "X": ${deepArray}}]}]}`,
      2,
    ],
    [
      "SARIF",
      "scan.sarif",
      "vulns",
      `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [],\n"properties": {"a": ${deepArray}}}]}`,
      2,
    ],
    [
      "npm audit JSON",
      "npm-audit.json",
      "vulns",
      `{"auditReportVersion": 2, "vulnerabilities": {},\n"x": ${deepArray}}`,
      2,
    ],
    [
      "Istanbul coverage-summary.json",
      "coverage-summary.json",
      "coverage",
      `{"total": {"lines": {"total": 1, "covered": 1, "pct": 100},\n"x": ${deepArray}}}`,
      2,
    ],
  ];

  it.each(cases)("%s: a clear error at the level that is too deep", async (_, name, kind, text, line) => {
    const file = await reportFile(name, text);
    const error = await rejection(readReport(file, kind));
    expect(error.code).toBe("gate/report-malformed");
    expect(error.message).toContain(`nested more than ${MAX_NESTING} levels deep`);
    expect(error.diagnostics[0]?.location).toMatchObject({ file, line });
  });
});

describe("report size", () => {
  it("a report over the cap is refused before it is read", async () => {
    const file = await reportFile("scan.sarif", '{"version": "2.1.0", "runs": [');
    // A sparse file: the size is real, the disk space is not used.
    const handle = await open(file, "r+");
    await handle.truncate(MAX_REPORT_BYTES + 1);
    await handle.close();
    const error = await rejection(readReport(file, "vulns"));
    expect(error).toMatchObject({ code: "gate/report-too-large", exitCode: 2 });
    expect(error.message).toContain(`larger than the ${MAX_REPORT_BYTES / 1024 / 1024} MiB`);
  });
});

describe("YAML aliases in shipgate.yml", () => {
  const bomb = `version: 1
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
`;

  it.each([
    ["gate all", ["gate", "all"]],
    ["gate vulns (the ignore list)", ["gate", "vulns", "trivy.json", "--fail-on", "high"]],
  ])("%s: an alias bomb is refused with its position", async (_, args) => {
    const dir = await tempDir();
    await writeFile(join(dir, "shipgate.yml"), bomb);
    await writeFile(join(dir, "trivy.json"), '{"SchemaVersion": 2, "Results": []}');
    const { code, stderr } = await runGateCli(args, { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).not.toContain("internal error");
    expect(stderr).toMatch(/shipgate\.yml:\d+:\d+: error\[config\/[a-z-]+\]: .*alias/);
  });
});

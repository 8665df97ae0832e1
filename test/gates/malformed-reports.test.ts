import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readReport } from "../../src/gates/read-report.js";
import type { ReportKind } from "../../src/gates/types.js";
import { tempDir } from "../helpers/tmp.js";
import { runGateCli } from "./support/cli.js";
import { rejection, reportFile } from "./support/fixtures.js";

/**
 * A report whose shape is wrong anywhere on the way to a counted value is exit 2, naming the
 * JSON path or XML element (and its line where the format has one), never a PASS on what
 * happened to be readable.
 */
interface Case {
  name: string;
  text: string;
  /** What the message must name: a JSON path, an element or a field. */
  names: string;
  /** The line the error must point at, where the format gives one. */
  line?: number;
}

const json = (value: unknown) => JSON.stringify(value, null, 1);
const CRITICAL = { VulnerabilityID: "CVE-2024-1", PkgName: "openssl", Severity: "CRITICAL" };
const trivy = (results: unknown) => json({ SchemaVersion: 2, ArtifactName: "img", Results: results });

const TRIVY: Case[] = [
  { name: "Results is a string", text: trivy("none"), names: "Results:", line: 4 },
  { name: "Results is an object", text: trivy({ Target: "a" }), names: "Results:" },
  { name: "Results is null", text: trivy(null), names: "Results:" },
  {
    name: "Results holds a nested array with a CRITICAL finding",
    text: trivy([[{ Target: "a", Vulnerabilities: [CRITICAL] }]]),
    names: "Results[0]:",
    line: 5,
  },
  { name: "a Result is null", text: trivy([null]), names: "Results[0]:" },
  {
    name: "Vulnerabilities is a string",
    text: trivy([{ Target: "a", Vulnerabilities: "CVE-2024-1" }]),
    names: "Results[0].Vulnerabilities:",
  },
  {
    name: "Vulnerabilities holds a nested array",
    text: trivy([{ Target: "a", Vulnerabilities: [[CRITICAL]] }]),
    names: "Results[0].Vulnerabilities[0]:",
    line: 8,
  },
  {
    name: "Vulnerabilities is an object",
    text: trivy([{ Target: "a", Vulnerabilities: CRITICAL }]),
    names: "Results[0].Vulnerabilities:",
  },
  {
    name: "a vulnerability is null",
    text: trivy([{ Target: "a", Vulnerabilities: [null] }]),
    names: "Results[0].Vulnerabilities[0]:",
  },
  {
    name: "a vulnerability has no Severity",
    text: trivy([{ Target: "a", Vulnerabilities: [{ VulnerabilityID: "CVE-2024-1" }] }]),
    names: "Results[0].Vulnerabilities[0].Severity",
  },
  {
    name: "a vulnerability has no VulnerabilityID",
    text: trivy([{ Target: "a", Vulnerabilities: [{ Severity: "HIGH" }] }]),
    names: "Results[0].Vulnerabilities[0].VulnerabilityID",
  },
  {
    name: "Target is a number",
    text: trivy([{ Target: 7, Vulnerabilities: [CRITICAL] }]),
    names: "Results[0].Target:",
  },
  {
    name: "SchemaVersion is a string",
    text: json({ ArtifactName: "img", SchemaVersion: "2", Results: [] }),
    names: "SchemaVersion:",
  },
];

const advisory = { source: 1, name: "axios", severity: "critical", url: "https://x/GHSA-jr5f-v2jv-69x6" };
const npm = (vulnerabilities: unknown) => json({ auditReportVersion: 2, vulnerabilities });
const entry = (via: unknown) => ({ name: "axios", severity: "critical", via });

const NPM_AUDIT: Case[] = [
  { name: "vulnerabilities is a string", text: npm("none"), names: "vulnerabilities:", line: 3 },
  { name: "vulnerabilities is an array", text: npm([entry([advisory])]), names: "vulnerabilities:" },
  { name: "vulnerabilities is null", text: npm(null), names: "vulnerabilities:" },
  { name: "vulnerabilities is missing", text: json({ auditReportVersion: 2 }), names: "vulnerabilities" },
  {
    name: "an entry is an array",
    text: npm({ axios: [entry([advisory])] }),
    names: "vulnerabilities.axios:",
  },
  { name: "an entry is null", text: npm({ axios: null }), names: "vulnerabilities.axios:" },
  { name: "via is a string", text: npm({ axios: entry("axios") }), names: "vulnerabilities.axios.via:" },
  {
    name: "via holds a nested array",
    text: npm({ axios: entry([[advisory]]) }),
    names: "vulnerabilities.axios.via[0]:",
    line: 8,
  },
  {
    name: "an advisory has no severity",
    text: npm({ axios: entry([{ ...advisory, severity: undefined }]) }),
    names: "vulnerabilities.axios.via[0].severity",
  },
];

const RULE = { id: "R1", properties: { "security-severity": "9.8" } };
const RESULT = { ruleId: "R1", message: { text: "m" } };
const sarif = (runs: unknown) => json({ version: "2.1.0", runs });
const run = (results: unknown, extra: object = {}) => ({
  tool: { driver: { name: "t", rules: [RULE] } },
  results,
  ...extra,
});

const SARIF: Case[] = [
  { name: "runs is a string", text: sarif("none"), names: "runs:", line: 3 },
  { name: "runs holds a nested array", text: sarif([[run([RESULT])]]), names: "runs[0]:" },
  { name: "runs is null", text: sarif(null), names: "runs:" },
  { name: "runs is missing", text: json({ version: "2.1.0", $schema: "sarif" }), names: "runs" },
  { name: "a run has no tool", text: sarif([{ results: [RESULT] }]), names: "runs[0].tool" },
  { name: "results is a string", text: sarif([run("none")]), names: "runs[0].results:" },
  {
    name: "results holds a nested array",
    text: sarif([run([[RESULT]])]),
    names: "runs[0].results[0]:",
    line: 19,
  },
  { name: "results is null (the tool did not finish)", text: sarif([run(null)]), names: "runs[0].results" },
  { name: "results is missing", text: sarif([{ tool: run([]).tool }]), names: "runs[0].results" },
  { name: "a result is null", text: sarif([run([null])]), names: "runs[0].results[0]:" },
  {
    name: "the rules are a string",
    text: sarif([{ ...run([RESULT]), tool: { driver: { name: "t", rules: "R1" } } }]),
    names: "runs[0].tool.driver.rules:",
  },
  {
    name: "a result's kind is not a SARIF kind",
    text: sarif([run([{ ...RESULT, kind: "failure" }])]),
    names: "runs[0].results[0].kind",
  },
  {
    name: "security-severity is not a score",
    text: sarif([run([{ ...RESULT, properties: { "security-severity": "critical" } }])]),
    names: 'runs[0].results[0].properties["security-severity"]',
  },
  {
    name: "the tool says it did not finish",
    text: sarif([run([], { invocations: [{ executionSuccessful: false }] })]),
    names: "runs[0].invocations[0].executionSuccessful",
  },
];

const metric = { total: 10, covered: 9, pct: 90 };
const istanbul = (value: unknown) => json(value);

const ISTANBUL: Case[] = [
  {
    name: "total.lines is a string",
    text: istanbul({ total: { lines: "90%", branches: metric } }),
    names: "total.lines:",
    line: 3,
  },
  {
    name: "total.lines holds an array",
    text: istanbul({ total: { lines: [metric] } }),
    names: "total.lines:",
  },
  {
    name: "total.lines is null",
    text: istanbul({ total: { lines: null, branches: metric } }),
    names: "total.lines:",
  },
  {
    name: "total.lines has no total",
    text: istanbul({ total: { lines: { covered: 9, pct: 90 } } }),
    names: "total.lines.total",
  },
  {
    name: "a file's entry is an array",
    text: istanbul({ total: { lines: metric }, "src/a.js": [{ lines: metric }] }),
    names: '["src/a.js"]:',
  },
  {
    name: "a file's entry is null",
    text: istanbul({ total: { lines: metric }, "src/a.js": null }),
    names: '["src/a.js"]:',
  },
  {
    name: "more lines covered than there are",
    text: istanbul({ total: { lines: { total: 10, covered: 11, pct: 110 } } }),
    names: "total.lines",
  },
];

const LCOV: Case[] = [
  { name: "LF is not a number", text: "SF:a.js\nLF:ten\nLH:1\nend_of_record\n", names: "LF:", line: 2 },
  { name: "DA has no hit count", text: "SF:a.js\nDA:1\nend_of_record\n", names: "DA:", line: 2 },
  { name: "DA's line is not a number", text: "SF:a.js\nDA:x,1\nend_of_record\n", names: "DA:", line: 2 },
  {
    name: "BRDA has too few fields",
    text: "SF:a.js\nDA:1,1\nBRDA:1,0\nend_of_record\n",
    names: "BRDA:",
    line: 3,
  },
  { name: "LH is more than LF", text: "SF:a.js\nLF:3\nLH:4\nend_of_record\n", names: "LH:4", line: 3 },
  {
    // More lines ran than LF, but not in the way coverage.py 6 miscounted (coverage-py.ts).
    name: "LH is more than LF and its DA lines do not explain it",
    text: "SF:a.py\nDA:1,1\nDA:2,1\nLF:1\nLH:3\nend_of_record\n",
    names: "LH:3",
    line: 5,
  },
  {
    name: "BRH is more than BRF",
    text: "SF:a.js\nLF:1\nLH:1\nBRF:2\nBRH:3\nend_of_record\n",
    names: "BRH:3",
    line: 5,
  },
];

const cobertura = (body: string, totals = "") =>
  `<?xml version="1.0" ?>\n<coverage line-rate="1" ${totals}>\n${body}\n</coverage>\n`;
const cls = (lines: string) =>
  `<packages><package name="p"><classes><class name="A" filename="a.py"><lines>${lines}</lines></class></classes></package></packages>`;

const COBERTURA: Case[] = [
  {
    name: "lines-valid is not a number",
    text: cobertura("", 'lines-valid="many" lines-covered="1"'),
    names: "lines-valid",
    line: 2,
  },
  {
    name: "lines-covered is negative",
    text: cobertura("", 'lines-valid="10" lines-covered="-1"'),
    names: "lines-covered",
    line: 2,
  },
  {
    name: "lines-covered is more than lines-valid",
    text: cobertura("", 'lines-valid="10" lines-covered="11"'),
    names: "lines-covered",
    line: 2,
  },
  { name: "a line has no hits", text: cobertura(cls('<line number="1"/>')), names: "<line>", line: 3 },
  {
    name: "a line's hits are not a number",
    text: cobertura(cls('<line number="1" hits="lots"/>')),
    names: "<line>",
    line: 3,
  },
  {
    name: "a line outside <lines>",
    text: cobertura(
      '<packages><package name="p"><classes>\n<class name="A" filename="a.py"><line number="1" hits="0"/></class></classes></package></packages>',
    ),
    names: "<line>",
    line: 4,
  },
  {
    name: "a class outside <classes>",
    text: cobertura('<packages><package name="p">\n<class name="A" filename="a.py"/></package></packages>'),
    names: "<class>",
    line: 4,
  },
  {
    name: "two <packages>",
    text: cobertura(`${cls('<line number="1" hits="1"/>')}\n${cls('<line number="1" hits="0"/>')}`),
    names: "<packages>",
    line: 4,
  },
  {
    name: "a class without filename or name",
    text: cobertura(cls("").replace('name="A" filename="a.py"', "")),
    names: "<class>",
  },
];

const junit = (body: string) => `<?xml version="1.0"?>\n<testsuites>\n${body}\n</testsuites>\n`;
const FAILED = '<testcase name="t" classname="C"><failure message="boom"/></testcase>';

const JUNIT: Case[] = [
  {
    name: "a testcase without a name",
    text: junit('<testsuite name="s">\n<testcase classname="C"/></testsuite>'),
    names: "<testcase>",
    line: 4,
  },
  {
    name: "a testsuites inside a testsuites",
    text: junit(
      `<testsuite name="ok"><testcase name="p"/></testsuite>\n<testsuites><testsuite name="s">${FAILED}</testsuite></testsuites>`,
    ),
    names: "<testsuites>",
    line: 4,
  },
  {
    name: "a testcase inside a testcase",
    text: junit(`<testsuite name="s"><testcase name="p">\n${FAILED}</testcase></testsuite>`),
    names: "<testcase>",
    line: 4,
  },
  {
    name: "a failure outside a testcase",
    text: junit('<testsuite name="s"><testcase name="p"/>\n<failure message="boom"/></testsuite>'),
    names: "<failure>",
    line: 4,
  },
];

const TABLE: Array<[string, string, ReportKind, Case[]]> = [
  ["trivy", "trivy.json", "vulns", TRIVY],
  ["npm-audit", "npm-audit.json", "vulns", NPM_AUDIT],
  ["sarif", "scan.sarif", "vulns", SARIF],
  ["istanbul-summary", "coverage-summary.json", "coverage", ISTANBUL],
  ["lcov", "lcov.info", "coverage", LCOV],
  ["cobertura", "coverage.xml", "coverage", COBERTURA],
  ["junit", "junit.xml", "tests", JUNIT],
];

describe.each(TABLE)("a malformed %s report is exit 2, never a pass", (_format, name, kind, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const file = await reportFile(name, c.text);
    const error = await rejection(readReport(file, kind));
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe("gate/report-malformed");
    expect(error.message).toContain(c.names);
    if (c.line !== undefined) expect(error.diagnostics[0]?.location).toMatchObject({ file, line: c.line });
  });
});

describe("shipgate gate vulns on a Trivy report of the wrong shape", () => {
  it.each([
    ['Results: "none"', trivy("none")],
    [
      "Results holding a nested array with a CRITICAL finding",
      trivy([[{ Target: "a", Vulnerabilities: [CRITICAL] }]]),
    ],
  ])("%s: exit 2 with the path and its position", async (_, text) => {
    const dir = await tempDir();
    await writeFile(join(dir, "trivy.json"), text);
    const { code, stdout, stderr } = await runGateCli(["gate", "vulns", "trivy.json", "--fail-on", "high"], {
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(stdout).not.toContain("PASS");
    expect(stderr).toMatch(
      /trivy\.json:\d+:\d+: error\[gate\/report-malformed\]: not a valid Trivy JSON report: Results/,
    );
  });
});

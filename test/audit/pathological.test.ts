import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../src/audit/engine.js";
import { applyFixes } from "../../src/audit/fix.js";
import { renderText } from "../../src/audit/report/text.js";
import type { Finding } from "../../src/audit/types.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { searchWork, sliceWork, superlinearity } from "../helpers/work.js";

const HEAD = "on: push\npermissions: {}\njobs:\n";
const job = (id: string, body: string) =>
  `  ${id}:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n${body}    steps:\n      - run: echo ok\n`;

async function audit(files: Record<string, string>, ...args: string[]) {
  const root = await tempDir();
  await mkdir(join(root, ".github/workflows"), { recursive: true });
  for (const [name, text] of Object.entries(files))
    await writeFile(join(root, ".github/workflows", name), text);
  return runCli(["audit", ...args], { cwd: root });
}

const run = (text: string) => auditWorkflows({ files: [{ path: "w.yml", text }] });

describe("workflows built to be slow or to exhaust memory are refused, at a position, with exit 2", () => {
  test("a file over 4 MiB, before it is read whole", async () => {
    const r = await audit({ "big.yml": `${HEAD}${job("a", "")}${"# padding\n".repeat(440_000)}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\.github\/workflows\/big\.yml:1:1: error\[audit\/too-large\]/);
  });

  test.skipIf(process.platform === "win32")("a device, by its type, unread", async () => {
    const r = await audit({}, "/dev/zero");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\/dev\/zero:1:1: error\[audit\/not-a-file\]/);
    expect(r.stderr).not.toContain("internal error");
  });

  test("more than 1,000 jobs, at the first one past the limit", async () => {
    const jobs = Array.from({ length: 1_001 }, (_, i) => job(`j${i}`, "")).join("");
    const r = await audit({ "w.yml": HEAD + jobs });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^\.github\/workflows\/w\.yml:5004:3: error\[audit\/too-many-jobs\]: 1,001 jobs/,
    );
  });

  test("more than 1,000 steps in a job, at the first one past the limit", async () => {
    const steps = "      - run: echo\n".repeat(70_000);
    const r = await audit({ "w.yml": `${HEAD}  a:\n    runs-on: x\n    steps:\n${steps}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^\.github\/workflows\/w\.yml:1007:9: error\[audit\/too-many-steps\]: 70,000 steps/,
    );
  });

  test("a mapping of more than 10,000 entries, at the first one past the limit", async () => {
    const env = Array.from({ length: 100_000 }, (_, i) => `      KEY_${i}: value\n`).join("");
    const r = await audit({ "w.yml": HEAD + job("a", `    env:\n${env}`) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\.github\/workflows\/w\.yml:10008:7: error\[audit\/too-many-entries\]/);
  });

  test("nesting deeper than YAML readers recurse is a finding of the file, not an internal error", async () => {
    const deep = Array.from({ length: 1_000 }, (_, i) => `${" ".repeat(6 + i)}k:\n`).join("");
    const r = await audit({ "w.yml": HEAD + job("a", `    env:\n${deep}`) }, "--format", "json");
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain(
      "invalid-workflow",
    );
  });
});

describe("what is audited runs in time linear in the file", () => {
  const linear = (input: (n: number) => string, n: number, measure?: (fn: () => unknown) => number) =>
    expect(superlinearity({ input, run, n, ...(measure && { measure }) })).toBeLessThan(1.3);

  test("a mapping of many keys", () => {
    linear(
      (n) => HEAD + job("a", `    env:\n${Array.from({ length: n }, (_, i) => `      K${i}: v\n`).join("")}`),
      2_000,
    );
  });

  test("a job of many scanning steps", () => {
    const steps = (n: number) =>
      Array.from({ length: n }, (_, i) => `      - run: trivy image app > out${i}.json || true\n`).join("");
    linear((n) => `${HEAD}  scan:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n${steps(n)}`, 300);
  });

  test("a script of many scans whose reports later lines may read", () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => `          npm audit > out${i}.json || true\n`).join("");
    linear(
      (n) =>
        `${HEAD}  scan:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: |\n${lines(n)}`,
      1_000,
    );
  });

  test("a quoted script, none of whose lines is written verbatim", () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => `curl -k https://h${i}.example.com \\n`).join("");
    linear(
      (n) => `${HEAD}  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: "${lines(n)}"\n`,
      2_000,
      searchWork,
    );
  });

  test("jobs that each need every job before them", () => {
    const jobs = (n: number) =>
      Array.from({ length: n }, (_, i) => {
        const needs = i ? `    needs: [${Array.from({ length: i }, (_, k) => `j${k}`).join(", ")}]\n` : "";
        return job(`j${i}`, `    environment: production\n${needs}`).replace(
          "echo ok",
          "kubectl apply -f k.yml",
        );
      }).join("");
    linear((n) => `name: deploy\n${HEAD}${jobs(n)}`, 40);
  });

  test("many bare shipgate-ignore comments", () => {
    const steps = (n: number) =>
      "      # shipgate-ignore unpinned-action\n      - uses: actions/checkout@v4\n".repeat(n);
    linear((n) => `${HEAD}  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n${steps(n)}`, 300);
  });

  test("the text report of many findings, and the fixes of many", () => {
    const text = (n: number) =>
      `${HEAD}  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n${"      - run: npm install\n".repeat(n)}`;
    // Audited outside the measurement: only the report and the fixes are measured.
    const audited = new Map<string, Finding[]>();
    const findings = (input: string) => {
      if (!audited.has(input)) audited.set(input, run(input).findings);
      return audited.get(input)!;
    };
    const report = (input: string) =>
      renderText({ findings: findings(input), sources: new Map([["w.yml", input]]), color: false });
    const fixed = (input: string) => applyFixes(input, findings(input));
    expect(superlinearity({ input: text, run: report, n: 300 })).toBeLessThan(1.3);
    expect(superlinearity({ input: text, run: fixed, n: 300, measure: sliceWork })).toBeLessThan(1.3);
  });
});

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { startServer } from "../verify/server.js";

/** What a terminal acts on rather than shows (line feeds and tabs aside, and CR before LF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/;

// Double-quoted YAML turns \e, \r and \u202e into the characters themselves: a job id, a step
// name and a script that move the cursor up, erase the line and print a verdict of their own.
const HOSTILE = `on: push
jobs:
  "build\\e[1A\\e[2K\\rNo problems found.\\u202e":
    runs-on: ubuntu-latest
    steps:
      - name: "step \\e]0;owned\\a\\u2066"
        run: ./build.sh "\\e[2J"
`;
// Written raw in a comment on a line the audit quotes (the job has no timeout; its script is not
// one that only prints, which could not hang).
const RAW_LINE = `on: push
permissions: {}
jobs:
  deploy:  # \u001b[1A\u001b[2K\u009b31m\u202eNo problems found.
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/release.sh
`;

async function repo(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, ".github/workflows"), { recursive: true });
  await writeFile(join(root, ".github/workflows/hostile.yml"), HOSTILE);
  await writeFile(join(root, ".github/workflows/raw.yml"), RAW_LINE);
  return root;
}

describe("terminal escapes in what the CLI prints", () => {
  test("audit text output shows them escaped, findings and excerpts alike", async () => {
    const r = await runCli(["audit"], { cwd: await repo() });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('job "build\\u001b[1A\\u001b[2K\\u000dNo problems found.\\u202e"');
    expect(r.stdout).toContain("|   deploy:  # \\u001b[1A\\u001b[2K\\u009b31m\\u202eNo problems found.");
    expect(r.stdout).not.toMatch(/^No problems found/m);
  });

  test("the caret stays under the offending text of an escaped line", async () => {
    const root = await tempDir();
    await mkdir(join(root, ".github/workflows"), { recursive: true });
    await writeFile(
      join(root, ".github/workflows/a.yml"),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\u202e"; curl http://example.com/x.sh | sh\n',
    );
    const r = await runCli(["audit"], { cwd: root });
    const lines = r.stdout.split("\n");
    const excerpt = lines.findIndex((l) => l.includes("curl http://example.com"));
    expect(excerpt).toBeGreaterThan(0);
    const caret = lines[excerpt + 1]!.indexOf("^");
    expect(lines[excerpt]!.slice(caret)).toMatch(/^curl/);
  });

  test("github annotations show them escaped", async () => {
    const r = await runCli(["audit", "--format", "github"], { cwd: await repo() });
    expect(r.stdout).toMatch(/^::warning /m);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain("\\u001b[1A");
  });

  test("JSON and SARIF stay JSON: no raw escapes printed, the same data when parsed", async () => {
    const root = await repo();
    for (const format of ["json", "sarif"]) {
      const r = await runCli(["audit", "--format", format], { cwd: root });
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      const messages: string[] =
        format === "json"
          ? JSON.parse(r.stdout).findings.map((f: { message: string }) => f.message)
          : JSON.parse(r.stdout).runs[0].results.map((f: { message: { text: string } }) => f.message.text);
      // The data itself is unchanged: the job id arrives whole, escapes and all, once parsed.
      expect(
        messages.some((m) =>
          m.startsWith('job "build\u001b[1A\u001b[2K\rNo problems found.\u202e" has no timeout-minutes'),
        ),
        messages.join("\n"),
      ).toBe(true);
    }
  });

  test("the written report file of the text format is escaped too", async () => {
    const root = await repo();
    await runCli(["audit", "--output", "report.txt"], { cwd: root });
    const written = await readFile(join(root, "report.txt"), "utf8");
    expect(written).toContain("\\u001b[1A");
    expect(written).not.toMatch(RAW_CONTROL);
  });

  test("errors quoting the configuration show them escaped", async () => {
    const root = await tempDir();
    await writeFile(
      join(root, "shipgate.yml"),
      'app: { name: demo, language: node }\n"bogus\\e[1A\\e[2K\\u202e": 1\nenvironments: { staging: { target: { type: local, port: 8080 } } }\n',
    );
    const r = await runCli(["plan"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "bogus\\u001b[1A\\u001b[2K\\u202e" at the top level');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  test("verify's table shows them escaped, with its columns aligned as printed", async () => {
    const server = await startServer((_, res) => {
      res.end("ok");
    });
    const root = await tempDir();
    await writeFile(
      join(root, "smoke.yml"),
      'checks:\n  - name: "ok\\e[2K\\u202e"\n    path: /\n  - name: second\n    path: /\n',
    );
    const r = await runCli(["verify", server.baseUrl, "--no-ready", "--smoke", "smoke.yml"], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const rows = r.stdout.split("\n").filter((l) => /^(ok|second)/.test(l));
    expect(rows[0]).toMatch(/^ok\\u001b\[2K\\u202e {2}pass/);
    expect(rows[0]!.indexOf("pass")).toBe(rows[1]!.indexOf("pass"));
  });

  test("on a colour terminal the CLI's own colours pass and nothing else does", async () => {
    const { code, stdout } = await runCli(["audit"], { cwd: await repo(), color: true });
    expect(code).toBe(1);
    expect(stdout).toContain("\u001b[33mwarning\u001b[39m");
    expect(stdout).toContain("build\\u001b[1A\\u001b[2K");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes of src/cli/style.ts
    const withoutOwnColours = stdout.replace(/\u001b\[(1|2|22|31|32|33|36|39)m/g, "");
    expect(withoutOwnColours).not.toMatch(RAW_CONTROL);
  });
});

import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const run = promisify(execFile);

const UNSAFE = `name: Deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "\${{ github.event.head_commit.message }}"
`;

const CLEAN = `name: CI
on: pull_request
concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: npm test
`;

async function repo(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, ".github/workflows"), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

describe("shipgate audit", () => {
  test("with no path audits .github/workflows/; text output shows the line; exit 1 on findings", async () => {
    const root = await repo({ ".github/workflows/deploy.yml": UNSAFE, ".github/workflows/ci.yml": CLEAN });
    const r = await runCli(["audit"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(".github/workflows/deploy.yml");
    expect(r.stdout).toMatch(/11:15\s+note\s+actions\/checkout@v4 \(GitHub's own\) can change under you/);
    expect(r.stdout).toContain("     11 |       - uses: actions/checkout@v4");
    expect(r.stdout).toMatch(
      /\d+ problems \(\d+ errors, \d+ warnings?, \d+ notes\) in 1 file; \d+ fixable with --fix/,
    );
    expect(r.stdout).not.toContain("ci.yml");
  });

  test("exit 0 when nothing at or above --min-severity is found", async () => {
    const root = await repo({ ".github/workflows/ci.yml": CLEAN });
    const r = await runCli(["audit"], { cwd: root });
    expect(r.stdout).toContain("No problems found.");
    expect(r.code).toBe(0);
  });

  test("--min-severity error ignores warnings for the exit code", async () => {
    // No permissions for a job that uses the token: a warning (missing-permissions), no error.
    const text = CLEAN.replace("permissions:\n  contents: read\n", "").replace("npm test", "gh pr list");
    const root = await repo({ ".github/workflows/ci.yml": text });
    expect((await runCli(["audit"], { cwd: root })).code).toBe(1);
    expect((await runCli(["audit", "--min-severity", "error"], { cwd: root })).code).toBe(0);
  });

  test("json output carries rule, severity, region, docs link and fix availability", async () => {
    const root = await repo({ ".github/workflows/deploy.yml": UNSAFE });
    const r = await runCli(["audit", "--format", "json"], { cwd: root });
    const report = JSON.parse(r.stdout);
    const pin = report.findings.find((f: { ruleId: string }) => f.ruleId === "unpinned-action");
    expect(pin).toMatchObject({
      severity: "note",
      file: ".github/workflows/deploy.yml",
      region: { startLine: 11, startColumn: 15, endLine: 11, endColumn: 34 },
      docsUrl: expect.stringMatching(/docs\/rules\/unpinned-action\.md$/),
      fix: { safe: true },
    });
    expect(report.summary.files).toBe(1);
  });

  test("sarif output passes the SARIF multitool's validation with no errors", async () => {
    const root = await repo({ ".github/workflows/deploy.yml": UNSAFE });
    const r = await runCli(["audit", "--format", "sarif", "--output", "audit.sarif"], { cwd: root });
    expect(r.code).toBe(1);
    const sarif = JSON.parse(await readFile(join(root, "audit.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    const { stdout } = await run(
      "npx",
      ["--no-install", "@microsoft/sarif-multitool", "validate", join(root, "audit.sarif")],
      {
        cwd: process.cwd(),
      },
    );
    expect(stdout).not.toMatch(/: error /);
    expect(stdout).toContain("Analysis completed successfully");
  }, 120_000);

  test("github output is one workflow-command annotation per finding", async () => {
    const root = await repo({ ".github/workflows/deploy.yml": UNSAFE });
    const r = await runCli(["audit", "--format", "github"], { cwd: root });
    expect(r.stdout).toMatch(
      /^::notice file=\.github\/workflows\/deploy\.yml,line=11,col=15,endLine=11,endColumn=34,title=shipgate unpinned-action::/m,
    );
    expect(r.stdout).toMatch(
      /^::error file=\.github\/workflows\/deploy\.yml,line=12,.*title=shipgate script-injection::/m,
    );
  });

  test("the repository's own actions are graded as its own code: owner from origin's URL, or GITHUB_REPOSITORY", async () => {
    const own =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: acme/gh-actions/login@main\n";
    const root = await repo({ ".github/workflows/ci.yml": own });
    const severity = async (env: NodeJS.ProcessEnv) => {
      const r = await runCli(["audit", "--format", "json"], { cwd: root, env });
      return JSON.parse(r.stdout).findings.find((f: { ruleId: string }) => f.ruleId === "unpinned-action")
        ?.severity;
    };
    expect(await severity({ GITHUB_REPOSITORY: "" })).toBe("error");
    expect(await severity({ GITHUB_REPOSITORY: "acme/orders" })).toBe("note");
    await run("git", ["init", "-q", root]);
    await run("git", ["-C", root, "remote", "add", "origin", "git@github.com:Acme/orders.git"]);
    expect(await severity({ GITHUB_REPOSITORY: "" })).toBe("note");
    expect(await severity({ GITHUB_REPOSITORY: "someone-else/fork" })).toBe("error");
  });

  test("--fix --dry-run prints a diff and writes nothing; --fix applies safe fixes and keeps comments", async () => {
    const text = UNSAFE.replace(
      "      - uses: actions/checkout@v4\n",
      "      # check out the commit being deployed\n      - uses: actions/checkout@v4\n",
    );
    const root = await repo({ ".github/workflows/deploy.yml": text });
    const dry = await runCli(["audit", "--fix", "--dry-run"], { cwd: root });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("-      - uses: actions/checkout@v4");
    expect(dry.stdout).toContain(
      "+      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
    );
    expect(await readFile(join(root, ".github/workflows/deploy.yml"), "utf8")).toBe(text);

    await runCli(["audit", "--fix"], { cwd: root });
    const after = await readFile(join(root, ".github/workflows/deploy.yml"), "utf8");
    expect(after).toContain(
      "      # check out the commit being deployed\n      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
    );
    const again = await runCli(["audit", "--fix", "--dry-run"], { cwd: root });
    expect(again.stdout).toContain("No safe fixes to apply.");
  });

  test("a baseline accepts today's findings; only new ones fail", async () => {
    const root = await repo({ ".github/workflows/deploy.yml": UNSAFE });
    const write = await runCli(["audit", "--write-baseline", ".shipgate-baseline.json"], { cwd: root });
    expect(write.code).toBe(0);
    const accepted = await runCli(["audit", "--baseline", ".shipgate-baseline.json"], { cwd: root });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/No problems found\. \(\d+ in the baseline\)/);
    // Lines move and a new problem appears: only the new one is reported.
    const changed = `# deploys main\n${UNSAFE}      - uses: docker/setup-buildx-action@v3\n`;
    await writeFile(join(root, ".github/workflows/deploy.yml"), changed);
    const fresh = await runCli(["audit", "--baseline", ".shipgate-baseline.json", "--format", "json"], {
      cwd: root,
    });
    const report = JSON.parse(fresh.stdout);
    expect(report.findings.map((f: { message: string }) => f.message)).toEqual([
      expect.stringContaining("docker/setup-buildx-action@v3"),
    ]);
    expect(fresh.code).toBe(1);
  });

  test("shipgate.yml's audit section turns rules off or changes severity; unknown ids are exit 2", async () => {
    const root = await repo({ ".github/workflows/ci.yml": CLEAN.replace("    timeout-minutes: 10\n", "") });
    await writeFile(join(root, "shipgate.yml"), "audit:\n  rules:\n    missing-timeout: off\n");
    expect((await runCli(["audit"], { cwd: root })).code).toBe(0);
    await writeFile(join(root, "shipgate.yml"), "audit:\n  rules:\n    missing-timeot: off\n");
    const bad = await runCli(["audit"], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/shipgate\.yml:3:5: error\[config\/unknown-rule\]/);
    expect(bad.stderr).toContain('did you mean "missing-timeout"?');
  });

  test("a malformed workflow is a finding with its position; the other files are still audited", async () => {
    const root = await repo({
      ".github/workflows/broken.yml": "on: push\njobs:\n  a: [\n",
      ".github/workflows/deploy.yml": UNSAFE,
    });
    const r = await runCli(["audit", "--format", "json"], { cwd: root });
    const ids = JSON.parse(r.stdout).findings.map(
      (f: { ruleId: string; file: string }) => `${f.file}:${f.ruleId}`,
    );
    expect(ids).toContain(".github/workflows/broken.yml:invalid-workflow");
    expect(ids).toContain(".github/workflows/deploy.yml:unpinned-action");
  });

  test("bad usage is exit 2", async () => {
    const root = await repo({ ".github/workflows/ci.yml": CLEAN });
    expect((await runCli(["audit", "--format", "xml"], { cwd: root })).code).toBe(2);
    expect((await runCli(["audit", "missing.yml"], { cwd: root })).code).toBe(2);
    expect((await runCli(["audit", "--dry-run"], { cwd: root })).code).toBe(2);
  });
});

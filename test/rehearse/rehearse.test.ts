import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { buildPipeline } from "../../src/pipeline/build.js";
import { localTestEnv, rehearseCi, versionMatches } from "../../src/rehearse/index.js";
import { findBinary } from "../../src/rehearse/services.js";
import { pythonFor } from "../../src/rehearse/toolchain.js";
import { runCli } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";

const TARGET =
  "artifact:\n  type: tarball\nenvironments:\n  staging:\n    target:\n      type: local\n      port: 8080\n";

function shipgateYml(app: string): string {
  return `app:\n  name: tiny\n  language: node\n  packageManager: npm\n${app}${TARGET}`;
}

/** A tiny Node project with no dependencies: `npm ci` works offline. */
async function nodeProject(options: {
  scripts: Record<string, string>;
  files: Record<string, string>;
  app: string;
  commit?: boolean;
}): Promise<string> {
  const dir = await tempDir();
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "tiny", version: "1.0.0", private: true, scripts: options.scripts }),
  );
  await writeFile(
    join(dir, "package-lock.json"),
    JSON.stringify({
      name: "tiny",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: { "": { name: "tiny", version: "1.0.0" } },
    }),
  );
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(dir, name), text);
  await writeFile(join(dir, "shipgate.yml"), shipgateYml(options.app));
  if (options.commit !== false) {
    git(dir, "init", "--quiet");
    git(dir, "add", "--all");
    git(dir, "commit", "--quiet", "-m", "init");
  }
  return dir;
}

const PASSING_TEST = `const test = require("node:test");
const assert = require("node:assert");
test("adds", () => assert.strictEqual(1 + 1, 2));
`;

const COMMANDS = "  commands:\n    lint: npm run lint\n    test: npm test\n";

describe("shipgate ci rehearse", { timeout: 120_000 }, () => {
  it("passes every job of a project whose checks pass, in the pipeline's order", async () => {
    const dir = await nodeProject({
      scripts: { lint: "node -e \"console.log('lint ok')\"", test: "node --test" },
      files: { "sum.test.js": PASSING_TEST },
      app: COMMANDS,
    });
    const report = await rehearseCi({ dir });
    expect(report.jobs.map((j) => [j.id, j.status])).toEqual([
      ["install", "passed"],
      ["lint", "passed"],
      ["test", "passed"],
    ]);
    expect(report.jobs[0]!.commands).toEqual(["npm ci"]);
    expect(report.ok).toBe(true);
    expect(report.source.kind).toBe("git");
    // The checkout itself was never used: npm ci ran in the clone.
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    expect(existsSync(report.workspace)).toBe(false);
  });

  it("reports the failing lint command with the end of its output, and exits 1", async () => {
    const dir = await nodeProject({
      scripts: {
        lint: "node -e \"console.error('src/a.js:3 no-unused-vars: x is never used'); process.exit(3)\"",
        test: "node --test",
      },
      files: { "sum.test.js": PASSING_TEST },
      app: COMMANDS,
    });
    const run = await runCli(["ci", "rehearse", "--json"], { cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const lint = report.jobs.find((j: { id: string }) => j.id === "lint");
    expect(lint.status).toBe("failed");
    expect(lint.failed).toEqual({ command: "npm run lint", exitCode: 3, timedOut: false });
    expect(lint.outputTail.join("\n")).toContain("no-unused-vars: x is never used");
    // The other jobs still run: CI runs them in parallel.
    expect(report.jobs.find((j: { id: string }) => j.id === "test").status).toBe("passed");

    const text = await runCli(["ci", "rehearse"], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/Lint\s+FAILED/);
    expect(text.stdout).toContain("`npm run lint` exited with 3");
    expect(text.stdout).toContain("the first CI run would fail (2 passed, 1 failed, 0 not rehearsed");
  });

  it("rehearses HEAD, says what is uncommitted, and includes it with --working-tree", async () => {
    const dir = await nodeProject({
      scripts: { test: "node --test" },
      files: { "sum.test.js": PASSING_TEST },
      app: "  commands:\n    test: npm test\n",
    });
    await writeFile(join(dir, "broken.test.js"), PASSING_TEST.replace("2)", "3)"));
    const head = await rehearseCi({ dir });
    expect(head.ok).toBe(true);
    expect(head.source.uncommitted).toEqual(["broken.test.js"]);
    expect(head.warnings.join("\n")).toContain("--working-tree includes them");

    const working = await rehearseCi({ dir, workingTree: true });
    expect(working.jobs.find((j) => j.id === "test")?.status).toBe("failed");
    expect(working.warnings).toEqual([]);
    // The user's files are as they were.
    expect(await readFile(join(dir, "broken.test.js"), "utf8")).toContain("3)");
  });

  it("finds shipgate.yml at the repository root when run in a subfolder", async () => {
    const dir = await nodeProject({
      scripts: { test: "node --test" },
      files: { "sum.test.js": PASSING_TEST },
      app: "  commands:\n    test: npm test\n",
    });
    await mkdir(join(dir, "src", "deep"), { recursive: true });
    const run = await runCli(["ci", "rehearse", "--json"], { cwd: join(dir, "src", "deep") });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).config).toBe(join(dir, "shipgate.yml"));
  });

  it("sends global installs to the rehearsal's own folder, even under npx", async () => {
    const dir = await nodeProject({
      scripts: {},
      files: {},
      app: "  commands:\n    lint: npm config get prefix; exit 1\n",
    });
    const report = await rehearseCi({ dir, env: { ...process.env, npm_config_prefix: "/usr" } });
    const lint = report.jobs.find((j) => j.id === "lint")!;
    expect(lint.outputTail[0]).toBe(join(dirname(report.workspace), "tools"));
  });

  it("copies a folder that is not a git repository, leaving node_modules out", async () => {
    const dir = await nodeProject({
      scripts: { test: "node -e \"require('fs').existsSync('node_modules/stale') && process.exit(9)\"" },
      files: {},
      app: "  commands:\n    test: npm test\n",
      commit: false,
    });
    await mkdir(join(dir, "node_modules", "stale"), { recursive: true });
    const report = await rehearseCi({ dir });
    expect(report.source.kind).toBe("copy");
    expect(report.jobs.map((j) => j.status)).toEqual(["passed", "passed"]);
  });

  it("stops a job at its time limit and says so", async () => {
    const dir = await nodeProject({
      scripts: { test: 'node -e "setTimeout(() => {}, 60000)"' },
      files: {},
      app: "  commands:\n    test: npm test\n",
    });
    const started = Date.now();
    const report = await rehearseCi({ dir, timeoutMinutes: 0.05 });
    const test = report.jobs.find((j) => j.id === "test")!;
    expect(test.status).toBe("failed");
    expect(test.failed?.timedOut).toBe(true);
    expect(test.reason).toContain("time limit of 0.1 min");
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("never prints the credentials of a URL the output shows", async () => {
    const dir = await nodeProject({
      scripts: {
        test: "node -e \"console.log('connecting to postgres://admin:hunter2secret@db:5432/x'); process.exit(1)\"",
      },
      files: {},
      app: "  commands:\n    test: npm test\n",
    });
    const run = await runCli(["ci", "rehearse"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("postgres://admin:***@db:5432/x");
    expect(run.stdout).not.toContain("hunter2secret");
  });

  it("refuses a bad --timeout and a missing shipgate.yml with exit 2", async () => {
    const dir = await tempDir();
    expect((await runCli(["ci", "rehearse", "--timeout", "soon"], { cwd: dir })).code).toBe(2);
    const missing = await runCli(["ci", "rehearse"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("shipgate.yml");
  });
});

describe("test services", { timeout: 120_000 }, () => {
  const postgresBins = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").map((v) => join("/usr/lib/postgresql", v, "bin"))
    : [];
  const postgresInstalled = Boolean(findBinary("initdb", process.env, postgresBins));
  const needsPostgres = postgresInstalled || process.env.CI ? it : it.skip;

  needsPostgres("starts a throwaway PostgreSQL and points DATABASE_URL from testEnv at it", async () => {
    expect(postgresInstalled, "PostgreSQL (initdb, pg_ctl) must be installed under CI").toBe(true);
    const dir = await nodeProject({
      scripts: { test: "node --test" },
      files: {
        // Speaks enough of the PostgreSQL protocol to know a server answers with this user.
        "db.test.js": `const test = require("node:test");
const assert = require("node:assert");
const net = require("node:net");
test("the database answers", async () => {
  const url = new URL(process.env.DATABASE_URL);
  assert.strictEqual(url.hostname, "127.0.0.1");
  assert.notStrictEqual(url.port, "5432");
  assert.strictEqual(process.env.DB_PORT, url.port);
  const user = decodeURIComponent(url.username), db = url.pathname.slice(1);
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from("user\\0" + user + "\\0database\\0" + db + "\\0\\0")]);
  const len = Buffer.alloc(4); len.writeInt32BE(body.length + 4);
  const reply = await new Promise((resolve, reject) => {
    const s = net.connect(Number(url.port), url.hostname, () => s.write(Buffer.concat([len, body])));
    s.once("data", (d) => { s.destroy(); resolve(d); });
    s.once("error", reject);
  });
  // 'R' with code 0: authentication ok (the throwaway cluster trusts loopback).
  assert.strictEqual(String.fromCharCode(reply[0]), "R");
  assert.strictEqual(reply.readInt32BE(5), 0);
});
`,
      },
      app: [
        "  commands:",
        "    test: npm test",
        "  services: [postgres]",
        "  testEnv:",
        '    DATABASE_URL: "postgresql://{postgres.user}:{postgres.password}@{postgres.host}:{postgres.port}/{postgres.database}"',
        '    DB_PORT: "{postgres.port}"',
        "",
      ].join("\n"),
    });
    const report = await rehearseCi({ dir });
    expect(report.services).toHaveLength(1);
    expect(report.services[0]).toMatchObject({ kind: "postgres", status: "started" });
    const test = report.jobs.find((j) => j.id === "test")!;
    expect(test.outputTail, test.reason ?? "").toEqual([]);
    expect(test.status).toBe("passed");
  });

  it("reports the test job as not rehearsed when a service is not installed, never as passed", async () => {
    const dir = await nodeProject({
      scripts: { test: "node --test" },
      files: { "sum.test.js": PASSING_TEST },
      app: "  commands:\n    test: npm test\n  services: [mongodb]\n",
    });
    // A PATH with only what the job needs, so no mongod is found even where one is installed.
    const bin = await tempDir();
    for (const tool of ["node", "npm", "git", "bash", "sh"]) {
      const found = findBinary(tool, process.env);
      if (found) spawnSync("ln", ["-s", found, join(bin, tool)]);
    }
    const env = { ...process.env, PATH: bin };
    expect(findBinary("mongod", env)).toBeNull();
    const run = await runCli(["ci", "rehearse"], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Test\s+not rehearsed/);
    expect(run.stdout).toContain("mongodb is not installed here");
    expect(run.stdout).toContain("not every job could be rehearsed here");
  });
});

describe("pieces", () => {
  it("compares versions as the setup actions read them", () => {
    expect(versionMatches("20", "20.20.2")).toBe(true);
    expect(versionMatches("22", "20.20.2")).toBe(false);
    expect(versionMatches("3.12", "3.12.4")).toBe(true);
    expect(versionMatches("3.11", "3.12.4")).toBe(false);
    expect(versionMatches(">=18", "20.1.0")).toBe(true);
    expect(versionMatches(">=21", "20.1.0")).toBe(false);
    expect(versionMatches("^20.3", "20.20.2")).toBe(true);
    expect(versionMatches("1.22.x", "1.22.5")).toBe(true);
    expect(versionMatches("lts/*", "20.1.0")).toBe(null);
  });

  it("takes the Python the workflow installs from PATH or pyenv, else python3", async () => {
    const root = await tempDir();
    await mkdir(join(root, "versions", "3.77.1", "bin"), { recursive: true });
    await writeFile(join(root, "versions", "3.77.1", "bin", "python3"), "");
    const env = { PATH: "/usr/bin:/bin", PYENV_ROOT: root };
    expect(await pythonFor("3.77", env)).toBe(join(root, "versions", "3.77.1", "bin", "python3"));
    expect(await pythonFor("3.78", env)).toBe("python3");
    expect(await pythonFor(null, env)).toBe("python3");
  });

  it("points the CI's service addresses and literal URLs at the local instances", () => {
    const { config } = {
      config: parseConfig({
        text: shipgateYml(
          [
            "  commands:",
            "    test: npm test",
            "  services: [postgres, redis]",
            "  testEnv:",
            '    PGHOST: "{postgres.host}"',
            '    CACHE: "redis://localhost:6379/1"',
            "",
          ].join("\n"),
        ),
        file: "shipgate.yml",
      }),
    };
    const model = buildPipeline({ config });
    const local = { host: "127.0.0.1", user: "test", password: "test", database: "test" };
    const env = localTestEnv(model, config.app.testEnv, {
      postgres: { ...local, port: 40001 },
      redis: { ...local, user: "", password: "", database: "0", port: 40002 },
    });
    expect(env).toMatchObject({
      DATABASE_URL: "postgresql://test:test@127.0.0.1:40001/test",
      REDIS_URL: "redis://127.0.0.1:40002",
      PGHOST: "127.0.0.1",
      CACHE: "redis://127.0.0.1:40002/1",
    });
  });
});

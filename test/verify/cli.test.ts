import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_APP_DIR, startSampleApp } from "../examples/sample-app.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { failingFirst, healthy, json, startServer } from "./server.js";

const FAST = ["--retry-delay", "20ms", "--deadline", "2s", "--timeout", "1s"];

describe("shipgate verify", () => {
  it("passes against the sample app and prints a table", async () => {
    const app = await startSampleApp();
    const run = await runCli(["verify", app.baseUrl, "--smoke", "smoke.yml", ...FAST], {
      cwd: SAMPLE_APP_DIR,
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^check\s+result\s+status\s+latency\s+attempts\s+detail$/);
    expect(lines[1]).toMatch(/^health\s+pass\s+200\s+\d+ ms\s+1$/);
    expect(lines[2]).toMatch(/^ready\s+pass\s+200\s+\d+ ms\s+1$/);
    expect(lines[5]).toMatch(/^create order\s+pass\s+201\s+\d+ ms\s+1$/);
    expect(run.stdout).toMatch(new RegExp(`PASS: 7 checks passed against ${app.baseUrl} in \\d+`));
    expect(run.stderr).toContain("health: passed after 1 attempt\n");
  });

  it("prints the report as JSON with --json", async () => {
    const app = await startSampleApp();
    const run = await runCli(["verify", app.baseUrl, "--smoke", "smoke.yml", "--json", ...FAST], {
      cwd: SAMPLE_APP_DIR,
    });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, baseUrl: app.baseUrl });
    expect(report.checks).toHaveLength(7);
    expect(report.checks[4]).toMatchObject({ name: "create order", kind: "smoke", ok: true, status: 201 });
    expect(typeof report.durationMs).toBe("number");
  });

  it("exits 1 and names the failure when the release is broken", async () => {
    const app = await startSampleApp({ env: { FAULT_ERROR_RATE: "1" } });
    const run = await runCli(["verify", app.baseUrl, "--smoke", "smoke.yml", ...FAST], {
      cwd: SAMPLE_APP_DIR,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^health\s+pass/m);
    // The sample's checks retry 3 times.
    expect(run.stdout).toMatch(/^service root\s+FAIL\s+500\s+\d+ ms\s+4\s+expected status 200, got 500; /m);
    expect(run.stdout).toMatch(/^list orders\s+FAIL\s+500\s+\d+ ms\s+4\s+expected status 200, got 500/m);
    expect(run.stdout).toMatch(/FAIL: 4 of 7 checks did not pass/);
    expect(run.stderr).toMatch(
      /list orders: attempt 1 — expected status 200, got 500; .*, retrying in \d+ms/,
    );
  });

  it("shows retries on stderr while waiting for health", async () => {
    const server = await startServer(failingFirst(2, 503, healthy));
    const run = await runCli(["verify", server.baseUrl, "--no-ready", ...FAST], { cwd: process.cwd() });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^health: attempt 1 — 503, retrying in \d+ms$/m);
    expect(run.stderr).toMatch(/^health: attempt 2 — 503, retrying in \d+ms$/m);
    expect(run.stderr).toMatch(/^health: passed after 3 attempts$/m);
    expect(run.stdout).toMatch(/^health\s+pass\s+200\s+\d+ ms\s+3$/m);
    expect(run.stdout).not.toMatch(/^ready/m);
  });

  it("exits 1 when the deadline passes", async () => {
    const server = await startServer((_req, res) => json(res, 503, {}));
    const run = await runCli(
      ["verify", server.baseUrl, "--health-path", "/healthz", "--deadline", "200ms", "--retry-delay", "20ms"],
      { cwd: process.cwd() },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^health\s+FAIL\s+503\s+\d+ ms\s+(\d+)\s+expected status 2xx, got 503; gave up after \1 attempts: deadline of 200ms passed$/m,
    );
    expect(run.stdout).toMatch(/^ready\s+skip\s+-\s+-\s+0\s+not run: health check did not pass$/m);
    expect(server.requests.every((r) => r.url === "/healthz")).toBe(true);
  });

  it("exits 2 on a bad smoke file, naming file:line:column", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "smoke.yml"), "checks:\n  - path: /health\n    expct:\n      status: 200\n");
    const run = await runCli(["verify", "http://127.0.0.1:9", "--smoke", "smoke.yml"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      [
        'smoke.yml:3:5: error[verify/smoke-file]: unknown key "expct" in checks[0]',
        '  fix: did you mean "expect"? allowed keys: name, path, method, headers, body, expect, maxLatencyMs, retries',
        "",
      ].join("\n"),
    );
  });

  it.each([
    [["verify", "example.com"], 'error[verify/base-url]: invalid base URL "example.com": not a URL'],
    [["verify", "http://x", "--deadline", "5"], 'error[verify/duration]: invalid --deadline "5"'],
    [["verify", "http://x", "--timeout", "0s"], 'error[verify/duration]: invalid --timeout "0s"'],
    [["verify", "http://x", "--header", "no-colon"], 'error[verify/header]: invalid --header "no-colon"'],
    [
      ["verify", "http://x", "--ready-path", "ready"],
      'error[verify/path]: the ready path must start with "/"',
    ],
    [["verify"], "missing required argument 'base-url'"],
  ])("exits 2 on bad input: %j", async (args, message) => {
    const run = await runCli(args, { cwd: process.cwd() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("never prints the token from an Authorization header or URL credentials", async () => {
    const secret = "sekrit-token-abcdef123456";
    const server = await startServer((req, res) =>
      json(res, 200, { status: "ok" }, { "x-echo-authorization": String(req.headers.authorization) }),
    );
    const dir = await tempDir();
    await writeFile(
      join(dir, "smoke.yml"),
      "- path: /whoami\n  expect:\n    header:\n      x-echo-authorization: Bearer other-token-0000000000\n",
    );
    const url = new URL(server.baseUrl);
    const args = [
      "verify",
      server.baseUrl,
      "--smoke",
      "smoke.yml",
      "--header",
      `Authorization: Bearer ${secret}`,
    ];
    const failure = 'header x-echo-authorization: expected "Bearer ***", got "Bearer ***"';

    const table = await runCli([...args, ...FAST], { cwd: dir });
    expect(table.code).toBe(1);
    expect(table.stdout).toContain(failure);
    expect(table.stdout + table.stderr).not.toContain(secret);

    const asJson = await runCli([...args, "--json", ...FAST], { cwd: dir });
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout).checks[2].failures).toEqual([failure]);
    expect(asJson.stdout + asJson.stderr).not.toContain(secret);

    // The header did reach the server.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${secret}`);

    const withCredentials = await runCli(
      ["verify", `http://deploy:hunter2-password@${url.host}`, "--no-ready", ...FAST],
      { cwd: dir },
    );
    expect(withCredentials.code).toBe(0);
    expect(withCredentials.stdout + withCredentials.stderr).not.toContain("hunter2-password");
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const BIN = new URL("../../bin/shipgate.js", import.meta.url).pathname;

/** The installed entry point, as a user runs it: a real process over the compiled output. */
describe("bin/shipgate.js", () => {
  test("--help lists every command and exits 0", async () => {
    const { stdout } = await run(process.execPath, [BIN, "--help"]);
    for (const command of ["init", "generate", "plan", "verify", "demo"])
      expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
  });

  test("an unknown option is bad usage: exit 2", async () => {
    await expect(run(process.execPath, [BIN, "generate", "--bogus"])).rejects.toMatchObject({ code: 2 });
  });

  test("the demo runs the sample app end to end and exits 0", async () => {
    const { stdout } = await run(process.execPath, [BIN, "demo"], { env: { ...process.env, NO_COLOR: "1" } });
    expect(stdout).toMatch(/init\s+detected node \(npm\); wrote shipgate.yml for the local target/);
    expect(stdout).toMatch(
      /generate\s+4 workflows: ci\.yml, deploy-staging\.yml, deploy-production\.yml, rollback\.yml/,
    );
    expect(stdout).toMatch(/live\s+production-2-[0-9a-f]{6} is live and healthy/);
    expect(stdout).toMatch(/FAIL\s+error-rate-(relative|absolute) failed/);
    expect(stdout).toMatch(/rollback\s+production-2-[0-9a-f]{6} serves all traffic again/);
    expect(stdout).toMatch(/result\s+v2 serves; v3 was rolled back on the evidence/);
    expect(stdout).toMatch(/stop\s+agent stopped/);
    expect(stdout).toMatch(/clean\s+removed /);
  }, 90_000);
});

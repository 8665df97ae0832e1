import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const BIN = new URL("../../bin/shipgate.js", import.meta.url).pathname;

/**
 * The README's first command, as a user runs it: `node bin/shipgate.js demo`, a real process
 * over the compiled output, on the bundled sample app with embedded defaults.
 */
describe("shipgate demo", () => {
  test("v1; v2 by canary, shown within the limits and promoted; v3 with errors rolled back at its first step; v2 serves; nothing left behind", async () => {
    const { stdout } = await run(process.execPath, [BIN, "demo"], { env: { ...process.env, NO_COLOR: "1" } });
    expect(stdout).toMatch(/init\s+detected node \(npm\); wrote shipgate.yml for the local target/);
    expect(stdout).toMatch(
      /generate\s+4 workflows: ci\.yml, deploy-staging\.yml, deploy-production\.yml, rollback\.yml/,
    );
    // v1 is the first release; v2 advances each step only once the canary is shown within the limits.
    expect(stdout).toMatch(/live\s+production-1-[0-9a-f]{6} is live and healthy/);
    expect(stdout).toMatch(
      /pass\s+canary .* shown within limits: absolute yes, relative yes, latency-p95 yes/,
    );
    expect(stdout).toMatch(/live\s+production-2-[0-9a-f]{6} is live and healthy/);
    // v3 never gets past its first step (10%): the tests of harm decide there.
    expect(stdout).toMatch(/FAIL\s+error-rate-(relative|absolute) failed/);
    expect(stdout).toMatch(/rolled\s+back: analyse production-3-[0-9a-f]{6} at 10% against production-2-/);
    expect(stdout).not.toMatch(/traffic\s+production-3-[0-9a-f]{6} 50%/);
    expect(stdout).toMatch(
      /harm\s+the canary served \d+ requests, [1-9]\d* errors: [\d.]+ more than the stable release's rate would have/,
    );
    expect(stdout).toMatch(/rollback\s+production-2-[0-9a-f]{6} serves all traffic again/);
    // No request lost through three rollouts; the only 5xx are the bad canary's share.
    expect(stdout).toMatch(/traffic\s+\d{3,} requests: 0 unanswered; \d+× 200, [1-9]\d*× 500/);
    expect(stdout).toMatch(/status\s+production-2-[0-9a-f]{6} \(sample-app@[0-9a-f]+\) serves/);
    expect(stdout).toMatch(/ledger\s+3 deployments, \d+ events, chain verified/);
    expect(stdout).toMatch(/result\s+v2 serves; v3 was rolled back on the evidence/);
    expect(stdout).toMatch(/stop\s+agent stopped/);
    const workDir = /clean\s+removed (\S+)/.exec(stdout)?.[1];
    expect(workDir).toBeDefined();
    expect(existsSync(workDir!)).toBe(false);
  }, 120_000);
});

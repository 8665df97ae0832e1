import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { renderProgress, renderReport } from "../../src/verify/render.js";
import type { VerifyReport } from "../../src/verify/types.js";

const report: VerifyReport = {
  ok: false,
  baseUrl: "https://deploy:hunter2@canary.example.com",
  durationMs: 4100,
  checks: [
    { name: "health", kind: "health", ok: true, status: 200, attempts: 3, latencyMs: 3, failures: [] },
    {
      name: "list orders",
      kind: "smoke",
      ok: false,
      status: 500,
      attempts: 1,
      latencyMs: 12,
      failures: ["expected status 200, got 500", 'header x-token: expected "Bearer abcdefghijkl", got none'],
    },
    { name: "create", kind: "smoke", ok: false, skipped: true, attempts: 0, failures: ["not run"] },
  ],
};

describe("renderReport", () => {
  it("aligns the columns, with or without colour, and redacts", () => {
    const expected = [
      "check        result  status  latency  attempts  detail",
      "health       pass    200     3 ms     3",
      'list orders  FAIL    500     12 ms    1         expected status 200, got 500; header x-token: expected "Bearer ***", got none',
      "create       skip    -       -        0         not run",
      "",
      "FAIL: 2 of 3 checks did not pass against https://deploy:***@canary.example.com in 4.1s",
      "",
    ].join("\n");
    expect(renderReport({ report, color: false })).toBe(expected);
    const coloured = renderReport({ report, color: true });
    expect(coloured).not.toBe(expected);
    expect(stripVTControlCharacters(coloured)).toBe(expected);
  });

  it("says PASS when everything passed", () => {
    const passed = { ...report, ok: true, checks: report.checks.slice(0, 1) };
    expect(renderReport({ report: passed, color: false })).toContain(
      "PASS: 1 check passed against https://deploy:***@canary.example.com in 4.1s",
    );
  });
});

describe("renderProgress", () => {
  it("describes retries and results in one line", () => {
    expect(
      renderProgress({
        type: "retry",
        check: "health",
        kind: "health",
        attempt: 3,
        outcome: "503",
        retryInMs: 4000,
      }),
    ).toBe("health: attempt 3 — 503, retrying in 4s");
    expect(renderProgress({ type: "check", result: report.checks[0]! })).toBe(
      "health: passed after 3 attempts",
    );
    expect(renderProgress({ type: "check", result: report.checks[2]! })).toBe("create: skipped");
  });
});

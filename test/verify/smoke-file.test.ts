import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Diagnostic, isShipgateError } from "../../src/errors.js";
import { loadSmokeFile, parseSmokeFile } from "../../src/verify/smoke-file.js";
import { SAMPLE_APP_DIR } from "../examples/sample-app.js";
import { tempDir } from "../helpers/tmp.js";

/** The diagnostics a bad smoke file produces, as `line:column message` plus the hint. */
function problems(text: string): Array<{ at: string; message: string; hint?: string }> {
  try {
    parseSmokeFile({ text, file: "smoke.yml" });
  } catch (error) {
    if (!isShipgateError(error)) throw error;
    expect(error.exitCode).toBe(2);
    return error.diagnostics.map((d: Diagnostic) => {
      expect(d.code).toBe("verify/smoke-file");
      expect(d.location?.file).toBe("smoke.yml");
      return { at: `${d.location?.line}:${d.location?.column}`, message: d.message, hint: d.hint };
    });
  }
  throw new Error("expected the smoke file to be rejected");
}

describe("parseSmokeFile", () => {
  it("applies defaults and normalises shorthand", () => {
    const checks = parseSmokeFile({
      file: "smoke.yml",
      text: [
        "checks:",
        "  - path: /health",
        "  - name: create",
        "    method: post",
        "    path: /api/orders",
        "    headers: { x-request-id: smoke }",
        "    body: { item: tea }",
        "    expect:",
        "      status: [201, 202]",
        "      bodyContains: tea",
        "      json:",
        "        $.order.item: tea",
        "        $.items.length: 3",
        "      header:",
        "        X-App-Version: '1.0'",
        "    maxLatencyMs: 500",
        "    retries: 2",
      ].join("\n"),
    });
    expect(checks).toEqual([
      {
        name: "GET /health",
        path: "/health",
        method: "GET",
        headers: {},
        expect: { bodyContains: [], json: {}, header: {} },
        retries: 0,
      },
      {
        name: "create",
        path: "/api/orders",
        method: "POST",
        headers: { "x-request-id": "smoke" },
        body: { item: "tea" },
        expect: {
          status: [201, 202],
          bodyContains: ["tea"],
          json: { "$.order.item": "tea", "$.items.length": 3 },
          header: { "x-app-version": "1.0" },
        },
        maxLatencyMs: 500,
        retries: 2,
      },
    ]);
  });

  it("accepts a bare list of checks", () => {
    const checks = parseSmokeFile({
      file: "smoke.yml",
      text: "- path: /a\n- path: /b\n  expect: { status: 404 }\n",
    });
    expect(checks.map((c) => [c.path, c.expect.status])).toEqual([
      ["/a", undefined],
      ["/b", [404]],
    ]);
  });

  it("loads the sample app's smoke file", async () => {
    const checks = await loadSmokeFile({ path: "smoke.yml", cwd: SAMPLE_APP_DIR });
    expect(checks.map((c) => c.name)).toEqual([
      "service root",
      "list orders",
      "create order",
      "metrics are exposed",
      "unknown routes answer 404",
    ]);
  });

  it("points at an unknown key and suggests the right one", () => {
    expect(problems("checks:\n  - path: /health\n    expct:\n      status: 200\n")).toEqual([
      {
        at: "3:5",
        message: 'unknown key "expct" in checks[0]',
        hint: 'did you mean "expect"? allowed keys: name, path, method, headers, body, expect, maxLatencyMs, retries',
      },
    ]);
  });

  it("points at unknown keys inside expect and at the top level", () => {
    const found = problems("checks:\n  - path: /health\n    expect:\n      bodycontains: ok\nversion: 2\n");
    expect(found.map((p) => [p.at, p.message])).toEqual([
      ["4:7", 'unknown key "bodycontains" in checks[0].expect'],
      ["5:1", 'unknown key "version" in the smoke file'],
    ]);
    expect(found[0]?.hint).toContain('did you mean "bodyContains"?');
  });

  it("reports a path without a slash at the value", () => {
    expect(problems("checks:\n  - name: orders\n    path: api/orders\n")).toEqual([
      {
        at: "3:11",
        message: 'checks[0].path: path must start with "/", such as /api/orders',
        hint: "every check needs a path that starts with /, such as `path: /api/orders`",
      },
    ]);
  });

  it("reports a missing path at the check", () => {
    expect(
      problems("checks:\n  - path: /a\n  - name: orders\n    retries: 1\n").map((p) => [p.at, p.message]),
    ).toEqual([["3:5", "checks[1].path: path is required"]]);
  });

  it("reports the offending element of a status list", () => {
    const found = problems("- path: /a\n  expect:\n    status: [200, ok]\n");
    expect(found.map((p) => [p.at, p.message])).toEqual([
      [
        "3:19",
        "checks[0].expect.status[1]: expected an HTTP status code such as 200, or a list such as [200, 201]",
      ],
    ]);
    expect(problems("- path: /a\n  expect:\n    status: 42\n")[0]?.at).toBe("3:13");
  });

  it("reports a bad method, JSONPath, header value, latency and retries", () => {
    const found = problems(
      [
        "checks:",
        "  - path: /a",
        "    method: FETCH",
        "    maxLatencyMs: -5",
        "    retries: 99",
        "    expect:",
        "      json:",
        "        status: ok",
        "        $.items[*].id: 1",
        "      header:",
        "        x-app-version: 1.0",
      ].join("\n"),
    );
    expect(found.map((p) => [p.at, p.message])).toEqual([
      ["3:13", "checks[0].method: method must be one of GET, POST, PUT, PATCH, DELETE, HEAD"],
      ["4:19", "checks[0].maxLatencyMs: maxLatencyMs must be greater than 0"],
      ["5:14", "checks[0].retries: retries must be 10 or fewer; a smoke check that needs more is flaky"],
      ["8:9", 'checks[0].expect.json: invalid JSONPath "status": a JSONPath starts with $, such as $.status'],
      [
        "9:9",
        'checks[0].expect.json: invalid JSONPath "$.items[*].id": unsupported "[*]" at position 7; use an index such as [0] or a quoted key such as [\'name\']',
      ],
      [
        "11:24",
        "checks[0].expect.header.x-app-version: an expected header value must be a string; quote the value in YAML",
      ],
    ]);
    expect(found.at(-1)?.hint).toContain('x-app-version: "1.0"');
  });

  it("reports YAML syntax errors with their position", () => {
    expect(problems("checks:\n  - path: /a\n  path: /b\n")).toEqual([
      {
        at: "3:1",
        message: "invalid YAML: All mapping items must start at the same column",
        hint: "fix the YAML syntax; a YAML linter or editor shows the structure",
      },
    ]);
  });

  it("reports a duplicate key at the second one", () => {
    expect(problems("checks:\n  - path: /a\n    path: /b\n")).toEqual([
      {
        at: "3:5",
        message: 'duplicate key "path": a mapping may set each key once',
        hint: 'remove one of the "path" keys or merge them',
      },
    ]);
  });

  it.each([
    ["", "the smoke file is empty", "1:1"],
    ["just text\n", "a smoke file is a list of checks, or a mapping with a `checks:` list", "1:1"],
    ["checks: []\n", "checks: the smoke file has no checks", "1:9"],
    ["[]\n", "checks: the smoke file has no checks", "1:1"],
  ])("rejects %j", (text, message, at) => {
    expect(problems(text).map((p) => [p.at, p.message])).toEqual([[at, message]]);
  });

  it("names a missing file", async () => {
    const dir = await tempDir();
    await expect(loadSmokeFile({ path: "missing.yml", cwd: dir })).rejects.toMatchObject({
      code: "verify/smoke-file",
      exitCode: 2,
      message: "cannot read smoke file missing.yml: no such file",
    });
    await writeFile(join(dir, "ok.yml"), "- path: /\n");
    await expect(loadSmokeFile({ path: "ok.yml", cwd: dir })).resolves.toHaveLength(1);
  });
});

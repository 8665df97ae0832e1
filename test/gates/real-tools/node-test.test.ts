import { beforeAll, describe, expect, it } from "vitest";
import { projectDir, runTool, type ToolRun, testsGate } from "./support.js";

/** Node's own test runner with its JUnit reporter: one run that passes, one that fails. */
const PROJECT = {
  // Passes: node does not fail on todo tests, failing or not.
  "passing.test.mjs": `import assert from "node:assert";
import { describe, it, test } from "node:test";
test("adds", () => assert.equal(1 + 1, 2));
test("refunds", { todo: "partial refunds" }, () => assert.equal(1, 2));
describe("receipts", () => {
  it("totals", () => assert.equal(2 * 3, 6));
  it("rounds", { todo: true }, () => assert.equal(0.1 + 0.2, 0.3));
  it("prints", { todo: true }, () => {});
  it.skip("emails", () => {});
});
`,
  // Fails three ways: one of two same-named tests, a test that throws after its subtest passed,
  // and a file that does not load.
  "failing.test.mjs": `import assert from "node:assert";
import { describe, it, test } from "node:test";
let runs = 0;
describe("cart", () => {
  it("adds", () => assert.equal(++runs, 1));
  it("adds", () => assert.equal(++runs, 1));
});
test("checkout", async (t) => {
  await t.test("charges", () => {});
  throw new Error("the receipt is missing");
});
`,
  "broken.test.mjs": 'import "./missing.mjs";\n',
};

/** `node --test` with the spec reporter (for node's own totals) and the JUnit one. */
function nodeTest(dir: string, junit: string, files: string[]): Promise<ToolRun> {
  return runTool(
    process.execPath,
    [
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=junit",
      `--test-reporter-destination=${junit}`,
      ...files,
    ],
    { cwd: dir },
  );
}

/** The totals node's spec reporter ends with: "ℹ pass 5". */
function totals(run: ToolRun): Record<string, number> {
  return Object.fromEntries([...run.stdout.matchAll(/^ℹ (\w+) (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe(`node ${process.version} test runner, JUnit reporter`, () => {
  const dir = projectDir(PROJECT);
  let passing: ToolRun;
  let failing: ToolRun;
  beforeAll(async () => {
    passing = await nodeTest(dir(), "passing.xml", ["passing.test.mjs"]);
    failing = await nodeTest(dir(), "failing.xml", ["failing.test.mjs", "broken.test.mjs"]);
  }, 120_000);

  it("passes as node does when todo tests fail, counting them as todo", async () => {
    expect(passing.code).toBe(0);
    const own = totals(passing);
    expect(own).toMatchObject({ pass: 2, fail: 0, skipped: 1, todo: 3 });
    const { code, tests } = await testsGate("passing.xml", dir());
    expect(code).toBe(0);
    expect(tests.totals).toMatchObject({
      passed: own.pass,
      failed: own.fail,
      skipped: own.skipped,
      todo: own.todo,
    });
  });

  it("fails as node does, on a same-named test, a file that did not load and a parent test's own failure", async () => {
    expect(failing.code).toBe(1);
    const own = totals(failing);
    const { code, tests } = await testsGate("failing.xml", dir());
    expect(code).toBe(1);
    expect(tests.totals.failed + tests.totals.errors).toBe(own.fail! + own.cancelled!);
    expect(tests.failures.map((f) => f.name)).toEqual([
      expect.stringMatching(/broken\.test\.mjs$/),
      "adds",
      "node's own summary",
    ]);
    // The parent test is written as a <testsuite>; only node's totals know it failed.
    expect(tests.failures[2]?.message).toContain(
      "node counted 3 failed or cancelled tests, the test cases show 2",
    );
  });
});

import { describe, expect, it } from "vitest";
import { parse } from "../../../src/gates/parsers/junit/index.js";
import { fixture, rejection, reportFile } from "../support/fixtures.js";

const statuses = async (file: string) =>
  (await parse(file)).cases.map((c) => `${c.name}: ${c.status}${c.attempts > 1 ? ` x${c.attempts}` : ""}`);

describe("JUnit XML", () => {
  it("reads jest-junit's testsuites with skipped tests", async () => {
    expect(await statuses(fixture("junit", "jest-junit.xml"))).toEqual([
      "Cart adds an item: passed",
      "Cart merges quantities of the same product: passed",
      "Cart applies a percentage discount once: passed",
      "Checkout charges the card: passed",
      "Checkout retries a declined card once: passed",
      "Checkout sends the receipt email: skipped",
      "currency formats minor units: passed",
    ]);
  });

  it("tells pytest's failure from its error and keeps the message's first line", async () => {
    const report = await parse(fixture("junit", "pytest-failing.xml"));
    const byName = Object.fromEntries(report.cases.map((c) => [c.name, c]));
    expect(byName.test_refund_partial).toMatchObject({
      status: "failed",
      classname: "tests.test_orders",
      message: "AssertionError: assert 1500 == 1499",
    });
    expect(byName.test_migrations_apply_cleanly?.status).toBe("error");
    expect(byName.test_invoice_pdf?.status).toBe("skipped");
  });

  it("reads Surefire's flakyFailure as flaky and rerunFailure after a failure as failed", async () => {
    expect(await statuses(fixture("junit", "surefire-flaky.xml"))).toContain("sendsInvoiceEmail: flaky x2");
    expect(await statuses(fixture("junit", "surefire-rerun-failed.xml"))).toContain(
      "escapesQuotesInDescriptions: failed x3",
    );
  });

  it("keeps a test written once per attempt without a rerun mark as separate cases", async () => {
    // Gradle without junitXml.mergeReruns: nothing says the second reservesStock() is a retry.
    expect(await statuses(fixture("junit", "gradle-retry.xml"))).toEqual([
      "reservesStock(): failed",
      "releasesStockOnCancel(): passed",
      "rejectsNegativeQuantity(): passed",
      "reservesStock(): passed",
    ]);
  });

  it("keeps same-named cases apart whatever their outcomes", async () => {
    const file = await reportFile(
      "results.xml",
      `<testsuite name="s">
        <testcase classname="c" name="a"/><testcase classname="c" name="a"><failure message="boom"/></testcase>
        <testcase classname="c" name="a"/>
      </testsuite>`,
    );
    expect(await statuses(file)).toEqual(["a: passed", "a: failed", "a: passed"]);
  });

  it("reads node's top-level test cases, and a todo test as todo even when it failed", async () => {
    const file = await reportFile(
      "node.xml",
      `<testsuites>
        <testcase name="adds" classname="test"/>
        <testcase name="later" classname="test"><skipped type="todo" message="true"/><failure message="1 == 2"/></testcase>
        <testsuite name="cart" tests="1" failures="0" skipped="0"><testcase name="empties" classname="test"/></testsuite>
      </testsuites>`,
    );
    expect(await statuses(file)).toEqual(["adds: passed", "later: todo", "empties: passed"]);
  });

  it("counts cases that a suite's own count leaves out as todo, not passed (jest-junit's it.todo)", async () => {
    const file = await reportFile(
      "jest.xml",
      `<testsuites name="jest tests"><testsuite name="cart" tests="2" failures="0" errors="0" skipped="1">
        <testcase classname="cart adds" name="cart adds" time="0.004"/>
        <testcase classname="cart later" name="cart later" time="0"/>
        <testcase classname="cart skipped" name="cart skipped" time="0"><skipped/></testcase>
      </testsuite></testsuites>`,
    );
    const report = await parse(file);
    expect(report.cases.map((c) => `${c.name}: ${c.status}`)).toEqual([
      "cart adds: passed",
      "cart later: todo",
      "cart skipped: skipped",
    ]);
    expect(report.notes).toEqual([expect.stringContaining("1 is counted as todo, not passed")]);
  });

  it("fails with node when node's own summary counts a failure no test case shows", async () => {
    const file = await reportFile(
      "node.xml",
      `<testsuites><testsuite name="parent" tests="1" failures="0"><testcase name="sub" classname="test"/></testsuite>
      <!-- tests 2 --><!-- pass 1 --><!-- fail 1 --><!-- cancelled 0 --></testsuites>`,
    );
    const report = await parse(file);
    expect(report.cases.map((c) => c.status)).toEqual(["passed", "failed"]);
    expect(report.cases[1]?.message).toContain(
      "node counted 1 failed or cancelled tests, the test cases show 0",
    );
  });

  it("reads nested testsuites and uses the suite name when there is no classname", async () => {
    const file = await reportFile(
      "go.xml",
      `<testsuites><testsuite name="outer"><testsuite name="pkg/api"><testcase name="TestList"/></testsuite></testsuite></testsuites>`,
    );
    expect((await parse(file)).cases[0]).toMatchObject({
      classname: "pkg/api",
      name: "TestList",
      suite: "pkg/api",
    });
  });

  it("gives line and column of broken XML", async () => {
    const file = fixture("junit", "malformed.xml");
    const error = await rejection(parse(file));
    expect(error.diagnostics[0]).toMatchObject({
      code: "gate/report-malformed",
      location: { file, line: 14, column: 67 },
    });
  });
});

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

  it("folds a test written once per attempt: failure then pass is flaky", async () => {
    expect(await statuses(fixture("junit", "gradle-retry.xml"))).toEqual([
      "reservesStock(): flaky x2",
      "releasesStockOnCancel(): passed",
      "rejectsNegativeQuantity(): passed",
    ]);
  });

  it("keeps a pass followed by a failure a failure, and same-named passing tests apart", async () => {
    const file = await reportFile(
      "results.xml",
      `<testsuite name="s">
        <testcase classname="c" name="a"/><testcase classname="c" name="a"><failure message="boom"/></testcase>
        <testcase classname="c" name="same"/><testcase classname="c" name="same"/>
      </testsuite>`,
    );
    expect(await statuses(file)).toEqual(["a: failed x2", "same: passed", "same: passed"]);
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

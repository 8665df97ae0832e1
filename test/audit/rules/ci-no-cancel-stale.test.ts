import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "ci-no-cancel-stale";

const jobs = `jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
`;

describe(ID, () => {
  test("reported once, at on:, suggesting true when the workflow only runs on pull requests", () => {
    const findings = findingsOf(ID, `name: CI\non: pull_request\n${jobs}`);
    expect(findings.map((f) => [f.region.startLine, f.region.startColumn])).toEqual([[2, 1]]);
    expect(findings[0]!.message).toContain("cancel-in-progress: true }");
  });

  test("a workflow that also runs on push is told to cancel pull-request runs only", () => {
    const [finding] = findingsOf(ID, `on: [pull_request, push]\n${jobs}`);
    expect(finding!.message).toContain("cancel-in-progress: ${{ github.event_name == 'pull_request' }}");
  });

  test("a group alone or cancel-in-progress: false never cancels", () => {
    for (const c of [
      "concurrency: ci-${{ github.ref }}",
      "concurrency:\n  group: ci\n  cancel-in-progress: false",
    ]) {
      const findings = findingsOf(ID, `on: pull_request\n${c}\n${jobs}`);
      expect(
        findings.map((f) => f.message.includes("never cancels")),
        c,
      ).toEqual([true]);
    }
  });

  test("every job cancelling its own stale runs is enough", () => {
    const text = `on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    concurrency: { group: "a-\${{ github.head_ref }}", cancel-in-progress: true }
    steps:
      - run: npm test
  b:
    runs-on: ubuntu-latest
    concurrency:
      group: b-\${{ github.head_ref }}
      cancel-in-progress: \${{ github.event_name == 'pull_request' }}
    steps:
      - run: npm run lint
`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("workflows that deploy, or do not run on pull requests, are not pull-request CI", () => {
    expect(findingsOf(ID, `on: push\n${jobs}`)).toEqual([]);
    expect(findingsOf(ID, `on: pull_request_target\n${jobs}`)).toEqual([]);
    const preview = `on: pull_request
jobs:
  preview:
    runs-on: ubuntu-latest
    environment: preview
    steps:
      - run: ./deploy-preview.sh
`;
    expect(findingsOf(ID, preview)).toEqual([]);
  });
});

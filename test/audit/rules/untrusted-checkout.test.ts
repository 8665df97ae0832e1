import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "untrusted-checkout";

const workflow = (on: string, steps: string) => `on:
${on}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
${steps}`;

const checkout = (ref: string) => `      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          ref: ${ref}
`;

describe(ID, () => {
  test("workflow_run: the triggering run's head is reported, with the trigger as related location", () => {
    const text = workflow(
      "  workflow_run:\n    workflows: [CI]\n    types: [completed]",
      checkout("${{ github.event.workflow_run.head_sha }}"),
    );
    const [finding, ...rest] = findingsOf(ID, text);
    expect(rest).toEqual([]);
    expect(finding!.region.startLine).toBe(11);
    expect(finding!.related).toEqual([
      expect.objectContaining({ region: expect.objectContaining({ startLine: 2 }) }),
    ]);
    expect(finding!.message).toContain("workflow_run");
  });

  test("a branch name alone names a branch of the base repository; with the fork as repository it is the fork's code", () => {
    for (const ref of [
      "${{ github.event.workflow_run.head_branch }}",
      "${{ github.head_ref }}",
      "${{ github.event.pull_request.head.ref }}",
    ]) {
      const on = "  pull_request_target:\n  workflow_run:";
      expect(findingsOf(ID, workflow(on, checkout(ref))), ref).toEqual([]);
      const fork = `${checkout(ref)}          repository: \${{ github.event.pull_request.head.repo.full_name }}\n`;
      expect(findingsOf(ID, workflow(on, fork)), ref).toHaveLength(1);
    }
    // A fork's commits are fetchable from the base repository by SHA or pull request ref.
    for (const ref of [
      "${{ github.event.pull_request.merge_commit_sha }}",
      "refs/pull/${{ github.event.number }}/merge",
    ])
      expect(findingsOf(ID, workflow("  pull_request_target:", checkout(ref))), ref).toHaveLength(1);
  });

  test("the same checkout under pull_request or push is not privileged", () => {
    for (const on of ["  pull_request:", "  push:"]) {
      expect(findingsOf(ID, workflow(on, checkout("${{ github.event.pull_request.head.sha }}")))).toEqual([]);
    }
  });

  test("a fork guard on the step, or a merged-only job, is trusted code", () => {
    const guarded = workflow(
      "  pull_request_target:",
      `      - if: \${{ !github.event.pull_request.head.repo.fork }}
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          ref: \${{ github.event.pull_request.head.sha }}
`,
    );
    expect(findingsOf(ID, guarded)).toEqual([]);
  });

  test("run scripts: git switch/reset/clone of the head, not of the base", () => {
    const text = workflow(
      "  pull_request_target:",
      `      - run: |
          git fetch origin \${{ github.base_ref }}
          git switch \${{ github.head_ref }}
          git reset --hard \${{ github.event.pull_request.head.sha }}
          git clone \${{ github.event.pull_request.head.repo.clone_url }} pr
          git log -1 \${{ github.event.pull_request.head.sha }}
`,
    );
    expect(findingsOf(ID, text).map((f) => f.region.startLine)).toEqual([10, 11]);
  });
});

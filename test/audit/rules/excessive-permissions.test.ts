import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "excessive-permissions";

const jobs = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n`,
  ).join("");

describe("excessive-permissions", () => {
  test("write-all is reported at any level, whatever the trigger", () => {
    expect(findingsOf(ID, `on: push\npermissions: write-all\njobs:\n${jobs(1)}`)).toHaveLength(1);
  });

  test("workflow-level write scopes are fine for triggers outsiders cannot start", () => {
    const text = `on: push\npermissions:\n  contents: write\njobs:\n${jobs(2)}`;
    expect(findingsOf(ID, text)).toEqual([]);
  });

  test("workflow_run and issue_comment count as fork-influenced triggers", () => {
    for (const on of ["workflow_run:\n    workflows: [CI]\n    types: [completed]", "issue_comment:"]) {
      const text = `on:\n  ${on}\npermissions:\n  statuses: write\n  contents: read\njobs:\n${jobs(2)}`;
      expect(
        findingsOf(ID, text).map((f) => f.region.startLine),
        on,
      ).toHaveLength(1);
    }
  });

  test("with a single job, a workflow-level grant is as narrow as a job-level one", () => {
    const text = `on: pull_request_target\npermissions:\n  pull-requests: write\njobs:\n${jobs(1)}`;
    expect(findingsOf(ID, text)).toEqual([]);
  });
});

import { describe, expect, test } from "vitest";
import { findingsOf } from "../harness.js";

const ID = "script-injection";

const workflow = (run: string, { on = "issues", env = "" } = {}) => `on: ${on}
jobs:
  a:
    runs-on: ubuntu-latest${env}
    steps:
      - run: ${run}
`;

const reported = (text: string) => findingsOf(ID, text).map((f) => [f.severity, f.message.split(" ")[0]]);

describe(ID, () => {
  test("the field anywhere in an expression that yields its text", () => {
    for (const run of [
      'echo "${{ toJSON(github.event.pull_request.body) }}"',
      "git checkout ${{ github.head_ref || 'main' }}",
      "echo \"${{ format('title {0}', github.event.issue.title) }}\"",
    ])
      expect(reported(workflow(run)), run).toHaveLength(1);
  });

  test("expressions that yield a boolean are not text", () => {
    for (const run of [
      "echo ${{ contains(github.event.issue.title, 'bug') }}",
      "echo ${{ github.event.issue.title == 'x' }}",
      "echo ${{ !github.event.issue.body }}",
      "echo ${{ startsWith(github.head_ref, 'release/') }}",
    ])
      expect(reported(workflow(run)), run).toEqual([]);
  });

  test("an env variable set from a field and read back with ${{ env.X }}", () => {
    const jobEnv = "\n    env:\n      TITLE: ${{ github.event.issue.title }}";
    expect(reported(workflow('echo "${{ env.TITLE }}"', { env: jobEnv }))).toEqual([["error", "env.TITLE"]]);
    expect(reported(workflow("echo \"${{ env['TITLE'] }}\"", { env: jobEnv }))).toEqual([
      ["error", "env.TITLE"],
    ]);
    // Read through the shell: the fix, not a finding.
    expect(reported(workflow('echo "$TITLE"', { env: jobEnv }))).toEqual([]);
    // A boolean computed from the field is not the field.
    const flag = "\n    env:\n      IS_BUG: ${{ contains(github.event.issue.title, 'bug') }}";
    expect(reported(workflow('echo "${{ env.IS_BUG }}"', { env: flag }))).toEqual([]);
  });

  test("free-text dispatch inputs are warnings; choices and booleans are not reported", () => {
    const on = `
  workflow_dispatch:
    inputs:
      version: { description: Version, required: true }
      note: { type: string }
      target: { type: choice, options: [staging, production] }
      dry-run: { type: boolean }`;
    expect(
      reported(workflow("./release.sh ${{ inputs.version }} ${{ github.event.inputs.note }}", { on })),
    ).toEqual([
      ["warning", "inputs.version"],
      ["warning", "github.event.inputs.note"],
    ]);
    expect(reported(workflow("./deploy.sh ${{ inputs.target }} ${{ inputs.dry-run }}", { on }))).toEqual([]);
  });
});

describe(`${ID}: workflow_call inputs`, () => {
  test("are notes", () => {
    const on = "\n  workflow_call:\n    inputs:\n      ref: { type: string, required: true }";
    expect(reported(workflow("git checkout ${{ inputs.ref }}", { on }))).toEqual([["note", "inputs.ref"]]);
  });
});

describe(`${ID}: through the matrix`, () => {
  test("a matrix built from a free-text input or an untrusted field", () => {
    const text = (matrix: string) => `on:
  workflow_dispatch:
    inputs:
      apps: { description: JSON list of app names }
  issues:
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix: ${matrix}
    steps:
      - run: az webapp restart --name \${{ matrix.app }}
`;
    expect(reported(text("{ app: '${{ fromJSON(inputs.apps) }}' }"))).toEqual([["warning", "matrix.app"]]);
    expect(reported(text("'${{ fromJSON(github.event.issue.body) }}'"))).toEqual([["error", "matrix.app"]]);
    expect(reported(text("{ app: [web, api] }"))).toEqual([]);
  });
});

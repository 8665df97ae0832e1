import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";
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
      // The objects that hold messages and titles, dumped whole.
      "echo '${{ toJson(github.event.commits) }}' | jq .",
      "echo '${{ toJSON(github.event) }}' > event.json",
    ])
      expect(reported(workflow(run)), run).toHaveLength(1);
    expect(reported(workflow("echo '${{ toJSON(github.event.repository) }}'"))).toEqual([]);
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

describe(`${ID}: text carried by step and job outputs`, () => {
  test("a branch name written to GITHUB_OUTPUT through a shell variable reaches a later job's script", () => {
    const text = [
      "on: pull_request",
      "jobs:",
      "  id:",
      "    runs-on: ubuntu-latest",
      "    outputs:",
      "      environment_id: ${{ steps.set.outputs.environment_id }}",
      "    steps:",
      "      - id: set",
      "        run: |",
      "          TICKET=$(",
      "            echo '${{ github.event.pull_request.head.ref }}' |",
      "            grep -Po '[A-z]{3,4}-[0-9]{3,5}'",
      "          )",
      "          HASH=$(echo '${{ github.event.pull_request.head.ref }}' | sha256sum | head -c 6)",
      '          echo "environment_id=${TICKET}-${HASH}" >> "$GITHUB_OUTPUT"',
      '          echo "hash=${HASH}" >> "$GITHUB_OUTPUT"',
      "  deploy:",
      "    needs: id",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: terraform workspace select ${{ needs.id.outputs.environment_id }}",
      "      - run: echo ${{ needs.id.outputs.hash }}",
    ].join("\n");
    const findings = findingsOf(ID, text).filter((f) => f.message.startsWith("needs."));
    expect(findings.map((f) => f.region.startLine)).toEqual([21]);
    expect(findings[0]!.message).toMatch(
      /^needs\.id\.outputs\.environment_id \(carrying github\.event\.pull_request\.head\.ref\)/,
    );
  });

  test("a branch name exported through GITHUB_ENV reaches later steps as env.X and as a shell variable", () => {
    const text = [
      "on: pull_request",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    outputs:",
      "      tag: ${{ env.IMAGE_TAG }}",
      "    steps:",
      "      - run: |",
      "          GIT_REF=${{ github.head_ref }}",
      '          echo "BRANCH=${GIT_REF##*/}" >> $GITHUB_ENV',
      '          echo "SHA=${{ github.sha }}" >> $GITHUB_ENV',
      '      - run: echo "IMAGE_TAG=${BRANCH}-${SHA}" >> $GITHUB_ENV',
      "      - run: docker build -t app:${{ env.IMAGE_TAG }} .",
      "      - run: echo ${{ env.SHA }}",
      "  deploy:",
      "    needs: build",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: helm upgrade app chart --set tag=${{ needs.build.outputs.tag }}",
    ].join("\n");
    const findings = findingsOf(ID, text).filter((f) => !f.message.startsWith("github.head_ref"));
    expect(findings.map((f) => [f.region.startLine, f.message.split(" ")[0]])).toEqual([
      [13, "env.IMAGE_TAG"],
      [19, "needs.build.outputs.tag"],
    ]);
  });

  test("branch and file names from the actions that list them; their booleans are not text", () => {
    const text = [
      "on: pull_request",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - id: branch",
      "        uses: tj-actions/branch-names@v8",
      "      - id: filter",
      "        uses: dorny/paths-filter@v3",
      "      - run: docker build -t app:${{ steps.branch.outputs.current_branch }} .",
      "      - run: echo ${{ steps.filter.outputs.api }} ${{ steps.filter.outputs.api_files }}",
      "      - run: echo ${{ steps.branch.outputs.is_default }}",
      "        env:",
      "          BRANCH: ${{ steps.branch.outputs.current_branch }}",
    ].join("\n");
    expect(findingsOf(ID, text).map((f) => [f.region.startLine, f.message.split(" ")[0]])).toEqual([
      [10, "steps.branch.outputs.current_branch"],
      [11, "steps.filter.outputs.api_files"],
    ]);
  });

  test("a workflow_run job: files of the triggering run's artifact, read into outputs, are attacker-controlled", () => {
    const text = (download: string) =>
      [
        "on:",
        "  workflow_run:",
        "    workflows: [CI]",
        "    types: [completed]",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        download,
        "      - id: pr",
        '        run: echo "ref=$(cat pr/ref)" >> "$GITHUB_OUTPUT"',
        "      - run: git fetch origin ${{ steps.pr.outputs.ref }}",
      ].join("\n");
    const downloads = [
      '      - uses: actions/download-artifact@v4\n        with:\n          name: pr\n          run-id: "${{ github.event.workflow_run.id }}"',
      "      - uses: dawidd6/action-download-artifact@v6",
      "      - run: gh run download ${{ github.event.workflow_run.id }} -n pr",
    ];
    for (const download of downloads)
      expect(
        findingsOf(ID, text(download)).map((f) => f.message.split(" ")[0]),
        download,
      ).toEqual(["steps.pr.outputs.ref"]);
    // This run's own artifact is not another run's.
    expect(
      findingsOf(ID, text("      - uses: actions/download-artifact@v4\n        with:\n          name: pr")),
    ).toEqual([]);
  });

  test("a pull request's Terraform plan, read back from the wrapper's stdout or a file, is its author's text", () => {
    const text = (on: string) =>
      [
        `on: ${on}`,
        "jobs:",
        "  plan:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: hashicorp/setup-terraform@v3",
        "      - id: plan",
        "        run: terraform plan -no-color | tee plan.txt",
        "      - id: file",
        "        uses: juliangruber/read-file-action@v1",
        "        with:",
        "          path: plan.txt",
        "      - uses: actions/github-script@v7",
        "        with:",
        "          script: |",
        "            const plan = `${{ steps.plan.outputs.stdout }}`;",
        "            const file = `${{ steps.file.outputs.content }}`;",
      ].join("\n");
    expect(findingsOf(ID, text("pull_request")).map((f) => f.message.split(" ")[0])).toEqual([
      "steps.plan.outputs.stdout",
      "steps.file.outputs.content",
    ]);
    // On pushes the plan is of merged code.
    expect(findingsOf(ID, text("push"))).toEqual([]);
  });

  test("a dispatch form's free text carried through an output is a warning where a script expands it", () => {
    const text = [
      "on:",
      "  workflow_dispatch:",
      "    inputs:",
      "      sha: { type: string, required: true }",
      "      target: { type: choice, options: [staging, production] }",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - id: short",
      "        env:",
      "          INPUT_SHA: ${{ inputs.sha }}",
      '        run: echo "sha=${INPUT_SHA:0:7}" >> "$GITHUB_OUTPUT"',
      "      - id: where",
      '        run: echo "to=${{ inputs.target }}" >> "$GITHUB_OUTPUT"',
      "      - run: docker buildx imagetools create -t app:latest app:git-${{ steps.short.outputs.sha }}",
      "      - run: ./deploy.sh ${{ steps.where.outputs.to }}",
    ].join("\n");
    expect(reported(text)).toEqual([["warning", "steps.short.outputs.sha"]]);
    expect(findingsOf(ID, text)[0]!.message).toContain(
      "(carrying inputs.sha) is free text typed by whoever runs the workflow",
    );
  });

  test("untrusted text passed to the repository's action or reusable workflow that expands it inline", () => {
    const action = [
      "name: Deploy",
      "inputs:",
      "  tag: { description: tag }",
      "  note: { description: note }",
      "runs:",
      "  using: composite",
      "  steps:",
      "    - shell: bash",
      "      run: make deploy tag=${{ inputs.tag }}",
      "    - shell: bash",
      "      env:",
      "        NOTE: ${{ inputs.note }}",
      '      run: echo "$NOTE"',
    ].join("\n");
    const reusable = [
      "on:",
      "  workflow_call:",
      "    inputs:",
      "      tag: { type: string }",
      "jobs:",
      "  deploy:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: helm upgrade app chart --set image.tag=${{ inputs.tag }}",
    ].join("\n");
    const caller = [
      "on:",
      "  workflow_dispatch:",
      "    inputs:",
      "      tag: { type: string }",
      "jobs:",
      "  ship:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: ./.github/actions/deploy",
      "        with:",
      "          tag: ${{ inputs.tag }}",
      "          note: ${{ inputs.tag }}",
      "  call:",
      "    uses: ./.github/workflows/reusable.yml",
      "    with:",
      "      tag: ${{ inputs.tag }}",
    ].join("\n");
    const { findings } = auditWorkflows({
      files: [
        { path: ".github/actions/deploy/action.yml", text: action },
        { path: ".github/workflows/reusable.yml", text: reusable },
        { path: ".github/workflows/dispatch.yml", text: caller },
      ],
    });
    const passed = findings.filter((f) => f.ruleId === ID && f.file.endsWith("dispatch.yml"));
    // The input the action reads through env: is safe; the one it expands inline is not.
    expect(passed.map((f) => [f.region.startLine, f.severity])).toEqual([
      [11, "warning"],
      [16, "warning"],
    ]);
    expect(passed[0]!.message).toMatch(/passed to \.\/\.github\/actions\/deploy as tag, which expands/);
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { auditRepository, auditWorkflows } from "../../src/audit/index.js";
import { tempDir } from "../helpers/tmp.js";

const COMPOSITE = `name: Build
description: Builds and uploads
inputs:
  version:
    description: Version to build
runs:
  using: composite
  steps:
    - uses: some-org/setup-tool@main
    - shell: bash
      run: |
        curl -fsSL https://get.example.com/install.sh | bash
        echo "::set-output name=version::\${{ inputs.version }}"
    - shell: bash
      run: echo "\${{ github.event.pull_request.title }}"
`;

async function repository(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe("composite actions", () => {
  test("step rules judge an action's steps; workflow and job rules do not apply", () => {
    const { findings } = auditWorkflows({
      files: [{ path: ".github/actions/build/action.yml", text: COMPOSITE }],
    });
    const byRule = findings.map((f) => [f.ruleId, f.region.startLine, f.severity]);
    expect(byRule).toEqual([
      ["unpinned-action", 9, "error"],
      ["curl-pipe-shell", 12, expect.any(String)],
      ["deprecated-workflow-command", 13, "warning"],
      ["script-injection", 13, "note"],
      ["script-injection", 15, "error"],
    ]);
    // No missing-timeout, missing-permissions or other job-level findings on an action.
    expect(findings.map((f) => f.ruleId)).not.toContain("missing-timeout");
    expect(
      findings.find((f) => f.region.startLine === 13 && f.ruleId === "script-injection")!.message,
    ).toContain("action input");
  });

  test("JavaScript and Docker actions have no steps to judge", () => {
    const text = "name: x\nruns:\n  using: node20\n  main: dist/index.js\n";
    expect(auditWorkflows({ files: [{ path: "action.yml", text }] }).findings).toEqual([]);
  });

  test("without paths, .github/actions/**/action.yml and a root action.yml are audited with the workflows", async () => {
    const root = await repository({
      ".github/workflows/ci.yml":
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: ./.github/actions/build\n",
      ".github/actions/build/action.yml": COMPOSITE,
      ".github/actions/build/notes.yml": "not: an action\n",
      "action.yaml": COMPOSITE,
      "docs/action.yml": COMPOSITE,
    });
    const run = await auditRepository({ root });
    expect([...run.sources.keys()].sort()).toEqual([
      ".github/actions/build/action.yml",
      ".github/workflows/ci.yml",
      "action.yaml",
    ]);
    expect(run.findings.filter((f) => f.file === "action.yaml").length).toBeGreaterThan(0);
  });

  test("a local action whose folder says deploy makes its job a deploy", () => {
    const workflow = (action: string) => `on:
  push:
    branches: [main]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: ${action}
`;
    const ids = (action: string) =>
      auditWorkflows({ files: [{ path: ".github/workflows/w.yml", text: workflow(action) }] }).findings.map(
        (f) => f.ruleId,
      );
    expect(ids("./.github/actions/deploy-app")).toContain("deploy-missing-concurrency");
    expect(ids("./.github/actions/setup-deploy-tools")).not.toContain("deploy-missing-concurrency");
    expect(ids("./.github/actions/build")).not.toContain("deploy-missing-concurrency");
  });

  test("the repository's own action or workflow named by its full name is read as a local one", () => {
    const action =
      "name: Ship\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: flyctl deploy --remote-only\n";
    const workflow = `on:
  push:
    branches: [main]
permissions: {}
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/orders/.github/actions/ship@main
`;
    const ids = (settings: { repositoryOwner?: string; repositoryName?: string }) =>
      auditWorkflows({
        files: [
          { path: ".github/workflows/w.yml", text: workflow },
          { path: ".github/actions/ship/action.yml", text: action },
        ],
        settings,
      })
        .findings.filter((f) => f.file.endsWith("w.yml"))
        .map((f) => f.ruleId);
    expect(ids({ repositoryOwner: "acme", repositoryName: "orders" })).toContain(
      "deploy-missing-concurrency",
    );
    // Another repository's action of that name is not this checkout's file.
    expect(ids({ repositoryOwner: "acme", repositoryName: "billing" })).not.toContain(
      "deploy-missing-concurrency",
    );
  });
});

import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";

const ID = "secrets-inherit";

const workflow = (uses: string) => `on: push\njobs:\n  deploy:\n    uses: ${uses}\n    secrets: inherit\n`;

const severities = (uses: string, repositoryOwner?: string) =>
  auditWorkflows({
    files: [{ path: ".github/workflows/w.yml", text: workflow(uses) }],
    settings: { repositoryOwner },
  })
    .findings.filter((f) => f.ruleId === ID)
    .map((f) => f.severity);

describe(ID, () => {
  test("another organisation's workflow gets every secret: a warning", () => {
    expect(severities("vendor/workflows/.github/workflows/deploy.yml@v2", "acme")).toEqual(["warning"]);
    expect(severities("vendor/workflows/.github/workflows/deploy.yml@v2")).toEqual(["warning"]);
  });

  test("the repository's own or its organisation's workflow: a note (environment secrets need inherit)", () => {
    expect(severities("./.github/workflows/deploy.yml")).toEqual(["note"]);
    expect(severities("Acme/platform/.github/workflows/deploy.yml@v3", "acme")).toEqual(["note"]);
  });
});

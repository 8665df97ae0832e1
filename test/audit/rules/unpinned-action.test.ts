import { describe, expect, test } from "vitest";
import { auditWorkflows } from "../../../src/audit/engine.js";

const ID = "unpinned-action";

/** The severity of the unpinned-action finding on each `uses:` of one job, audited as acme's. */
function graded(uses: string[], repositoryOwner?: string): Array<[string, string | undefined]> {
  const steps = uses.map((u) => `      - uses: ${u}\n`).join("");
  const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
  const { findings } = auditWorkflows({
    files: [{ path: ".github/workflows/ci.yml", text }],
    settings: { repositoryOwner },
  });
  return uses.map((u, i) => [
    u,
    findings.find((f) => f.ruleId === ID && f.region.startLine === 6 + i)?.severity,
  ]);
}

describe("unpinned-action grades a moving reference by who can move it", () => {
  test("a third party's release tag is a warning, its branch an error", () => {
    expect(
      graded([
        "docker/login-action@v3",
        "docker/login-action@v3.3.0",
        "some-org/deploy@main",
        "some-org/deploy",
      ]),
    ).toEqual([
      ["docker/login-action@v3", "warning"],
      ["docker/login-action@v3.3.0", "warning"],
      ["some-org/deploy@main", "error"],
      ["some-org/deploy", "error"],
    ]);
  });

  test("GitHub's own actions: a release tag is a note, a branch a warning", () => {
    expect(
      graded(["actions/checkout@v4", "github/codeql-action/init@v3.28.0", "actions/checkout@main"]),
    ).toEqual([
      ["actions/checkout@v4", "note"],
      ["github/codeql-action/init@v3.28.0", "note"],
      ["actions/checkout@main", "warning"],
    ]);
  });

  test("the repository's own organisation: a note by tag or branch, whatever the letter case", () => {
    const uses = ["acme/gh-actions/azure-login@main", "Acme/shared/.github/workflows/x.yml@v2"];
    expect(graded(uses, "acme")).toEqual([
      ["acme/gh-actions/azure-login@main", "note"],
      ["Acme/shared/.github/workflows/x.yml@v2", "note"],
    ]);
    // Without the owner known, they are a third party's.
    expect(graded(uses).map(([, s]) => s)).toEqual(["error", "warning"]);
  });

  test("Docker images: a versioned tag is a warning; no tag or :latest an error; a digest nothing", () => {
    expect(
      graded([
        "docker://alpine:3.20",
        "docker://alpine",
        "docker://ghcr.io/acme/tool:latest",
        "docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000",
      ]),
    ).toEqual([
      ["docker://alpine:3.20", "warning"],
      ["docker://alpine", "error"],
      ["docker://ghcr.io/acme/tool:latest", "error"],
      ["docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000", undefined],
    ]);
  });

  test("a full SHA is pinned; the message says whose reference it is and what can move it", () => {
    const text =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262\n      - uses: actions/setup-node@main\n";
    const [finding, ...rest] = auditWorkflows({
      files: [{ path: ".github/workflows/ci.yml", text }],
    }).findings.filter((f) => f.ruleId === ID);
    expect(rest).toEqual([]);
    expect(finding?.region.startLine).toBe(7);
    expect(finding?.message).toMatch(
      /^actions\/setup-node@main \(GitHub's own\) can change under you \(every push to that branch runs here\)/,
    );
  });

  test("audit.rules: { unpinned-action: error } reports every unpinned reference as an error", () => {
    const text =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
    const { findings } = auditWorkflows({
      files: [{ path: ".github/workflows/ci.yml", text }],
      settings: { rules: { [ID]: "error" } },
    });
    expect(findings.find((f) => f.ruleId === ID)?.severity).toBe("error");
  });
});

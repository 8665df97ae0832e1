import { describe, expect, test } from "vitest";
import { detectFiles, gitFiles } from "./repo.js";

const GO = { "go.mod": "module example.com/orders\n\ngo 1.22\n" };
const CI = (branches: string) =>
  [
    "on:",
    "  push:",
    `    branches: [${branches}]`,
    "  pull_request:",
    `    branches: [${branches}]`,
    "jobs:",
    "  test:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - run: go test ./...",
  ].join("\n");

describe("the default branch", () => {
  test("origin/HEAD is what the remote says its default is", async () => {
    const d = await detectFiles({
      ...GO,
      ...gitFiles({ originHead: "master", checkedOut: "feature/x" }),
      ".github/workflows/ci.yml": CI("develop"),
    });
    expect(d.defaultBranch).toBe("master");
    expect(d.sources.branch).toBe("origin/HEAD");
    expect(d.unsure.branch).toBeUndefined();
  });

  test("without origin/HEAD: the branch the existing CI's triggers name", async () => {
    const d = await detectFiles({
      ...GO,
      ...gitFiles({ checkedOut: "feature/x" }),
      ".github/workflows/ci.yml": CI("develop"),
    });
    expect(d.defaultBranch).toBe("develop");
    expect(d.sources.branch).toBe("the branches the existing CI runs on");
    expect(d.unsure.branch).toBeUndefined();
  });

  test("the checked-out branch, when it has a default's name, is a guess marked for checking", async () => {
    const d = await detectFiles({ ...GO, ...gitFiles({ checkedOut: "master" }) });
    expect(d.defaultBranch).toBe("master");
    expect(d.unsure.branch).toMatch(/^the branch checked out/);
  });

  test("nothing to go by: main, marked for checking", async () => {
    const d = await detectFiles({ ...GO, ...gitFiles({ checkedOut: "feature/x" }) });
    expect(d.defaultBranch).toBe("main");
    expect(d.unsure.branch).toMatch(/^no remote default branch or CI trigger found/);
  });
});

describe("the name from the remote", () => {
  test("a repository with no manifest takes origin's name, made a valid app.name", async () => {
    const d = await detectFiles({
      ...gitFiles({ checkedOut: "main", url: "https://github.com/Acme/NodeShop.git" }),
      "README.md": "",
    });
    expect(d.language).toBeNull();
    expect(d.name).toBe("nodeshop");
  });
});

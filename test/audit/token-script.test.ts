import { describe, expect, test } from "vitest";
import { githubScriptScopes, scriptScopes } from "../../src/audit/token-script.js";

const scopes = (result: ReturnType<typeof scriptScopes>) => (result === "any" ? "any" : [...result].sort());

describe("scriptScopes", () => {
  test("gh subcommands that write need their scope; reads need none", () => {
    expect(scopes(scriptScopes("gh pr comment 12 --body ok", false, true))).toEqual([
      "issues",
      "pull-requests",
    ]);
    expect(scopes(scriptScopes("gh pr merge --auto --squash", false, true))).toEqual([
      "contents",
      "issues",
      "pull-requests",
    ]);
    expect(scopes(scriptScopes("gh release create v1 dist/*", false, true))).toEqual(["contents"]);
    expect(scopes(scriptScopes("gh run cancel $RUN", false, true))).toEqual(["actions"]);
    expect(scopes(scriptScopes("gh pr view 12 --json title\ngh release list", false, true))).toEqual([]);
    expect(scriptScopes("gh secret set X --body y", false, true)).toBe("any");
  });

  test("gh api: a GET is a read, a write is judged by its path, GraphQL may do anything", () => {
    expect(scopes(scriptScopes("gh api repos/o/r/pulls/1", false, true))).toEqual([]);
    expect(
      scopes(scriptScopes("gh api --method POST repos/o/r/statuses/$SHA -f state=success", false, true)),
    ).toEqual(["statuses"]);
    expect(scopes(scriptScopes("gh api repos/o/r/issues/1/labels -f labels[]=x", false, true))).toEqual([
      "issues",
      "pull-requests",
    ]);
    expect(scriptScopes("gh api graphql -f query='mutation {}'", false, true)).toBe("any");
  });

  test("gh run with another token than the job's uses none of the job's scopes", () => {
    expect(scopes(scriptScopes("gh pr merge 1", false, false))).toEqual([]);
  });

  test("a program that inherits the token, or is handed it, may use it for anything", () => {
    expect(scriptScopes("python scripts/deploy_status.py", true, true)).toBe("any");
    expect(
      scriptScopes(
        'curl -H "Authorization: token ${{ github.token }}" https://api.github.com/x',
        false,
        true,
      ),
    ).toBe("any");
    // Without the token in its environment, a program cannot reach it.
    expect(scopes(scriptScopes("python scripts/deploy_status.py", false, true))).toEqual([]);
    // Shell built-ins and text tools never pass it on.
    expect(
      scopes(scriptScopes('echo "deploying" | tee log.txt\nif [ -f x ]; then cat x; fi', true, true)),
    ).toEqual([]);
  });

  test("git with the checkout's credentials or the token writes contents", () => {
    expect(scopes(scriptScopes("git tag v1 && git push origin v1", false, true))).toEqual(["contents"]);
    expect(
      scopes(
        scriptScopes(
          "git remote set-url origin https://x-access-token:${{ secrets.GITHUB_TOKEN }}@github.com/o/r",
          false,
          true,
        ),
      ),
    ).toEqual(["contents"]);
  });
});

describe("githubScriptScopes", () => {
  test("Octokit writes by namespace; reads need nothing", () => {
    expect(scopes(githubScriptScopes("await github.rest.issues.addLabels({})"))).toEqual([
      "issues",
      "pull-requests",
    ]);
    expect(scopes(githubScriptScopes("await github.rest.repos.createDeploymentStatus({})"))).toEqual([
      "deployments",
    ]);
    expect(scopes(githubScriptScopes("await github.rest.repos.createCommitStatus({})"))).toEqual([
      "statuses",
    ]);
    expect(scopes(githubScriptScopes("await github.rest.repos.createRelease({})"))).toEqual(["contents"]);
    expect(
      scopes(
        githubScriptScopes(
          "const { data } = await github.rest.pulls.get({}); github.rest.actions.listWorkflowRuns({})",
        ),
      ),
    ).toEqual([]);
  });

  test("raw requests, GraphQL and code loaded from a file may do anything", () => {
    expect(githubScriptScopes("await github.graphql(q)")).toBe("any");
    expect(githubScriptScopes("const run = require('./.github/scripts/x.js'); await run({github})")).toBe(
      "any",
    );
    expect(githubScriptScopes("await github.rest.migrations.startForOrg({})")).toBe("any");
  });
});

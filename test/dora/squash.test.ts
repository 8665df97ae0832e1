import { describe, expect, it } from "vitest";
import { changeSet } from "../../src/dora/change-set.js";
import { GitHistory } from "../../src/dora/git-history.js";
import { tempDir } from "../helpers/tmp.js";
import { SyntheticRepo } from "./support/git-repo.js";

async function repoWithBase() {
  const dir = await tempDir();
  const repo = new SyntheticRepo(dir);
  repo.git(["init", "-q", "-b", "main"]);
  const base = repo.commit("Initial commit", "README", "2024-05-01T00:00:00Z");
  return { repo, base, git: (await GitHistory.open(dir))! };
}

describe("squash merges", () => {
  it("match a pull-request ref by tree when the branch was up to date, after the branch is deleted", async () => {
    const { repo, base, git } = await repoWithBase();
    repo.git(["checkout", "-q", "-b", "topic"]);
    repo.commit("Topic one", "t1.txt", "2024-05-01T02:00:00Z");
    const tip = repo.commit("Topic two", "t2.txt", "2024-05-01T03:00:00Z");
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--squash", "topic"]);
    repo.git(["commit", "-q", "-m", "Topic (#7)"], {
      author: "2024-05-01T05:00:00Z",
      committer: "2024-05-01T05:00:00Z",
    });
    const squash = repo.head();
    // The hosting side keeps the pull request's head after the branch is gone.
    repo.git(["update-ref", "refs/pull/7/head", tip]);
    repo.git(["branch", "-q", "-D", "topic"]);
    const set = await changeSet(git, base, squash);
    expect(set?.changes).toEqual([
      {
        commit: squash,
        kind: "squash",
        startMs: Date.parse("2024-05-01T02:00:00Z"),
        matchedRef: "refs/pull/7/head",
      },
    ]);
  });

  it("do not match a branch with a different change", async () => {
    const { repo, base, git } = await repoWithBase();
    repo.git(["checkout", "-q", "-b", "other"]);
    repo.commit("Other work", "o.txt", "2024-05-01T01:00:00Z");
    repo.git(["checkout", "-q", "main"]);
    const squash = repo.commit("Something else (#8)", "s.txt", "2024-05-01T06:00:00Z");
    const set = await changeSet(git, base, squash);
    expect(set?.changes).toEqual([
      { commit: squash, kind: "squash-fallback", startMs: Date.parse("2024-05-01T06:00:00Z") },
    ]);
  });

  it("git's own squash message counts as a squash; a plain commit is direct", async () => {
    const { repo, base, git } = await repoWithBase();
    repo.git(["checkout", "-q", "-b", "topic"]);
    repo.commit("Topic", "t.txt", "2024-05-01T01:00:00Z");
    repo.git(["checkout", "-q", "main"]);
    const plain = repo.commit("Plain change", "p.txt", "2024-05-01T02:00:00Z");
    repo.git(["merge", "-q", "--squash", "topic"]);
    // `git merge --squash` prepares SQUASH_MSG; committing without -m keeps it.
    repo.git(["commit", "-q", "--no-edit"], {
      author: "2024-05-01T04:00:00Z",
      committer: "2024-05-01T04:00:00Z",
    });
    const squash = repo.head();
    const set = await changeSet(git, base, squash);
    expect(set?.changes.map((c) => [c.commit, c.kind, new Date(c.startMs).toISOString()])).toEqual([
      [squash, "squash", "2024-05-01T01:00:00.000Z"],
      [plain, "direct", "2024-05-01T02:00:00.000Z"],
    ]);
  });

  it("an unknown commit has no change set", async () => {
    const { base, git } = await repoWithBase();
    expect(await changeSet(git, base, "0123456789abcdef0123456789abcdef01234567")).toBeUndefined();
  });
});

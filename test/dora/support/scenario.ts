import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { SqliteLedger } from "../../../src/ledger/sqlite/index.js";
import { SyntheticRepo } from "./git-repo.js";

/** Hours after 2024-03-01T00:00:00Z, as an ISO timestamp: every date below is one of these. */
export const T0 = Date.parse("2024-03-01T00:00:00Z");
export const at = (hours: number, seconds = 0) =>
  new Date(T0 + hours * 3_600_000 + seconds * 1000).toISOString();
/** Day d (1 = March 1st) at hour h. */
export const day = (d: number, h: number, seconds = 0) => at((d - 1) * 24 + h, seconds);

export const CONFIG = `version: 1
app:
  name: sample-app
  language: node
  start: node server.js
environments:
  staging:
    target: { type: local, port: 4100 }
  production:
    promoteFrom: staging
    target: { type: local, port: 4101 }
dora:
  hotfixWindow: 24h
`;

export interface Scenario {
  dir: string;
  eventsFile: string;
  commits: Record<string, string>;
}

/**
 * The repository and deployments every figure in dora.test.ts is computed from by hand:
 *
 *   c0 ─ m1 (merge of a1, a2) ─ b1' ─ b2' (rebased) ─ d1 ─ S1 (squash of c1, c2; branch kept)
 *      ─ S2 (squash of e1; branch deleted) ─ hf ─ f ─ g ─ h ─ revert(h) ─ i ─ hi
 *
 * d0–d3 are imported from events.jsonl (history from before shipgate); d4–d12 are in the
 * SQLite ledger, written with the system clock fixed to each deployment's start.
 */
export async function buildScenario(): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-dora-"));
  const repo = new SyntheticRepo(dir);
  repo.git(["init", "-q", "-b", "main"]);
  await writeFile(join(dir, ".gitignore"), ".shipgate/\nevents*.jsonl\n");
  await writeFile(join(dir, "shipgate.yml"), CONFIG);
  repo.git(["add", ".gitignore", "shipgate.yml"]);
  const c: Record<string, string> = {};
  c.c0 = repo.commit("Initial commit", "README", day(1, 0));

  // A merge commit: the change began at a1 (06:00), not at the merge (10:00).
  repo.git(["checkout", "-q", "-b", "feature-a"]);
  c.a1 = repo.commit("Start feature A", "a1.txt", day(1, 6));
  c.a2 = repo.commit("Finish feature A", "a2.txt", day(1, 8));
  repo.git(["checkout", "-q", "main"]);
  repo.git(["merge", "-q", "--no-ff", "-m", "Merge branch 'feature-a'", "feature-a"], {
    author: day(1, 10),
    committer: day(1, 10),
  });
  c.m1 = repo.head();
  repo.git(["branch", "-q", "-D", "feature-a"]);

  // A rebase merge: written on March 2nd at 01:00 and 03:00, rebased onto main at 09:00.
  repo.git(["checkout", "-q", "-b", "feature-b", c.c0]);
  repo.commit("Add feature B part 1", "b1.txt", day(2, 1));
  repo.commit("Add feature B part 2", "b2.txt", day(2, 3));
  repo.git(["rebase", "-q", "main"], { committer: day(2, 9) });
  repo.git(["checkout", "-q", "main"]);
  repo.git(["merge", "-q", "--ff-only", "feature-b"]);
  c.b2 = repo.head();
  c.b1 = repo.git(["rev-parse", "HEAD^"]);
  repo.git(["branch", "-q", "-D", "feature-b"]);

  // A squash merge whose branch is kept; main moves on (d1) before the squash, so only the
  // patch-id, not the tree, matches the branch.
  repo.git(["checkout", "-q", "-b", "feature-c"]);
  c.c1 = repo.commit("Add feature C", "c1.txt", day(3, 0));
  c.c2 = repo.commit("Polish feature C", "c2.txt", day(3, 4));
  repo.git(["checkout", "-q", "main"]);
  c.d1 = repo.commit("Tweak docs", "docs.txt", day(3, 6));
  repo.git(["merge", "-q", "--squash", "feature-c"]);
  repo.git(["commit", "-q", "-m", "Add feature C (#12)"], { author: day(3, 8), committer: day(3, 8) });
  c.s1 = repo.head();

  // A squash merge whose branch was deleted: nothing left to match, so its own time counts.
  repo.git(["checkout", "-q", "-b", "feature-e"]);
  repo.commit("Add feature E", "e.txt", day(4, 0));
  repo.git(["checkout", "-q", "main"]);
  repo.git(["merge", "-q", "--squash", "feature-e"]);
  repo.git(["commit", "-q", "-m", "Add feature E (#13)"], { author: day(4, 5), committer: day(4, 5) });
  c.s2 = repo.head();
  repo.git(["branch", "-q", "-D", "feature-e"]);

  c.hf = repo.commit("Hotfix: guard null session", "hf.txt", day(4, 8));
  c.f = repo.commit("Add feature F", "f.txt", day(5, 0));
  c.g = repo.commit("Add feature G", "g.txt", day(6, 0));
  c.h = repo.commit("Add feature H", "h.txt", day(7, 0));
  repo.git(["revert", "--no-edit", "HEAD"], { author: day(7, 20), committer: day(7, 20) });
  c.revert = repo.head();
  c.i = repo.commit("Add feature I", "i.txt", day(9, 0));
  c.hi = repo.commit("hotfix: handle an empty I", "hi.txt", day(9, 10));

  const eventsFile = join(dir, "events.jsonl");
  const lines = [
    { type: "deployment", id: "d0", env: "production", at: day(1, 2), commit: c.c0, status: "succeeded" },
    { type: "deployment", id: "d1", env: "production", at: day(1, 12), commit: c.m1, status: "succeeded" },
    { type: "deployment", id: "d2", env: "production", at: day(2, 10), commit: c.b2, status: "succeeded" },
    { type: "deployment", id: "d3", env: "production", at: day(3, 10), commit: c.s1, status: "succeeded" },
    { type: "deployment", id: "st1", env: "staging", at: day(2, 0), commit: c.c0, status: "succeeded" },
    { type: "incident", env: "production", start: day(5, 6), end: at(4 * 24 + 7.5), deployment: "d7" },
    { type: "incident", env: "production", start: day(8, 12), end: day(8, 13) },
  ];
  await writeFile(eventsFile, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);

  await writeLedger(join(dir, ".shipgate"), [
    { id: "d4", commit: c.s2, start: day(4, 5.75), end: day(4, 6), status: "succeeded" },
    { id: "d5", commit: c.hf, start: day(4, 8.75), end: day(4, 9), status: "succeeded" },
    { id: "d6", commit: c.f, start: day(5, 1.75), end: day(5, 2), status: "failed" },
    { id: "d7", commit: c.f, start: day(5, 3.75), end: day(5, 4), status: "succeeded" },
    { id: "d8", commit: c.g, start: day(6, 1), end: day(6, 1.5), status: "rolled_back" },
    { id: "d9", commit: c.h, start: day(7, 0.75), end: day(7, 1), status: "succeeded" },
    { id: "d10", commit: c.revert, start: day(8, 0.75), end: day(8, 1), status: "succeeded" },
    { id: "d11", commit: c.i, start: day(9, 0.75), end: day(9, 1), status: "succeeded" },
    { id: "d12", commit: c.hi, start: day(10, 0.75), end: day(10, 1, 1), status: "succeeded" },
  ]);
  return { dir, eventsFile, commits: c };
}

interface LedgerDeployment {
  id: string;
  commit: string;
  start: string;
  end: string;
  status: "succeeded" | "failed" | "rolled_back";
}

async function writeLedger(stateDir: string, deployments: LedgerDeployment[]): Promise<void> {
  const ledger = await SqliteLedger.open({ stateDir });
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    for (const d of deployments) {
      vi.setSystemTime(new Date(d.start));
      const artifactId = `sample-app@${d.commit.slice(0, 12)}`;
      await ledger.putArtifact({
        id: artifactId,
        digest: `sha256:${d.commit}`,
        commit: d.commit,
        location: `/artifacts/${artifactId}.tgz`,
        createdAt: d.start,
        manifest: {},
      });
      await ledger.createDeployment({
        id: d.id,
        env: "production",
        kind: "deploy",
        artifactId,
        strategy: "rolling",
        requestedBy: "test",
        plan: [],
      });
      await ledger.updateDeployment(d.id, { status: d.status, finishedAt: d.end });
    }
  } finally {
    vi.useRealTimers();
    await ledger.close();
  }
}

import type { CommitInfo, GitHistory } from "./git-history.js";
import type { ChangeKind } from "./types.js";

/** One change that reached production in a deployment, and when work on it began. */
export interface ChangeStart {
  /** The mainline commit that carried the change. */
  commit: string;
  kind: ChangeKind;
  startMs: number;
  /** The branch a squash merge was matched to. */
  matchedRef?: string;
}

export interface ChangeSet {
  changes: ChangeStart[];
  /** Whether any commit of the set says it is a hotfix or a revert. */
  isFix: boolean;
}

/** `Fix login (#123)`: the suffix GitHub and others add to squash and merge commits. */
const PULL_SUFFIX = /\(#(\d+)\)\s*$/;
const FIX_MARKER = /\bhot-?fix(es|ed)?\b|^revert\b|\bthis reverts commit [0-9a-f]{7,}/im;

/**
 * The changes a deployment shipped: the first-parent commits between the previous successful
 * deployment's commit and this one. Each is one change:
 * - a merge commit: its merged side's commits, from the earliest author date;
 * - a squash merge (a `(#n)` suffix, or git's "Squashed commit of the following"): the
 *   original branch's commits when a ref still holds a branch with the same tree or the same
 *   patch-id, else the squash commit's own author date (`squash-fallback`);
 * - any other commit: its author date, which a rebase keeps while it resets the committer
 *   date (`rebased` when the two differ).
 * Undefined when either commit is not in this repository.
 */
export async function changeSet(git: GitHistory, from: string, to: string): Promise<ChangeSet | undefined> {
  const mainline = await git.mainline(from, to);
  if (!mainline) return undefined;
  const changes: ChangeStart[] = [];
  let isFix = false;
  for (const commit of mainline) {
    if (FIX_MARKER.test(commit.subject) || FIX_MARKER.test(commit.body)) isFix = true;
    changes.push(await changeStart(git, commit, to));
  }
  return { changes, isFix };
}

async function changeStart(git: GitHistory, commit: CommitInfo, deployed: string): Promise<ChangeStart> {
  if (commit.parents.length > 1) {
    const side = (await git.reachable(commit.parents.slice(1), [commit.parents[0]!])) ?? [];
    return { commit: commit.sha, kind: "merge", startMs: earliest(side, commit.authorMs) };
  }
  if (looksLikeSquash(commit)) {
    const branch = await findSquashedBranch(git, commit, deployed);
    if (branch)
      return { commit: commit.sha, kind: "squash", startMs: branch.startMs, matchedRef: branch.ref };
    return { commit: commit.sha, kind: "squash-fallback", startMs: commit.authorMs };
  }
  const kind = commit.authorMs === commit.committerMs ? "direct" : "rebased";
  return { commit: commit.sha, kind, startMs: commit.authorMs };
}

function looksLikeSquash(commit: CommitInfo): boolean {
  // git's SQUASH_MSG begins "Squashed commit of the following:", as the subject when it is
  // kept as is, or as the body under a subject of the author's own.
  return (
    PULL_SUFFIX.test(commit.subject) ||
    /^Squashed commit of the following/m.test(`${commit.subject}\n${commit.body}`)
  );
}

/**
 * The branch a squash commit S was made from. Candidates are local and remote branches and
 * `refs/pull/<n>/head` refs that the deployed commit does not contain and that do not contain
 * S (see candidateRefs); the pull request named by S's `(#n)` suffix is tried first.
 * A candidate T matches when T's tree equals S's tree (the
 * branch was up to date when squashed), or when the diff merge-base(S^, T)..T has the same
 * stable patch-id as S^..S (the same change, squashed onto a mainline that had moved on).
 * The first match in that order wins.
 */
async function findSquashedBranch(
  git: GitHistory,
  squash: CommitInfo,
  deployed: string,
): Promise<{ ref: string; startMs: number } | undefined> {
  const parent = squash.parents[0];
  if (!parent) return undefined;
  const pull = PULL_SUFFIX.exec(squash.subject)?.[1];
  const refs = await git.candidateRefs(deployed, squash.sha);
  const named = (r: string) => pull !== undefined && r.startsWith(`refs/pull/${pull}/`);
  const ordered = [...refs.filter(named), ...refs.filter((r) => !named(r))];
  const squashTree = await git.tree(squash.sha);
  const squashPatch = await git.patchId(parent, squash.sha);
  for (const line of ordered) {
    const [ref, tip] = line.split(" ") as [string, string];
    if (!(await matches(git, { tip, parent, squashTree, squashPatch }))) continue;
    const commits = (await git.reachable([tip], [squash.sha])) ?? [];
    if (commits.length === 0) continue;
    return { ref, startMs: earliest(commits, squash.authorMs) };
  }
  return undefined;
}

async function matches(
  git: GitHistory,
  c: { tip: string; parent: string; squashTree: string | undefined; squashPatch: string | undefined },
): Promise<boolean> {
  if (c.squashTree && (await git.tree(c.tip)) === c.squashTree) return true;
  if (!c.squashPatch) return false;
  const base = await git.mergeBase(c.parent, c.tip);
  return base !== undefined && (await git.patchId(base, c.tip)) === c.squashPatch;
}

function earliest(commits: CommitInfo[], otherwise: number): number {
  return commits.length === 0 ? otherwise : Math.min(...commits.map((c) => c.authorMs));
}

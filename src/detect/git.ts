import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";

/**
 * What the repository's git directory says, read as files (no git binary needed): where the
 * work tree starts, the default branch a clone was given (`origin/HEAD`), the branch checked
 * out, and the name of the `origin` repository.
 */
export interface GitFacts {
  /** The work tree's root: the directory holding `.git`. */
  root: string;
  /** The branch `refs/remotes/origin/HEAD` points at: the remote's default branch. */
  originHead: string | null;
  /** The branch HEAD names, or null when HEAD is detached. */
  currentBranch: string | null;
  /** `acme/orders` → `orders`: the last segment of origin's URL, without `.git`. */
  remoteName: string | null;
  /** `acme/orders` → `acme`: the segment of origin's URL before the name. */
  remoteOwner: string | null;
}

/** The nearest directory at or above `dir` that holds `.git` (a directory, or a worktree's file). */
export async function findGitRoot(dir: string): Promise<string | null> {
  let current = resolve(dir);
  for (;;) {
    if (await stat(join(current, ".git")).catch(() => null)) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

export async function readGitFacts(root: string): Promise<GitFacts> {
  const gitDir = await resolveGitDir(root);
  const common = gitDir ? await commonDir(gitDir) : null;
  const read = async (dir: string | null, path: string) =>
    dir ? ((await readFile(join(dir, path), "utf8").catch(() => null))?.trim() ?? null) : null;
  const originRef = await read(common, "refs/remotes/origin/HEAD");
  const head = await read(gitDir, "HEAD");
  const config = await read(common, "config");
  return {
    root,
    originHead: branchOf(originRef, "refs/remotes/origin/"),
    currentBranch: branchOf(head, "refs/heads/"),
    ...originRepository(config),
  };
}

function branchOf(ref: string | null, prefix: string): string | null {
  const m = ref ? /^ref:\s*(\S+)$/.exec(ref) : null;
  return m?.[1]?.startsWith(prefix) ? m[1].slice(prefix.length) : null;
}

/** `.git` is a directory, or in a worktree or submodule a file saying `gitdir: <path>`. */
async function resolveGitDir(root: string): Promise<string | null> {
  const dotGit = join(root, ".git");
  const info = await stat(dotGit).catch(() => null);
  if (!info) return null;
  if (info.isDirectory()) return dotGit;
  const text = await readFile(dotGit, "utf8").catch(() => "");
  const m = /^gitdir:\s*(.+)$/m.exec(text);
  if (!m) return null;
  return isAbsolute(m[1]!.trim()) ? m[1]!.trim() : resolve(root, m[1]!.trim());
}

/** A worktree keeps HEAD itself but shares refs and config with the main git directory. */
async function commonDir(gitDir: string): Promise<string> {
  const text = (await readFile(join(gitDir, "commondir"), "utf8").catch(() => null))?.trim();
  if (!text) return gitDir;
  return isAbsolute(text) ? text : resolve(gitDir, text);
}

function originRepository(config: string | null): Pick<GitFacts, "remoteName" | "remoteOwner"> {
  const section = config ? /\[remote "origin"\]([^[]*)/.exec(config)?.[1] : undefined;
  const url = section ? /^\s*url\s*=\s*(\S+)/m.exec(section)?.[1] : undefined;
  // https://github.com/acme/orders.git, git@github.com:acme/orders, ssh://git@host/acme/orders
  const segments = (url ?? "").replace(/\/+$/, "").split(/[/:]/);
  const name = segments.pop()?.replace(/\.git$/, "");
  const owner = segments.length > 1 ? segments.pop() : undefined;
  return { remoteName: name || null, remoteOwner: owner || null };
}

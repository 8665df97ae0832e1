import { cp, mkdir, rm } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { inputError } from "../errors.js";
import { capture } from "./run.js";

export interface Workspace {
  kind: "git" | "copy";
  /** The repository root the rehearsal copied. */
  root: string;
  /** The copy the jobs run in. */
  repo: string;
  commit: string | null;
  uncommitted: string[];
}

/** Folders a copy of a directory that is not a git repository leaves out: installs recreate them. */
const NOT_COPIED = new Set(["node_modules", ".venv", "venv", "target", "__pycache__", ".git"]);

async function git(cwd: string, args: string[]) {
  return capture("git", args, { cwd, timeoutMs: 10 * 60_000 });
}

/**
 * A throwaway copy of the repository in `into`: a `git clone` of HEAD (plus the uncommitted
 * files with `workingTree`), or a plain copy of a folder outside git. The user's checkout is
 * only read.
 */
export async function prepareWorkspace(options: {
  dir: string;
  into: string;
  workingTree: boolean;
  submodules: boolean;
}): Promise<Workspace> {
  const top = await git(options.dir, ["rev-parse", "--show-toplevel"]);
  const repo = join(options.into, "repo");
  if (top?.code !== 0) {
    await mkdir(repo, { recursive: true });
    await cp(options.dir, repo, {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(basename(source)) || source === options.dir,
    });
    return { kind: "copy", root: options.dir, repo, commit: null, uncommitted: [] };
  }
  const root = top.stdout.trim();
  const head = await git(root, ["rev-parse", "HEAD"]);
  if (head?.code !== 0) {
    throw inputError("rehearse/no-commit", `${root} has no commit to rehearse`, {
      hint: "commit the repository first",
    });
  }
  const status = await git(root, ["status", "--porcelain", "-z", "--untracked-files=all"]);
  const uncommitted = (status?.stdout ?? "")
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));

  const clone = await git(options.into, ["clone", "--quiet", "--no-hardlinks", root, repo]);
  if (clone?.code !== 0) {
    throw inputError("rehearse/clone-failed", `git clone of ${root} failed: ${clone?.stderr.trim() ?? ""}`);
  }
  // A clone checks out the source's branch; a detached HEAD is checked out by commit.
  await git(repo, ["checkout", "--quiet", "--detach", head.stdout.trim()]);
  if (options.submodules) {
    await git(repo, ["submodule", "update", "--init", "--recursive", "--quiet"]);
  }
  if (options.workingTree) await copyWorkingTree(root, repo);
  return { kind: "git", root, repo, commit: head.stdout.trim(), uncommitted };
}

/** The files as they are in the checkout: tracked and untracked (not ignored), deletions applied. */
async function copyWorkingTree(root: string, repo: string): Promise<void> {
  const files = await git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  const deleted = await git(root, ["ls-files", "-z", "--deleted"]);
  const gone = new Set((deleted?.stdout ?? "").split("\0").filter(Boolean));
  for (const file of (files?.stdout ?? "").split("\0").filter(Boolean)) {
    if (gone.has(file)) continue;
    const target = join(repo, file);
    if (relative(repo, target).startsWith(`..${sep}`)) continue;
    await mkdir(dirname(target), { recursive: true });
    await cp(join(root, file), target, { recursive: true, force: true, verbatimSymlinks: true }).catch(
      () => undefined,
    );
  }
  for (const file of gone) await rm(join(repo, file), { force: true });
}

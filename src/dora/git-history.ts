import { tryGit } from "./git-runner.js";

/** One commit as the lead-time walk needs it. */
export interface CommitInfo {
  sha: string;
  parents: string[];
  authorMs: number;
  committerMs: number;
  subject: string;
  body: string;
}

const FIELD = "\x1f";
const RECORD = "\x1e";
const FORMAT = `--format=%H${FIELD}%P${FIELD}%at${FIELD}%ct${FIELD}%s${FIELD}%b${RECORD}`;

/**
 * Read access to one repository, with the caches a report run shares (patch-ids and unmerged
 * refs are asked for again by every deployment). One instance per computeDora call.
 */
export class GitHistory {
  private readonly patchIds = new Map<string, string | undefined>();
  private readonly unmerged = new Map<string, string[]>();

  private constructor(readonly dir: string) {}

  /** The repository containing `dir`, or undefined when there is none (or no git). */
  static async open(dir: string): Promise<GitHistory | undefined> {
    const top = await tryGit(["rev-parse", "--show-toplevel"], { cwd: dir });
    return top ? new GitHistory(top.trim()) : undefined;
  }

  async hasCommit(sha: string): Promise<boolean> {
    return (await tryGit(["cat-file", "-e", `${sha}^{commit}`], { cwd: this.dir })) !== undefined;
  }

  /** Commits on the first-parent line of `to` that `from` does not reach, newest first. */
  mainline(from: string, to: string): Promise<CommitInfo[] | undefined> {
    return this.log(["--first-parent", `${from}..${to}`]);
  }

  /** Commits reachable from `include` and from none of `exclude`. */
  reachable(include: string[], exclude: string[]): Promise<CommitInfo[] | undefined> {
    return this.log([...include, ...exclude.map((e) => `^${e}`)]);
  }

  async tree(rev: string): Promise<string | undefined> {
    return (await tryGit(["rev-parse", `${rev}^{tree}`], { cwd: this.dir }))?.trim();
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    return (await tryGit(["merge-base", a, b], { cwd: this.dir }))?.trim() || undefined;
  }

  /**
   * The stable patch-id of the diff between two revisions: equal for the same change applied
   * on a different base, which is what a squash merge onto a moved mainline produces.
   */
  async patchId(base: string, tip: string): Promise<string | undefined> {
    const key = `${base}..${tip}`;
    if (this.patchIds.has(key)) return this.patchIds.get(key);
    const diff = await tryGit(["diff", "--no-color", "--full-index", base, tip], { cwd: this.dir });
    const id = diff
      ? (await tryGit(["patch-id", "--stable"], { cwd: this.dir, input: diff }))?.split(" ")[0]
      : undefined;
    this.patchIds.set(key, id || undefined);
    return id || undefined;
  }

  /**
   * Branch, remote and pull-request refs (`name sha`) that could hold a squashed branch: tips
   * the deployed commit does not contain (not merged) and that do not contain the squash
   * commit (a mainline that moved on past it is not its branch).
   */
  async candidateRefs(deployed: string, squash: string): Promise<string[]> {
    const key = `${deployed} ${squash}`;
    const cached = this.unmerged.get(key);
    if (cached) return cached;
    const out = await tryGit(
      [
        "for-each-ref",
        `--no-merged=${deployed}`,
        `--no-contains=${squash}`,
        "--format=%(refname) %(objectname)",
        "refs/heads",
        "refs/remotes",
        "refs/pull",
      ],
      { cwd: this.dir },
    );
    const refs = (out ?? "")
      .split("\n")
      .filter((line) => line && !line.split(" ")[0]!.endsWith("/HEAD"))
      .sort();
    this.unmerged.set(key, refs);
    return refs;
  }

  private async log(range: string[]): Promise<CommitInfo[] | undefined> {
    const out = await tryGit(["log", FORMAT, ...range, "--"], { cwd: this.dir });
    if (out === undefined) return undefined;
    return out
      .split(RECORD)
      .map((r) => r.replace(/^\n/, ""))
      .filter((r) => r.length > 0)
      .map((r) => {
        const [sha, parents, at, ct, subject, body] = r.split(FIELD);
        return {
          sha: sha!,
          parents: parents ? parents.split(" ") : [],
          authorMs: Number(at) * 1000,
          committerMs: Number(ct) * 1000,
          subject: subject ?? "",
          body: (body ?? "").trim(),
        };
      });
  }
}

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Fixed identity and dates, so that every SHA and every figure is reproducible. */
export class SyntheticRepo {
  constructor(readonly dir: string) {}

  /** Runs git; `dates` sets GIT_AUTHOR_DATE and GIT_COMMITTER_DATE for this one command. */
  git(args: string[], dates: { author?: string; committer?: string } = {}): string {
    const env = {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      ...(dates.author && { GIT_AUTHOR_DATE: dates.author }),
      ...(dates.committer && { GIT_COMMITTER_DATE: dates.committer }),
    };
    return execFileSync(
      "git",
      [
        "-c",
        "user.name=Test Author",
        "-c",
        "user.email=author@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: this.dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
  }

  /** Writes `file` and commits it with the given author date (and committer date, default equal). */
  commit(message: string, file: string, author: string, committer?: string): string {
    writeFileSync(join(this.dir, file), `${message}\n`);
    this.git(["add", file]);
    this.git(["commit", "-q", "-m", message], { author, committer: committer ?? author });
    return this.head();
  }

  head(): string {
    return this.git(["rev-parse", "HEAD"]);
  }
}

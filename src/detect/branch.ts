import type { CiFacts } from "./ci-jobs.js";
import type { GitFacts } from "./git.js";

const USUAL_DEFAULTS = ["main", "master", "develop", "trunk", "dev", "next"];

/**
 * The branch pull requests target: what a clone was told is the remote's default
 * (`origin/HEAD`), else the branch the existing CI's push and pull-request triggers name most,
 * else the branch checked out when it has a default's name. `sure` is false for anything less
 * than the first two.
 */
export function defaultBranch(options: { git: GitFacts | null; ci: CiFacts }): {
  branch: string;
  source: string;
  sure: boolean;
} {
  const { git, ci } = options;
  if (git?.originHead) return { branch: git.originHead, source: "origin/HEAD", sure: true };
  const [fromCi] = ci.branches;
  if (fromCi) return { branch: fromCi, source: "the branches the existing CI runs on", sure: true };
  if (git?.currentBranch && USUAL_DEFAULTS.includes(git.currentBranch)) {
    return { branch: git.currentBranch, source: "the branch checked out", sure: false };
  }
  return { branch: "main", source: "no remote default branch or CI trigger found", sure: false };
}

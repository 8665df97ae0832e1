import { stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { findGitRoot } from "../detect/git.js";
import { inputError } from "../errors.js";

/**
 * The repository root and the app folder for a directory init was run in. GitHub reads
 * workflows only from the root's .github/workflows, so a subfolder of a git work tree is an
 * app of that repository, not a repository of its own.
 */
export async function locateRepository(options: {
  dir: string;
  /** The app's folder as given (--app), relative to the repository root. */
  app?: string;
}): Promise<{ root: string; app: string | undefined }> {
  const dir = resolve(options.dir);
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    throw inputError("init/not-a-directory", `${dir} is not a directory`);
  }
  const root = (await findGitRoot(dir)) ?? dir;
  const app = options.app ?? (root === dir ? undefined : relative(root, dir));
  if (app !== undefined) {
    if (app.startsWith("..") || !(await stat(join(root, app)).catch(() => null))?.isDirectory()) {
      throw inputError("init/no-such-app", `${app} is not a folder of the repository at ${root}`, {
        hint: "give --app a folder relative to the repository root, e.g. --app services/api",
      });
    }
  }
  return { root, app };
}

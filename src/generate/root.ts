import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { findGitRoot } from "../detect/git.js";

/**
 * Where to generate: the folder given, unless it has no config and is inside a git work tree
 * whose root has one. GitHub reads workflows only from the root's .github/workflows, so
 * running generate in an app's subfolder must not write a second, ignored set there.
 */
export async function repositoryRoot(options: { dir: string; configPath: string }): Promise<string> {
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  if (await exists(resolve(options.dir, options.configPath))) return options.dir;
  const root = await findGitRoot(options.dir);
  if (root && root !== options.dir && (await exists(resolve(root, options.configPath)))) return root;
  return options.dir;
}

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type DetectOptions, detectProject } from "../../src/detect/index.js";
import { tempDir } from "../helpers/tmp.js";

/** A throwaway repository holding exactly `files`; returns its root. */
export async function writeRepo(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** A throwaway repository holding exactly `files`, detected as it is. */
export async function detectFiles(files: Record<string, string>, options: Omit<DetectOptions, "root"> = {}) {
  return detectProject({ root: await writeRepo(files), ...options });
}

/**
 * The files a clone's git directory holds for a default branch, written by hand: detection
 * reads them as files, so the tests need no git binary.
 */
export function gitFiles(options: { originHead?: string; checkedOut: string; url?: string }) {
  return {
    ".git/HEAD": `ref: refs/heads/${options.checkedOut}\n`,
    ".git/config": `[remote "origin"]\n\turl = ${options.url ?? "https://github.com/acme/orders.git"}\n`,
    ...(options.originHead
      ? { ".git/refs/remotes/origin/HEAD": `ref: refs/remotes/origin/${options.originHead}\n` }
      : {}),
  };
}

export const json = (value: unknown) => JSON.stringify(value);

import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** File mode for the new file, e.g. 0o600 for control files. */
  mode?: number;
}

/**
 * Writes `content` to `path` so that readers see either the old file or the whole new one:
 * the bytes go to a temporary file in the same directory, which is then renamed over the
 * target (rename is atomic within one file system).
 */
export async function writeFileAtomic(path: string, content: string, options: AtomicWriteOptions = {}) {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.shipgate-tmp`);
  try {
    await writeFile(temp, content, { mode: options.mode ?? 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes several files as one unit as far as a file system allows: every file is first
 * written to a temporary sibling; only when all of them are written are they renamed into
 * place. A failure before the renames leaves every target untouched.
 */
export async function writeFilesAtomic(
  files: ReadonlyArray<{ path: string; content: string | Uint8Array; mode?: number }>,
) {
  const staged: Array<{ temp: string; path: string }> = [];
  try {
    for (const file of files) {
      const dir = dirname(file.path);
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `.${randomBytes(6).toString("hex")}.shipgate-tmp`);
      await writeFile(temp, file.content, { mode: file.mode ?? 0o644 });
      staged.push({ temp, path: file.path });
    }
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw error;
  }
  for (const s of staged) await rename(s.temp, s.path);
}

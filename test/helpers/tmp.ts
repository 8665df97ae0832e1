import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

const created: string[] = [];

/** A fresh temporary directory, removed after the test. Optionally seeded with a copy of `from`. */
export async function tempDir(from?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-test-"));
  created.push(dir);
  if (from) await cp(from, dir, { recursive: true });
  return dir;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

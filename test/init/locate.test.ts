import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ShipgateError } from "../../src/errors.js";
import { locateRepository } from "../../src/init/index.js";
import { tempDir } from "../helpers/tmp.js";

async function repoWithApp(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, ".git"), { recursive: true });
  await writeFile(join(root, ".git/HEAD"), "ref: refs/heads/main\n");
  await mkdir(join(root, "services/api"), { recursive: true });
  return root;
}

describe("locateRepository: workflows only work at the repository root", () => {
  test("run in a subfolder: the root is the git work tree's, the subfolder the app", async () => {
    const root = await repoWithApp();
    expect(await locateRepository({ dir: join(root, "services/api") })).toEqual({
      root,
      app: "services/api",
    });
  });

  test("run at the root: no app chosen, detection picks one", async () => {
    const root = await repoWithApp();
    expect(await locateRepository({ dir: root })).toEqual({ root, app: undefined });
  });

  test("--app names a folder relative to the root; one that does not exist is an input error", async () => {
    const root = await repoWithApp();
    expect(await locateRepository({ dir: root, app: "services/api" })).toEqual({ root, app: "services/api" });
    const error = await locateRepository({ dir: root, app: "services/web" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShipgateError);
    expect((error as ShipgateError).diagnostics[0]?.code).toBe("init/no-such-app");
  });
});

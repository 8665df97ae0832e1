import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CORPUS_ENV, corpusFiles, findCorpus, SHARED_CORPUS } from "../../../bench/audit/corpus.js";
import { tempDir } from "../../helpers/tmp.js";

describe("where bench:audit finds its workflows", () => {
  test("--corpus first, then the environment variable, then the shared folder beside the checkout", async () => {
    const root = join(await tempDir(), "checkout");
    const shared = join(root, SHARED_CORPUS);
    await mkdir(shared, { recursive: true });
    const other = await tempDir();
    expect(findCorpus({ argv: [], env: {}, root })).toEqual({ dir: shared, source: "shared" });
    expect(findCorpus({ argv: [], env: { [CORPUS_ENV]: other }, root })).toEqual({
      dir: other,
      source: "environment",
    });
    expect(findCorpus({ argv: ["--corpus", other], env: { [CORPUS_ENV]: "/nope" }, root })).toEqual({
      dir: other,
      source: "flag",
    });
  });

  test("without any, it says where to get one", async () => {
    const root = await tempDir();
    expect(() => findCorpus({ argv: [], env: {}, root })).toThrow(
      /No workflow corpus found[\s\S]*starter-workflows/,
    );
  });

  test("a folder named on purpose that does not exist is an error, not a silent fallback", async () => {
    const root = join(await tempDir(), "checkout");
    await mkdir(join(root, SHARED_CORPUS), { recursive: true });
    expect(() => findCorpus({ argv: ["--corpus", "/does/not/exist"], env: {}, root })).toThrow(
      /is not a folder/,
    );
    expect(() => findCorpus({ argv: ["--corpus"], env: {}, root })).toThrow(/needs a folder/);
  });

  test("reads the .yml files, sorted", async () => {
    const dir = await tempDir();
    for (const name of ["b.yml", "a.yml", "c.yaml", "README.md"])
      await writeFile(join(dir, name), "on: push\n");
    expect(corpusFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(["a.yml", "b.yml"]);
  });
});

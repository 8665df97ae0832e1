import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandReportPaths } from "../../src/gates/glob.js";
import { tempDir } from "../helpers/tmp.js";
import { rejection } from "./support/fixtures.js";

async function tree(files: string[]) {
  const dir = await tempDir();
  for (const f of files) {
    await mkdir(join(dir, f, ".."), { recursive: true });
    await writeFile(join(dir, f), "<testsuite/>");
  }
  return dir;
}

describe("expandReportPaths", () => {
  it("expands * within a directory and ** across directories, sorted", async () => {
    const dir = await tree([
      "build/test-results/test/TEST-a.xml",
      "build/test-results/integrationTest/TEST-b.xml",
      "build/test-results/test/binary/output.bin",
      "junit-1.xml",
      "junit-2.xml",
      "node_modules/pkg/junit.xml",
      ".cache/TEST-c.xml",
    ]);
    const rel = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));
    expect(rel(await expandReportPaths(["junit-*.xml"], dir))).toEqual(["junit-1.xml", "junit-2.xml"]);
    expect(rel(await expandReportPaths(["build/**/TEST-*.xml"], dir))).toEqual([
      "build/test-results/integrationTest/TEST-b.xml",
      "build/test-results/test/TEST-a.xml",
    ]);
    expect(rel(await expandReportPaths(["**/*.xml"], dir))).toEqual([
      "build/test-results/integrationTest/TEST-b.xml",
      "build/test-results/test/TEST-a.xml",
      "junit-1.xml",
      "junit-2.xml",
    ]);
  });

  it("keeps plain paths as given (missing ones are reported by the reader) and drops duplicates", async () => {
    const dir = await tree(["a.xml"]);
    expect(await expandReportPaths(["a.xml", "missing.xml", "*.xml"], dir)).toEqual([
      join(dir, "a.xml"),
      join(dir, "missing.xml"),
    ]);
  });

  it("is an error when a pattern matches nothing", async () => {
    const dir = await tree(["a.xml"]);
    const error = await rejection(expandReportPaths(["reports/*.xml"], dir));
    expect(error).toMatchObject({ code: "gate/no-reports", exitCode: 2 });
    expect(error.message).toBe("no file matches reports/*.xml");
  });
});

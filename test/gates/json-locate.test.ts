import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateInFile, locateInText, nestsDeeperThan } from "../../src/gates/json-locate.js";
import { tempDir } from "../helpers/tmp.js";

const TEXT = `{
  "a\\"b": "[[[ \\" ]]]",
  "list": [1, true, null,
    {"x": [ "y" ]}],
  "n": -1.5e3
}`;

describe("locating a value in JSON", () => {
  it.each([
    [['a"b'], 2, 11],
    [["list", 1], 3, 15],
    [["list", 2], 3, 21],
    [["list", 3, "x", 0], 4, 13],
    [["n"], 5, 8],
    // A path that leaves the document points at its deepest part that exists.
    [["list", 3, "missing"], 4, 5],
    [[], 1, 1],
  ])("%j is at %i:%i", (path, line, column) => {
    expect(locateInText("f.json", TEXT, { path })).toEqual({ file: "f.json", line, column });
  });

  it("finds the same place in a streamed file", async () => {
    const file = join(await tempDir(), "f.json");
    await writeFile(file, TEXT);
    expect(await locateInFile(file, { path: ["list", 3, "x", 0] })).toEqual({ file, line: 4, column: 13 });
  });

  it("brackets inside strings are not nesting", () => {
    expect(nestsDeeperThan(TEXT, 4)).toBe(false);
    expect(nestsDeeperThan(TEXT, 3)).toBe(true);
    expect(locateInText("f.json", TEXT, { deeperThan: 3 })).toEqual({ file: "f.json", line: 4, column: 11 });
  });
});

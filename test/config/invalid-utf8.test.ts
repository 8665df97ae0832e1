import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readBaseline } from "../../src/audit/baseline.js";
import { loadConfig } from "../../src/config/load.js";
import { runCli } from "../helpers/cli.js";
import { refusal } from "../helpers/refused.js";
import { tempDir } from "../helpers/tmp.js";

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

// Line 3: "  # ", then two characters (the second outside the BMP: two UTF-16 units), then
// 0xC3 0x28, a two-byte sequence whose second byte is no continuation: the error is at column 8.
const INVALID = bytes("app:\n  name: orders-api\n  # ", "é😀", [0xc3, 0x28], "\n  language: node\n");

describe("invalid UTF-8 in a file a person wrote is exit 2 at its first invalid byte", () => {
  test("shipgate.yml", async () => {
    const path = join(await tempDir(), "shipgate.yml");
    await writeFile(path, INVALID);
    expect(await refusal(() => loadConfig({ path }))).toEqual({
      code: "config/invalid-utf8",
      message: "not valid UTF-8: the byte 0xc3 here begins no character",
      location: { file: path, line: 3, column: 8 },
      hint: "save the file as UTF-8; your editor's status bar shows its encoding",
    });
  });

  test("shipgate.yml read for its audit section", async () => {
    const root = await tempDir();
    await mkdir(join(root, ".github/workflows"), { recursive: true });
    await writeFile(join(root, "shipgate.yml"), INVALID);
    const run = await runCli(["audit"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^shipgate\.yml:3:8: error\[config\/invalid-utf8\]/);
  });

  test("an audit baseline", async () => {
    const path = join(await tempDir(), "baseline.json");
    await writeFile(path, bytes('{\n  "version": 1,\n  "tool": "ship', [0xff], 'gate"\n}\n'));
    expect(await refusal(() => readBaseline(path))).toMatchObject({
      code: "audit/invalid-utf8",
      location: { file: path, line: 3, column: 16 },
    });
  });
});

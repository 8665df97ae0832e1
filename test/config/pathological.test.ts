import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { runCli } from "../helpers/cli.js";
import { refusal } from "../helpers/refused.js";
import { tempDir } from "../helpers/tmp.js";
import { superlinearity } from "../helpers/work.js";
import { MINIMAL } from "./minimal-config.js";

const parse = (text: string) => () => parseConfig({ text, file: "shipgate.yml" });

/** parseConfig's verdict on `text`, thrown or not: what the linearity checks run. */
function verdict(text: string): unknown {
  try {
    return parseConfig({ text, file: "shipgate.yml" });
  } catch (error) {
    return error;
  }
}

describe("shipgate.yml built to be slow or to exhaust memory", () => {
  test("a file over 1 MiB is refused before it is parsed", async () => {
    const path = join(await tempDir(), "shipgate.yml");
    await writeFile(path, `${MINIMAL}${"# padding\n".repeat(110_000)}`);
    expect(await refusal(() => loadConfig({ path }))).toMatchObject({
      code: "config/too-large",
      location: { file: path, line: 1, column: 1 },
    });
  });

  test.skipIf(process.platform === "win32")("a device or a pipe is refused by its type, unread", async () => {
    expect(await refusal(() => loadConfig({ path: "/dev/zero" }))).toMatchObject({
      code: "config/not-a-file",
      location: { file: "/dev/zero", line: 1, column: 1 },
    });
    const fifo = join(await tempDir(), "shipgate.yml");
    execFileSync("mkfifo", [fifo]);
    expect(await refusal(() => loadConfig({ path: fifo }))).toMatchObject({
      code: "config/not-a-file",
    });
    const run = await runCli(["plan", "--config", "/dev/zero"], { cwd: process.cwd() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^\/dev\/zero:1:1: error\[config\/not-a-file\]/);
  });

  test("aliases that expand without end are an error at the first alias, not an internal error", async () => {
    const bomb = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    ].join("\n");
    expect(await refusal(parse(`${MINIMAL}${bomb}\n`))).toMatchObject({
      code: "config/alias-expansion",
      location: { file: "shipgate.yml", line: 10, column: 8 },
    });
    const root = await tempDir();
    await writeFile(join(root, "shipgate.yml"), `${bomb}\naudit:\n  rules: *e\n`);
    const run = await runCli(["audit"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^shipgate\.yml:7:10: error\[config\/alias-expansion\]/);
  });

  test("a mapping of more than 10,000 entries is refused at the first one past the limit", async () => {
    const keys = Array.from({ length: 10_001 }, (_, i) => `  k${i}: ${i}\n`).join("");
    expect(await refusal(parse(`${MINIMAL}extra:\n${keys}`))).toMatchObject({
      code: "config/too-many-entries",
      location: { file: "shipgate.yml", line: 10_010, column: 3 },
    });
  });

  test("more than 256 environments are refused at the first one past the limit", async () => {
    const environments = Array.from(
      { length: 300 },
      (_, i) => `  e${i}:\n    target: { type: local, port: ${2000 + i} }\n`,
    );
    const text = `app:\n  name: orders-api\n  language: node\nenvironments:\n${environments.join("")}`;
    expect(await refusal(parse(text))).toMatchObject({
      code: "config/too-many-environments",
      location: { file: "shipgate.yml", line: 5 + 2 * 256, column: 3 },
    });
  });

  test.each([
    [
      "duplicate keys",
      500,
      (n: number) => {
        const keys = Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join("");
        return `${MINIMAL}extra:\n${keys}${keys}`;
      },
    ],
    [
      "unknown keys",
      1_000,
      (n: number) => MINIMAL + Array.from({ length: n }, (_, i) => `k${i}: 1\n`).join(""),
    ],
    [
      // One cycle through every environment: e0 promotes from e1, …, the last from e0.
      "a promotion cycle",
      100,
      (n: number) =>
        `app:\n  name: orders-api\n  language: node\nenvironments:\n${Array.from(
          { length: n },
          (_, i) =>
            `  e${i}:\n    promoteFrom: e${(i + 1) % n}\n    target: { type: local, port: ${2000 + i} }\n`,
        ).join("")}`,
    ],
  ])("%s: found in time linear in the file", (_, n, input) => {
    expect(superlinearity({ input, run: verdict, n })).toBeLessThan(1.3);
  });
});

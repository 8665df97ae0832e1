import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadSmokeFile, parseSmokeFile } from "../../src/verify/smoke-file.js";
import { runCli } from "../helpers/cli.js";
import { refusal } from "../helpers/refused.js";
import { tempDir } from "../helpers/tmp.js";
import { superlinearity } from "../helpers/work.js";
import { startServer } from "./server.js";

async function smokeFile(content: string | Buffer): Promise<{ cwd: string; path: string }> {
  const cwd = await tempDir();
  await writeFile(join(cwd, "smoke.yml"), content);
  return { cwd, path: "smoke.yml" };
}

describe("smoke files that are not what a person writes are exit 2, at a position", () => {
  test("invalid UTF-8, at its first invalid byte", async () => {
    const file = await smokeFile(
      Buffer.concat([Buffer.from("checks:\n  - path: /caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
    );
    expect(await refusal(() => loadSmokeFile(file))).toMatchObject({
      code: "verify/invalid-utf8",
      location: { file: "smoke.yml", line: 2, column: 15 },
    });
  });

  test("a file over 1 MiB, before it is read whole", async () => {
    const file = await smokeFile(`checks:\n  - path: /\n${"# padding\n".repeat(110_000)}`);
    expect(await refusal(() => loadSmokeFile(file))).toMatchObject({
      code: "verify/too-large",
      location: { file: "smoke.yml", line: 1, column: 1 },
    });
  });

  test.skipIf(process.platform === "win32")("a device, by its type, unread", async () => {
    expect(await refusal(() => loadSmokeFile({ path: "/dev/zero" }))).toMatchObject({
      code: "verify/not-a-file",
    });
  });

  test("aliases that expand without end, at the first alias", async () => {
    const bomb = [
      "x:",
      '  a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "checks:",
      "  - path: /",
      "    body: *e",
    ].join("\n");
    expect(await refusal(() => parseSmokeFile({ text: bomb, file: "smoke.yml" }))).toMatchObject({
      code: "verify/alias-expansion",
      location: { file: "smoke.yml", line: 3, column: 10 },
    });
  });

  test("a header named __proto__, which would otherwise vanish", async () => {
    const text = "checks:\n  - path: /\n    headers:\n      __proto__: x\n";
    expect(await refusal(() => parseSmokeFile({ text, file: "smoke.yml" }))).toMatchObject({
      code: "verify/smoke-file",
      location: { file: "smoke.yml", line: 4, column: 7 },
    });
  });

  test("many headers are read in time linear in the file", () => {
    const input = (n: number) =>
      `checks:\n  - path: /\n    headers:\n${Array.from({ length: n }, (_, i) => `      x-h${i}: v\n`).join("")}`;
    const run = (text: string) => parseSmokeFile({ text, file: "smoke.yml" });
    expect(superlinearity({ input, run, n: 1_000 })).toBeLessThan(1.3);
  });
});

test("a --header named __proto__, which fetch would silently not send, is exit 2", async () => {
  const server = await startServer((_, res) => {
    res.end("ok");
  });
  const run = await runCli(["verify", server.baseUrl, "--no-ready", "--header", "__proto__: yes"], {
    cwd: process.cwd(),
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'error[verify/header]: --header "__proto__: yes": a header cannot be named __proto__',
  );
  expect(server.requests).toHaveLength(0);
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const BIN = new URL("../../bin/shipgate.js", import.meta.url).pathname;

/** The installed entry point, as a user runs it: a real process over the compiled output. */
describe("bin/shipgate.js", () => {
  test("--help lists every command and exits 0", async () => {
    const { stdout } = await run(process.execPath, [BIN, "--help"]);
    for (const command of ["init", "generate", "plan", "verify", "demo"])
      expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
  });

  test("an unknown option is bad usage: exit 2", async () => {
    await expect(run(process.execPath, [BIN, "generate", "--bogus"])).rejects.toMatchObject({ code: 2 });
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { type Diagnostic, isShipgateError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const environment = (name: string, port: number) =>
  `  ${name}:\n    target:\n      type: local\n      port: ${port}\n`;
const config = (...environments: string[]) =>
  `app:\n  name: orders-api\n  language: node\nenvironments:\n${environments.join("")}`;

function diagnostics(text: string): Diagnostic[] {
  try {
    parseConfig({ text, file: "shipgate.yml" });
  } catch (error) {
    if (!isShipgateError(error)) throw error;
    return error.diagnostics;
  }
  return [];
}

describe("environment names", () => {
  test("__proto__ is refused at its key, not silently dropped", () => {
    expect(diagnostics(config(environment("staging", 8080), environment("__proto__", 8081)))).toEqual([
      expect.objectContaining({
        code: "config/yaml",
        message: '"__proto__" cannot be a key: no setting or name may be called that',
        location: { file: "shipgate.yml", line: 9, column: 3 },
      }),
    ]);
  });

  test("are at most 63 characters, as GitHub environments, file names and DNS labels allow", () => {
    const longest = `e${"x".repeat(62)}`;
    expect(diagnostics(config(environment(longest, 8080)))).toEqual([]);
    expect(diagnostics(config(environment(`${longest}x`, 8080)))).toEqual([
      expect.objectContaining({
        code: "config/invalid",
        location: { file: "shipgate.yml", line: 5, column: 3 },
      }),
    ]);
  });

  test("a name from the command line never finds one of Object.prototype's properties", async () => {
    const parsed = parseConfig({ text: config(environment("staging", 8080)), file: "shipgate.yml" });
    expect(parsed.environments.constructor).toBeUndefined();
    expect(Object.keys(parsed.environments)).toEqual(["staging"]);
    const root = await tempDir();
    await writeFile(join(root, "shipgate.yml"), config(environment("staging", 8080)));
    const run = await runCli(["status", "constructor"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("internal error");
    expect(run.stderr).toContain('no environment "constructor"');
  });

  test("an audit rule setting named __proto__ is refused, not dropped", async () => {
    const root = await tempDir();
    await mkdir(join(root, ".github/workflows"), { recursive: true });
    await writeFile(join(root, "shipgate.yml"), "audit:\n  rules:\n    __proto__: off\n");
    const run = await runCli(["audit"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^shipgate\.yml:3:5: error\[config\/yaml\]: "__proto__" cannot be a key/);
  });
});

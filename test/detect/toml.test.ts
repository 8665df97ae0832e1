import { describe, expect, test } from "vitest";
import { parseToml, TomlError } from "../../src/detect/toml.js";

describe("parseToml", () => {
  test("reads tables, nested headers, dotted keys and comments", () => {
    const text = [
      "# top comment",
      'title = "shop" # trailing comment',
      "",
      "[tool.poetry]",
      'name = "ledger"',
      "",
      "[tool.poetry.dependencies]",
      'python = "^3.11"',
      "",
      "[package]",
      "edition.workspace = true",
      'a."b.c" = 1',
    ].join("\n");
    expect(parseToml(text)).toEqual({
      title: "shop",
      tool: { poetry: { name: "ledger", dependencies: { python: "^3.11" } } },
      package: { edition: { workspace: true }, a: { "b.c": 1 } },
    });
  });

  test("reads the four kinds of string and their escapes", () => {
    const text = [
      String.raw`basic = "tab\there \"quoted\" \u00e9"`,
      String.raw`literal = 'C:\path\no-escapes'`,
      'multi = """',
      "line one",
      "line \\",
      '    two"""',
      "raw = '''",
      String.raw`keep \n as is'''`,
    ].join("\n");
    expect(parseToml(text)).toEqual({
      basic: 'tab\there "quoted" é',
      literal: String.raw`C:\path\no-escapes`,
      multi: "line one\nline two",
      raw: String.raw`keep \n as is`,
    });
  });

  test("reads multi-line arrays with comments and trailing commas, and inline tables", () => {
    const text = [
      "deps = [",
      '  "asyncpg>=0.29",  # the driver',
      "  'ruff',",
      "]",
      "nested = [[1, 2], []]",
      'sqlx = { version = "0.8", features = ["postgres"], optional = false }',
      "empty = {}",
    ].join("\n");
    expect(parseToml(text)).toEqual({
      deps: ["asyncpg>=0.29", "ruff"],
      nested: [[1, 2], []],
      sqlx: { version: "0.8", features: ["postgres"], optional: false },
      empty: {},
    });
  });

  test("reads numbers, booleans and keeps dates as text", () => {
    const text =
      "int = 1_000\nneg = -7\nfloat = 3.5e2\nhex = 0xff\non = true\nwhen = 1979-05-27T07:32:00Z\nday = 2024-01-02";
    expect(parseToml(text)).toEqual({
      int: 1000,
      neg: -7,
      float: 350,
      hex: 255,
      on: true,
      when: "1979-05-27T07:32:00Z",
      day: "2024-01-02",
    });
  });

  test("reads arrays of tables", () => {
    const text = '[[bin]]\nname = "a"\n\n[[bin]]\nname = "b"\n\n[bin.extra]\nx = 1\n';
    expect(parseToml(text)).toEqual({ bin: [{ name: "a" }, { name: "b", extra: { x: 1 } }] });
  });

  test("accepts CRLF line endings", () => {
    expect(parseToml('[project]\r\nname = "x"\r\n')).toEqual({ project: { name: "x" } });
  });

  test("stores keys named like Object members as data", () => {
    const parsed = parseToml('__proto__ = "a"\nconstructor = "b"\n[toString]\nx = 1');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["__proto__", "constructor", "toString"]);
    expect(parsed.constructor).toBe("b");
  });

  test.each([
    ['name = "unterminated', 1],
    ["[tool\nx = 1", 1],
    ['a = 1\nb = "x" c', 2],
    ["a = [1, 2", 1],
    ["a = 1\n\nb = ???", 3],
    ['a = "x"\na.b = 1', 2],
    [String.raw`a = "\q"`, 1],
  ])("reports malformed input with its line: %j", (text, line) => {
    let error: unknown;
    try {
      parseToml(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TomlError);
    expect((error as TomlError).line).toBe(line);
    expect((error as TomlError).message).toMatch(new RegExp(`^line ${line}: `));
  });
});

import { describe, expect, it } from "vitest";
import { evaluateJsonPath, parseJsonPath, queryJson } from "../../src/verify/jsonpath.js";

const doc = {
  status: "ok",
  items: [{ id: 7, tags: ["a", "b"] }, { id: 8 }, { id: 9 }],
  "odd key": { "with.dot": true, "it's": 1 },
  data: { length: 42 },
  name: "shipgate",
  nothing: null,
};

describe("parseJsonPath", () => {
  it("parses keys, quoted keys and indexes", () => {
    expect(parseJsonPath("$")).toEqual({ ok: true, segments: [] });
    expect(parseJsonPath("$.items[0].id")).toEqual({
      ok: true,
      segments: [
        { kind: "key", key: "items" },
        { kind: "index", index: 0 },
        { kind: "key", key: "id" },
      ],
    });
    expect(parseJsonPath(`$['odd key']["with.dot"]`)).toEqual({
      ok: true,
      segments: [
        { kind: "key", key: "odd key" },
        { kind: "key", key: "with.dot" },
      ],
    });
    expect(parseJsonPath("$['it\\'s']")).toEqual({ ok: true, segments: [{ kind: "key", key: "it's" }] });
    expect(parseJsonPath("$.items[-1]")).toEqual({
      ok: true,
      segments: [
        { kind: "key", key: "items" },
        { kind: "index", index: -1 },
      ],
    });
  });

  it.each([
    ["status", "a JSONPath starts with $, such as $.status", 0],
    ["$.", 'expected a key after "." at position 2', 2],
    ["$..items", 'expected a key after "." at position 2', 2],
    ["$.items[*]", 'unsupported "[*]" at position 7', 7],
    ["$.items[?(@.id)]", 'unsupported "[?(@.id)]" at position 7', 7],
    ["$.items[0", 'missing "]" for "[" at position 7', 7],
    ["$['a", "unterminated quoted key starting at position 2", 2],
    ["$['a'x]", 'expected "]" at position 5', 5],
    ["$.*", "wildcards are not supported", 2],
    ["$x", 'unexpected "x" at position 1', 1],
  ])("rejects %s", (expression, error, offset) => {
    const parsed = parseJsonPath(expression);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(error);
    expect(parsed.offset).toBe(offset);
  });
});

describe("evaluateJsonPath", () => {
  it.each([
    ["$", doc],
    ["$.status", "ok"],
    ["$.items[0].id", 7],
    ["$.items[2].id", 9],
    ["$.items[-1].id", 9],
    ["$.items.length", 3],
    ["$.items[0].tags.length", 2],
    ["$.items[0].tags[1]", "b"],
    ["$.name.length", 8],
    ["$['odd key']['with.dot']", true],
    ["$['odd key'][\"it's\"]", 1],
    // Dot notation reads up to the next "." or "[", so a key may hold spaces.
    ["$.odd key['it\\'s']", 1],
    // An object's own "length" key is a value, not a count.
    ["$.data.length", 42],
    ["$.nothing", null],
  ])("%s", (expression, value) => {
    expect(queryJson(expression, doc)).toEqual({ found: true, value });
  });

  it.each([
    "$.missing",
    "$.items[3]",
    "$.items[-4]",
    "$.status.length.more",
    "$.items.id",
    "$.status[0]",
    "$.nothing.x",
    "$['odd key'].length",
  ])("%s is not found", (expression) => {
    expect(queryJson(expression, doc)).toEqual({ found: false });
  });

  it("works on a bare array or scalar document", () => {
    expect(queryJson("$[1]", [1, 2, 3])).toEqual({ found: true, value: 2 });
    expect(queryJson("$.length", [1, 2, 3])).toEqual({ found: true, value: 3 });
    expect(queryJson("$", "text")).toEqual({ found: true, value: "text" });
    expect(evaluateJsonPath([{ kind: "key", key: "a" }], 5)).toEqual({ found: false });
  });

  it("queryJson throws on a malformed expression", () => {
    expect(() => queryJson("$.a[", {})).toThrow(/invalid JSONPath "\$\.a\["/);
  });
});

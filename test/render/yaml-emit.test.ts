import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { emitYaml, flow } from "../../src/render/yaml-emit.js";

describe("emitYaml", () => {
  // A block scalar is not allowed inside [ ] or { }: a multi-line item must be quoted.
  test("a multi-line string inside a flow sequence reads back as written", () => {
    const value = { branches: flow(["main", "release\nx", "a: b"]) };
    expect(parse(emitYaml(value))).toEqual({ branches: ["main", "release\nx", "a: b"] });
  });
});

import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { parseYaml } from "../../../src/audit/model/fast-parse.js";
import { checkProperty, propertySettings } from "../../helpers/property.js";
import { generatedFile } from "../../helpers/workflow-arbitrary.js";
import { modelValue } from "../../helpers/yaml-model.js";

/** Walks two trees side by side; returns the first difference as a readable path, or null. */
function difference(
  text: string,
  a: Node | null | undefined,
  b: Node | null | undefined,
  path = "$",
): string | null {
  if (!a || !b) {
    const empty = (n: Node | null | undefined) => !n || (isScalar(n) && n.value === null);
    return empty(a) && empty(b) ? null : `${path}: one side is missing`;
  }
  // js-yaml resolves aliases while parsing; the yaml package keeps them as Alias nodes.
  if (isAlias(b)) return null;
  const kind = (n: Node) => (isMap(n) ? "map" : isSeq(n) ? "seq" : isScalar(n) ? "scalar" : "other");
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  const [as, ae] = a.range ?? [];
  const [bs, be] = b.range ?? [];
  if (isScalar(a) && isScalar(b)) {
    if (a.value !== b.value && !(a.value == null && b.value == null))
      return `${path}: value ${JSON.stringify(a.value)} vs ${JSON.stringify(b.value)}`;
    if (a.value == null) return null; // empty values: position conventions differ and nothing points at them
  }
  // Collections: where they start (their ends differ by trailing blank lines and comments,
  // which nothing points at). Scalars: the exact span.
  if (as !== bs || (isScalar(a) && ae !== be)) {
    const show = (s?: number, e?: number) => JSON.stringify(text.slice(s, Math.min(e ?? 0, (s ?? 0) + 40)));
    return `${path}: range [${as},${ae}] ${show(as, ae)} vs [${bs},${be}] ${show(bs, be)}`;
  }
  if (isMap(a) && isMap(b)) {
    if (a.items.length !== b.items.length) return `${path}: ${a.items.length} vs ${b.items.length} entries`;
    for (let i = 0; i < a.items.length; i++) {
      const pa = a.items[i]!;
      const pb = b.items[i]!;
      if (!isPair(pa) || !isPair(pb)) return `${path}[${i}]: not a pair`;
      const key = String((pa.key as { value?: unknown })?.value);
      const d =
        difference(text, pa.key as Node, pb.key as Node, `${path}.${key}(key)`) ??
        difference(text, pa.value as Node, pb.value as Node, `${path}.${key}`);
      if (d) return d;
    }
  }
  if (isSeq(a) && isSeq(b)) {
    if (a.items.length !== b.items.length) return `${path}: ${a.items.length} vs ${b.items.length} items`;
    for (let i = 0; i < a.items.length; i++) {
      const d = difference(text, a.items[i] as Node, b.items[i] as Node, `${path}[${i}]`);
      if (d) return d;
    }
  }
  return null;
}

describe("parseYaml builds the yaml package's tree, with the same ranges", () => {
  const settings = propertySettings(300);
  test(`on ${settings.numRuns} generated workflows and composite actions, and reads the value they were written from`, () => {
    checkProperty(
      "parseYaml vs the yaml package",
      fc.property(generatedFile, (file) => {
        const fast = parseYaml(file.text);
        const reference = parseDocument(file.text, { uniqueKeys: false });
        // Damaged copies: the two parsers may reject different texts; compare what both read.
        // A lone CR is a line break to js-yaml and not to the yaml package: leave those out.
        // Where js-yaml and the yaml package read a damaged text as different values (tags,
        // odd scalars), the ranges are not comparable either; block-parse.test.ts holds our
        // reader to js-yaml's values on the same damaged copies.
        if (
          !file.model &&
          (fast.errors.length ||
            reference.errors.length ||
            /\r(?!\n)/.test(file.text) ||
            !isDeepStrictEqual(fast.contents?.toJSON() ?? null, reference.toJS() ?? null))
        )
          return;
        const d = difference(file.text, fast.contents, reference.contents as Node);
        if (d) throw new Error(d);
        // The generator knows what each undamaged file stands for: an oracle independent of both parsers.
        if (file.model) {
          expect(fast.errors).toEqual([]);
          expect(fast.contents?.toJSON()).toEqual(modelValue(file.model));
        }
      }),
      settings,
    );
  });

  test.each([
    ["flow collections", "on: [push, pull_request]\nenv: { A: '1', B: \"x\" }\n"],
    ["block scalars", "run: |\n  echo one\n  echo two\nnext: >-\n  folded\n  text\nafter: 1\n"],
    // Aliases come back resolved (js-yaml resolves them while parsing); workflows rarely use them.
    ["comments and anchors", "# top\na: &x 1 # one\nc:\n  # inside\n  - d # item\n  - e\n"],
    ["empty values", "a:\nb: ~\nc: ''\n"],
    ["quoted keys and values", "'on': \"push\"\n\"k\": 'it''s'\n"],
    // Found by the generated corpus: positions after a byte-order mark, block scalars ending in
    // CRLF, and the blank lines a keep-chomped block scalar holds.
    ["a byte-order mark", "\uFEFFname: a\non: [push]\njobs:\n  b:\n    run: |\n      x\n"],
    ["a byte-order mark before a document marker", "\uFEFF---\nname: 'a'\n"],
    ["block scalars with CRLF", "a:\r\n  o: >-\r\n    --x y\r\n  r: |\r\n    x\r\n  b: 1\r\n"],
    ["keep chomping", "a:\n  r: |+\n    x\n\n   \n  b: 1\nc: >+\n  y\n\n"],
  ])("%s", (_name, text) => {
    expect(difference(text, parseYaml(text).contents, parseDocument(text).contents as Node)).toBeNull();
  });

  test("aliases are read as copies of what they name, and an alias bomb is an error, not a hang", () => {
    const shared = parseYaml("a: &s\n  - run: x\nb: *s\n").contents!;
    expect(shared.toJSON()).toEqual({ a: [{ run: "x" }], b: [{ run: "x" }] });
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const bomb = parseYaml(`${lines.join("\n")}\n`);
    expect(bomb.contents).toBeNull();
    expect(bomb.errors).toEqual([expect.objectContaining({ code: "alias-expansion", pos: [4, 5] })]);
  });

  test("a __proto__ key is a key of the plain value, as js-yaml reads it, not its prototype", () => {
    // The alias makes this a text for the yaml package's composer, whose nodes build their value.
    const parsed = parseYaml("a: &s [x]\nb: *s\nc:\n  __proto__: { polluted: true }\n").contents!;
    const c = (parsed.toJSON() as Record<string, Record<string, unknown>>).c!;
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(c, "__proto__")?.value).toEqual({ polluted: true });
  });

  test("a syntax error is reported with its position instead of a tree", () => {
    const result = parseYaml("on: push\njobs:\n  a: [\n");
    expect(result.contents).toBeNull();
    expect(result.errors[0]).toMatchObject({ code: "syntax", pos: [expect.any(Number), expect.any(Number)] });
  });
});

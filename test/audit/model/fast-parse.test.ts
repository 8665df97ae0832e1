import { readdir, readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { parseYaml } from "../../../src/audit/model/fast-parse.js";

const STARTERS = new URL("../../../bench/data/starter-workflows/", import.meta.url);

/** Walks two trees side by side; returns the first difference as a readable path, or null. */
function difference(
  text: string,
  a: Node | null | undefined,
  b: Node | null | undefined,
  path = "$",
): string | null {
  if (!a || !b)
    return a === b || (isScalar(a) && a.value === null && !b) ? null : `${path}: one side is missing`;
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
  test("on every starter workflow", async () => {
    const names = (await readdir(STARTERS)).filter((n) => n.endsWith(".yml"));
    expect(names.length).toBeGreaterThan(150);
    const differences: string[] = [];
    for (const name of names) {
      const text = await readFile(new URL(name, STARTERS), "utf8");
      const fast = parseYaml(text);
      const reference = parseDocument(text, { uniqueKeys: false });
      const d = difference(text, fast.contents, reference.contents as Node);
      if (d) differences.push(`${name}: ${d}`);
    }
    expect(differences).toEqual([]);
  });

  test.each([
    ["flow collections", "on: [push, pull_request]\nenv: { A: '1', B: \"x\" }\n"],
    ["block scalars", "run: |\n  echo one\n  echo two\nnext: >-\n  folded\n  text\nafter: 1\n"],
    // Aliases come back resolved (js-yaml resolves them while parsing); workflows rarely use them.
    ["comments and anchors", "# top\na: &x 1 # one\nc:\n  # inside\n  - d # item\n  - e\n"],
    ["empty values", "a:\nb: ~\nc: ''\n"],
    ["quoted keys and values", "'on': \"push\"\n\"k\": 'it''s'\n"],
  ])("%s", (_name, text) => {
    expect(difference(text, parseYaml(text).contents, parseDocument(text).contents as Node)).toBeNull();
  });

  test("a syntax error is reported with its position instead of a tree", () => {
    const result = parseYaml("on: push\njobs:\n  a: [\n");
    expect(result.contents).toBeNull();
    expect(result.errors[0]).toMatchObject({ code: "syntax", pos: [expect.any(Number), expect.any(Number)] });
  });
});

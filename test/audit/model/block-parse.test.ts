import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import { readBlockYaml } from "../../../src/audit/model/block-parse.js";
import { parseYaml } from "../../../src/audit/model/fast-parse.js";
import { checkProperty, propertySettings } from "../../helpers/property.js";
import {
  applyDamage,
  damage,
  documentStyle,
  generatedFile,
  workflowModel,
} from "../../helpers/workflow-arbitrary.js";
import { emitDocument } from "../../helpers/yaml-model.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** The first difference between two trees (kind, range, flow, value, toJSON), or null. */
function difference(a: Node | null | undefined, b: Node | null | undefined, path = "$"): string | null {
  if (!a || !b) return a === b ? null : `${path}: one side is missing`;
  const kind = (n: Node) => (isMap(n) ? "map" : isSeq(n) ? "seq" : isScalar(n) ? "scalar" : "other");
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  if (!isDeepStrictEqual(a.range, b.range)) return `${path}: range ${a.range} vs ${b.range}`;
  if (isScalar(a) && isScalar(b)) {
    return isDeepStrictEqual(a.value, b.value)
      ? null
      : `${path}: ${JSON.stringify(a.value)} vs ${JSON.stringify(b.value)}`;
  }
  if ((a as { flow?: boolean }).flow !== (b as { flow?: boolean }).flow) return `${path}: flow`;
  if (!isDeepStrictEqual(a.toJSON(), b.toJSON())) return `${path}: toJSON`;
  const as = (a as { items: unknown[] }).items;
  const bs = (b as { items: unknown[] }).items;
  if (as.length !== bs.length) return `${path}: ${as.length} vs ${bs.length} items`;
  for (let i = 0; i < as.length; i++) {
    const [x, y] = [as[i], bs[i]];
    const d =
      isPair(x) && isPair(y)
        ? (difference(
            x.key as Node,
            y.key as Node,
            `${path}.${String((x.key as { value?: unknown }).value)}(key)`,
          ) ??
          difference(
            x.value as Node,
            y.value as Node,
            `${path}.${String((x.key as { value?: unknown }).value)}`,
          ))
        : difference(x as Node, y as Node, `${path}[${i}]`);
    if (d) return d;
  }
  return null;
}

/** The block reader's result (or its giving up) must not be distinguishable from js-yaml's. */
function sameAsFullParser(text: string): string | null {
  const fast = parseYaml(text);
  const full = parseYaml(text, { fullParser: true });
  if (!isDeepStrictEqual(fast.errors, full.errors)) return "errors differ";
  return difference(fast.contents, full.contents);
}

const takesFastPath = (text: string) => readBlockYaml(text, { node: () => ({}) }) !== undefined;

describe("the block-YAML reader reads what js-yaml reads", () => {
  test("on every workflow of the labelled corpus and the rule fixtures", () => {
    const files = [
      ...yamlFiles(join(ROOT, "test/audit/corpus")),
      ...yamlFiles(join(ROOT, "test/audit/fixtures")),
    ];
    expect(files.length).toBeGreaterThan(150);
    const differences = files.flatMap((file) => {
      const d = sameAsFullParser(readFileSync(file, "utf8"));
      return d ? [`${file}: ${d}`] : [];
    });
    expect(differences).toEqual([]);
  });

  const generated = propertySettings(400);
  test(`on ${generated.numRuns} generated workflows, composite actions and damaged copies`, () => {
    checkProperty(
      "block reader vs js-yaml",
      fc.property(generatedFile, (file) => {
        const d = sameAsFullParser(file.text);
        if (d) throw new Error(d);
      }),
      generated,
    );
  });

  const damaged = propertySettings(600, 7);
  test(`on ${damaged.numRuns} more damaged copies of generated workflows (same trees, same errors)`, () => {
    checkProperty(
      "block reader vs js-yaml, damaged",
      fc.property(workflowModel, documentStyle, damage, (model, style, edits) => {
        const text = applyDamage(emitDocument(model, style), edits);
        const d = sameAsFullParser(text);
        if (d) throw new Error(`${d}\n${JSON.stringify(text)}`);
      }),
      damaged,
    );
  });

  test("most plain generated workflows take the fast path", () => {
    // Workflows without the shapes it leaves to js-yaml by design (CRLF, tabs, anchors).
    const files = fc
      .sample(generatedFile, { numRuns: 400, seed: 11 })
      .filter((f) => f.model && !/[\r\t]|: &|- &/.test(f.text));
    expect(files.length).toBeGreaterThan(150);
    const fast = files.filter((f) => takesFastPath(f.text));
    expect(fast.length / files.length).toBeGreaterThan(0.7);
  });

  test.each([
    [
      "compact sequence",
      "jobs:\n  a:\n    steps:\n    - uses: x@v1\n      with:\n        a: 1\n    - run: echo\n    name: n\n",
    ],
    ["indented sequence", "a:\n  - 1\n  - two\n  - 'three'\nb: x\n"],
    ["literal block, clip", "a: |\n  one\n    two\n\n  three\n\nb: 1\n"],
    ["literal block, strip and keep", "a: |-\n  one\n\nb: |+\n  two\n\n\nc: 1\n"],
    ["folded block", "a: >\n  one\n  two\n\n  three\n    more\n  four\nb: >-\n  x\n  y\n"],
    ["block scalar at the end", "a:\n  run: |\n    echo hi\n"],
    ["block scalar at the end, trailing blank lines", "a: |\n  echo\n\n\n"],
    ["block scalar, comment after", "a: | # note\n  x\n# trailing\nb: 2\n"],
    ["empty values", "on:\n  workflow_dispatch:\n  push:\n    branches: [main]\njobs:\n"],
    ["empty value at the very end", "a: 1\nb:"],
    ["no final newline", "a: 1\nb: two"],
    [
      "typed scalars",
      "a: 010\nb: 3.10\nc: 0x1F\nd: true\ne: False\nf: ~\ng: null\nh: 2024-01-02\ni: .inf\nj: -1\nk: +2\nl: 1e3\n",
    ],
    ["typed keys", "true: 1\n3.8: x\nnull: y\n8: z\n"],
    ["quoted scalars", "a: 'it''s'\nb: \"x y\"\nc: ''\nd: \"\"\ne: '#no comment'\n"],
    ["flow sequences", "on: [push, 'pull_request']\nb: []\nc: [ 1, two , 3.5 ]\n"],
    ["comments everywhere", "# top\na: 1 # one\n# between\nb:\n  # inside\n  c: 2\n"],
    ["expressions and colons in values", "if: ${{ a == 'b' }}\nurl: http://x:80/y\nrun: echo a:b\n"],
    ["plain scalars with dashes and hashes", "a: -x\nb: a#b\nc: --flag\n"],
    // The rest goes to js-yaml: the results must still be the same.
    ["multi-line plain scalar", "a: one\n  two\nb: 1\n"],
    ["multi-line quoted scalar", "a: 'one\n  two'\n"],
    ["escapes", 'a: "x\\ty"\n'],
    ["duplicate keys", "a: 1\na: 2\n"],
    ["mapping in a value", "a: b: c\n"],
    ["anchors and aliases", "a: &x 1\nb: *x\n"],
    ["merge keys", "a: &x\n  k: 1\nb:\n  <<: *x\n  j: 2\n"],
    ["tags", "a: !!str 1\n"],
    ["flow mapping", "a: { b: 1 }\n"],
    ["quoted keys", "'on': push\n\"k\": v\n"],
    ["tabs", "a:\n\tb: 1\n"],
    ["non-ASCII", "name: café ✓ 🚀\nrun: |\n  echo \"✓\"\n'é': 1\n"],
    ["an unpaired surrogate", "name: a\uD800b\n"],
    ["a byte-order mark", "\uFEFFname: a\n"],
    ["a line separator", "name: a\u2028b\n"],
    ["non-printable characters", "name: a\u0085b\u0007\n"],
    ["top-level sequence", "- a\n- b\n"],
    ["document marker", "---\na: 1\n"],
    ["bad indentation", "a:\n    b: 1\n  c: 2\n"],
    ["leading empty line in a block scalar", "a: |\n\n  x\n"],
    ["explicit indentation indicator", "a: |2\n   x\n"],
    ["__proto__ key", "__proto__: 1\n"],
    ["empty document", ""],
    ["nested sequences", "a:\n  - - 1\n    - 2\n"],
    ["a merge key at the top", "<<: 1\na: 2\n"],
    ["CRLF line breaks", "a: 1\r\nb:\r\n  c: |\r\n    x\r\n"],
  ])("%s", (_name, text) => {
    expect(sameAsFullParser(text)).toBeNull();
  });
});

import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REPORT_PARSERS } from "../../src/gates/parsers/index.js";
import { FIXTURES, fixture } from "./support/fixtures.js";

const PARSERS_DIR = fileURLToPath(new URL("../../src/gates/parsers/", import.meta.url));
const folders = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

describe("report parser registry", () => {
  it("has one entry per folder under src/gates/parsers, keyed by the parser's id", () => {
    expect(Object.keys(REPORT_PARSERS).sort()).toEqual(folders(PARSERS_DIR));
    for (const [key, parser] of Object.entries(REPORT_PARSERS)) expect(parser.id).toBe(key);
  });

  it("has good, failing and malformed fixtures for every format", () => {
    expect(folders(FIXTURES)).toEqual(Object.keys(REPORT_PARSERS).sort());
    for (const id of Object.keys(REPORT_PARSERS)) {
      const names = readdirSync(`${FIXTURES}${id}`);
      expect(
        names.some((n) => n.startsWith("malformed")),
        id,
      ).toBe(true);
      expect(names.length, id).toBeGreaterThanOrEqual(3);
    }
  });

  it("recognises every fixture by its own parser's sniff alone, whatever the file is called", async () => {
    for (const id of Object.keys(REPORT_PARSERS)) {
      for (const name of readdirSync(`${FIXTURES}${id}`)) {
        const head = (await readFile(fixture(id, name), "utf8")).slice(0, 16 * 1024);
        const sniffed = Object.values(REPORT_PARSERS)
          .filter((p) => p.sniff(head))
          .map((p) => p.id);
        expect(sniffed, `${id}/${name}`).toEqual([id]);
      }
    }
  });
});

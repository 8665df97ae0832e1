import { describe, expect, it } from "vitest";
import { alignColumns } from "../../src/cli/columns.js";

describe("alignColumns", () => {
  it("pads every column but the last to its widest cell, two spaces apart", () => {
    expect(
      alignColumns([
        ["gate", "result", "why"],
        ["coverage", "PASS", "84% of lines, at least 80% asked"],
        ["p95", "FAIL", "-"],
      ]),
    ).toEqual([
      "gate      result  why",
      "coverage  PASS    84% of lines, at least 80% asked",
      "p95       FAIL    -",
    ]);
  });

  it("counts code points, not UTF-16 units, and leaves no trailing spaces after empty cells", () => {
    expect(
      alignColumns([
        ["µs", "𝑥", "a"],
        ["ms", "", ""],
      ]),
    ).toEqual(["µs  𝑥  a", "ms"]);
  });

  it("paints cells after padding, with their row and column", () => {
    const lines = alignColumns(
      [
        ["a", "bb"],
        ["ccc", "d"],
      ],
      (cell, row, column) => `[${row}${column}:${cell}]`,
    );
    expect(lines).toEqual(["[00:a  ]  [01:bb]", "[10:ccc]  [11:d]"]);
  });
});

import { safeText } from "./safe-text.js";

/** Paints one cell after it is padded, so that escape codes do not skew the widths. */
export type PaintCell = (cell: string, row: number, column: number) => string;

/**
 * Rows of cells as aligned text lines: each column padded to its widest cell (counted in
 * code points, so `✓` or `µ` count once), columns two spaces apart, and the last non-empty
 * cell of a row left ragged so that it may run long and no line ends in spaces. Cells are
 * measured as they will be printed, control characters escaped.
 */
export function alignColumns(cellsAsGiven: readonly (readonly string[])[], paint?: PaintCell): string[] {
  const rows = cellsAsGiven.map((row) => row.map((cell) => safeText(cell)));
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, width(cell));
  }
  return rows.map((row, r) => {
    let end = row.length;
    while (end > 0 && row[end - 1] === "") end--;
    const cells: string[] = [];
    for (let i = 0; i < end; i++) {
      const cell = row[i]!;
      const padded = i === end - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell));
      cells.push(paint ? paint(padded, r, i) : padded);
    }
    return cells.join("  ");
  });
}

function width(cell: string): number {
  let n = 0;
  for (const _ of cell) n++;
  return n;
}

import { searchBudget } from "./model/source.js";

/**
 * Where each needle (a script's lines, the expressions in it) is written in a scalar's source
 * text, found one after the other (each after the one before it), or undefined for one not
 * written there verbatim (a quoted or folded script). With `atLineStart`, only where a line of
 * the source starts (after blanks and quotes), so a commented-out copy or an earlier identical
 * line is never mistaken for it.
 *
 * Each miss reads the rest of the scalar, so a long quoted script, every line of which misses,
 * would cost the square of its length: the search stops at the budget (see searchBudget),
 * leaving the remaining needles unlocated. A block scalar, whose lines are all verbatim, reads
 * its text about once.
 */
export function locateInOrder(
  scalar: string,
  needles: readonly string[],
  options: { atLineStart: boolean },
): Array<number | undefined> {
  const budget = searchBudget(scalar.length);
  let read = 0;
  let cursor = 0;
  return needles.map((needle) => {
    if (!needle || read > budget) return undefined;
    const at = find(scalar, needle, cursor, options.atLineStart);
    read += (at === undefined ? scalar.length : at + needle.length) - cursor;
    if (at === undefined) return undefined;
    cursor = at + needle.length;
    return at;
  });
}

function find(scalar: string, needle: string, from: number, atLineStart: boolean): number | undefined {
  for (let i = scalar.indexOf(needle, from); i >= 0; i = scalar.indexOf(needle, i + 1)) {
    if (!atLineStart || startsLine(scalar, i)) return i;
  }
  return undefined;
}

/** Only blanks and quotes between the start of the line (or of the scalar) and `at`. */
function startsLine(scalar: string, at: number): boolean {
  for (let j = at - 1; j >= 0; j--) {
    const c = scalar[j]!;
    if (c === "\n") return true;
    if (!BLANK_OR_QUOTE.test(c)) return false;
  }
  return true;
}

const BLANK_OR_QUOTE = /[\s"']/;

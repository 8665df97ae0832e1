/**
 * coverage.py before 7.2.2 (Debian 12 ships 6.5) wrote LH as the number of lines that ran,
 * statements or not (a module's docstring), with a DA line for each, while LF is its number of
 * statements: an `__init__.py` holding only a docstring became LF:0 LH:1. Its own report counts
 * the statements that ran, LF minus the DA lines with no hits (a missed line is always a
 * statement). A record fits that mistake when its DA lines are exactly LH lines that ran plus
 * the missed ones, more than LF in all; then that count replaces LH.
 * https://github.com/nedbat/coveragepy/pull/1583
 */
export function statementsHit(record: {
  lf?: number;
  lh?: number;
  /** DA line numbers: whether each ran. */
  da: ReadonlyMap<number, boolean>;
}): number | undefined {
  const { lf, lh, da } = record;
  if (lf === undefined || lh === undefined) return undefined;
  let ran = 0;
  for (const hit of da.values()) if (hit) ran += 1;
  const missed = da.size - ran;
  return ran === lh && da.size > lf && missed <= lf ? lf - missed : undefined;
}

export function correctionNote(file: string, lh: number, lf: number, corrected: number): string {
  return `${file}: LH:${lh} counts lines that are not among its LF:${lf} statements, as coverage.py before 7.2.2 wrote it (it counted docstrings that ran); read as ${corrected} of ${lf}, the figure coverage.py's own report gives`;
}

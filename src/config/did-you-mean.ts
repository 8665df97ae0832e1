/**
 * Edit distance with adjacent transpositions (the "optimal string alignment" variant of
 * Damerau-Levenshtein): `comands` → `commands` is 1, `stagnig` → `staging` is 1.
 */
export function editDistance(options: { a: string; b: string }): number {
  const { a, b } = options;
  // rows[i][j] = distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate the user most likely meant, if any: a case-insensitive match first, then the
 * closest one within `maxDistance` edits. A suggestion must keep at least one character of the
 * input, so `x` does not "mean" `go`. Ties go to the earlier candidate (schema order).
 */
export function didYouMean(options: {
  input: string;
  candidates: readonly string[];
  maxDistance?: number;
}): string | undefined {
  const { input, candidates } = options;
  const maxDistance = options.maxDistance ?? 2;
  const lower = input.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance({ a: lower, b: candidate.toLowerCase() });
    if (distance > maxDistance || distance >= input.length) continue;
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `"a", "b" or "c"`-style list for messages. */
export function listOf(values: readonly string[], conjunction = "or"): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} ${conjunction} ${values.at(-1)}`;
}

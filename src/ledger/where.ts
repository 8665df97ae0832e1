/**
 * A WHERE clause from optional filters: each `[condition, value]` pair with a defined value
 * contributes its condition (with one `?`) and its parameter, joined with AND.
 *
 * SQLite takes the `?` as written. PostgreSQL numbers its parameters: with `numberFrom`, each
 * `?` becomes `$n`, counting from that number (1 unless earlier parameters come first).
 */
export function whereClause(
  filters: ReadonlyArray<readonly [string, string | number | undefined]>,
  options: { numberFrom?: number } = {},
): {
  sql: string;
  params: Array<string | number>;
} {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  for (const [condition, value] of filters) {
    if (value === undefined) continue;
    const placeholder = options.numberFrom === undefined ? "?" : `$${options.numberFrom + params.length}`;
    conditions.push(condition.replace("?", placeholder));
    params.push(value);
  }
  return { sql: conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "", params };
}

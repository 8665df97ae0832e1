/**
 * A WHERE clause from optional filters: each `[condition, value]` pair with a defined value
 * contributes its condition (with one `?`) and its parameter, joined with AND.
 */
export function whereClause(filters: ReadonlyArray<readonly [string, string | number | undefined]>): {
  sql: string;
  params: Array<string | number>;
} {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  for (const [condition, value] of filters) {
    if (value === undefined) continue;
    conditions.push(condition);
    params.push(value);
  }
  return { sql: conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "", params };
}

/**
 * Canonical JSON: the text `JSON.stringify` would write, except that every object's keys are
 * sorted, recursively (by UTF-16 code units, the order of `Array.prototype.sort`). The hash
 * chain hashes this text so that any implementation, or one reading back what it stored,
 * derives the same bytes from the same value whatever order its keys were written in.
 *
 * Values JSON cannot hold follow `JSON.stringify`: `toJSON` is honoured, object members whose
 * value is undefined (or a function or symbol) are left out, such array items and non-finite
 * numbers become `null`, and a bigint throws.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  const plain = hasToJson(value) ? value.toJSON() : value;
  switch (typeof plain) {
    case "string":
      return JSON.stringify(plain);
    case "number":
      return Number.isFinite(plain) ? JSON.stringify(plain) : "null";
    case "boolean":
      return plain ? "true" : "false";
    case "bigint":
      throw new TypeError("canonicalJson: a bigint has no JSON form");
    case "object":
      if (plain === null) return "null";
      if (Array.isArray(plain)) return `[${plain.map((item) => write(item) ?? "null").join(",")}]`;
      return writeObject(plain as Record<string, unknown>);
    default:
      return undefined;
  }
}

function writeObject(object: Record<string, unknown>): string {
  const members: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const text = write(object[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(",")}}`;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}

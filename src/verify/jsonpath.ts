/**
 * The JSONPath subset smoke checks need to point at one value in a response body:
 * `$`, `.key`, `['key']` / `["key"]`, `[index]` (negative counts from the end) and `.length`
 * of an array or string. Written by hand because a full JSONPath library (filters,
 * wildcards, scripts) is far more than "is $.status ok?" needs.
 */

export type JsonPathSegment = { kind: "key"; key: string } | { kind: "index"; index: number };

export type ParsedJsonPath =
  | { ok: true; segments: JsonPathSegment[] }
  | { ok: false; error: string /** 0-based offset into the expression */; offset: number };

export type JsonPathResult = { found: true; value: unknown } | { found: false };

export function parseJsonPath(expression: string): ParsedJsonPath {
  if (!expression.startsWith("$")) return fail("a JSONPath starts with $, such as $.status", 0);
  const segments: JsonPathSegment[] = [];
  let i = 1;
  while (i < expression.length) {
    const char = expression[i];
    if (char === ".") {
      const start = i + 1;
      let end = start;
      while (end < expression.length && expression[end] !== "." && expression[end] !== "[") end += 1;
      const key = expression.slice(start, end);
      if (key === "") return fail(`expected a key after "." at position ${start}`, start);
      if (key === "*") return fail("wildcards are not supported; point at one value", start);
      segments.push({ kind: "key", key });
      i = end;
    } else if (char === "[") {
      const bracket = parseBracket(expression, i);
      if (!bracket.ok) return bracket;
      segments.push(bracket.segment);
      i = bracket.next;
    } else {
      return fail(`unexpected "${char}" at position ${i}; use .key, ['key'] or [index]`, i);
    }
  }
  return { ok: true, segments };
}

function parseBracket(
  expression: string,
  open: number,
): { ok: true; segment: JsonPathSegment; next: number } | { ok: false; error: string; offset: number } {
  const quote = expression[open + 1];
  if (quote === "'" || quote === '"') {
    let key = "";
    let i = open + 2;
    while (i < expression.length && expression[i] !== quote) {
      // A backslash keeps the next character literally, so keys can hold quotes.
      if (expression[i] === "\\" && i + 1 < expression.length) i += 1;
      key += expression[i];
      i += 1;
    }
    if (i >= expression.length)
      return fail(`unterminated quoted key starting at position ${open + 1}`, open + 1);
    if (expression[i + 1] !== "]") return fail(`expected "]" at position ${i + 1}`, i + 1);
    return { ok: true, segment: { kind: "key", key }, next: i + 2 };
  }
  const close = expression.indexOf("]", open);
  if (close === -1) return fail(`missing "]" for "[" at position ${open}`, open);
  const inner = expression.slice(open + 1, close).trim();
  if (!/^-?\d+$/.test(inner)) {
    return fail(
      `unsupported "[${inner}]" at position ${open}; use an index such as [0] or a quoted key such as ['name']`,
      open,
    );
  }
  return { ok: true, segment: { kind: "index", index: Number(inner) }, next: close + 1 };
}

function fail(error: string, offset: number): { ok: false; error: string; offset: number } {
  return { ok: false, error, offset };
}

export function evaluateJsonPath(segments: readonly JsonPathSegment[], document: unknown): JsonPathResult {
  let current: unknown = document;
  for (const segment of segments) {
    const next = step(current, segment);
    if (!next.found) return next;
    current = next.value;
  }
  return { found: true, value: current };
}

function step(current: unknown, segment: JsonPathSegment): JsonPathResult {
  if (segment.kind === "index") {
    if (!Array.isArray(current)) return { found: false };
    const index = segment.index < 0 ? current.length + segment.index : segment.index;
    return index >= 0 && index < current.length ? { found: true, value: current[index] } : { found: false };
  }
  // An object's own "length" key wins over the pseudo-property, as in JavaScript.
  if (isObject(current)) {
    return Object.hasOwn(current, segment.key)
      ? { found: true, value: current[segment.key] }
      : { found: false };
  }
  if (segment.key === "length" && (Array.isArray(current) || typeof current === "string")) {
    return { found: true, value: current.length };
  }
  return { found: false };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses and evaluates in one go; throws on a malformed expression (smoke files are validated first). */
export function queryJson(expression: string, document: unknown): JsonPathResult {
  const parsed = parseJsonPath(expression);
  if (!parsed.ok) throw new Error(`invalid JSONPath "${expression}": ${parsed.error}`);
  return evaluateJsonPath(parsed.segments, document);
}

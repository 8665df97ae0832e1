/**
 * A small TOML reader for the manifests detection looks at (pyproject.toml, Cargo.toml,
 * rust-toolchain.toml). It reads tables, arrays of tables, dotted and quoted keys, strings of
 * all four kinds, numbers, booleans, arrays and inline tables. Dates are kept as their text.
 * It is lenient where the spec is strict (a redefined table is merged), because detection
 * only reads values and never writes them back.
 */

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "TomlError";
    this.line = line;
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only, so keys such as `constructor` are data and never inherited members. */
export function tomlGet(table: TomlTable, key: string): TomlValue | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The table under `key`, or an empty one, so optional sections read without checks. */
export function tomlTable(parent: TomlTable, key: string): TomlTable {
  const value = tomlGet(parent, key);
  return isTable(value) ? value : {};
}

const ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  '"': '"',
  "\\": "\\",
};

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let pos = 0;

  const fail = (message: string): never => {
    throw new TomlError(message, text.slice(0, pos).split("\n").length);
  };
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return null;
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => match(/[ \t]*(#[^\n]*)?/y);
  const skipBlank = () => match(/([ \t\r\n]|#[^\n]*)*/y);
  const expect = (token: string) => {
    if (!text.startsWith(token, pos)) fail(`expected "${token}"`);
    pos += token.length;
  };
  const endOfLine = () => {
    skipSpace();
    if (pos < text.length && match(/\r?\n/y) === null) fail("expected the end of the line");
  };

  const escapeSequence = (): string => {
    const ch = text[pos + 1] ?? "";
    const simple = ESCAPES[ch];
    if (simple !== undefined) {
      pos += 2;
      return simple;
    }
    const digits = ch === "u" ? 4 : ch === "U" ? 8 : 0;
    const hex = text.slice(pos + 2, pos + 2 + digits);
    if (!digits || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) fail(`bad escape "\\${ch}"`);
    pos += 2 + digits;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  };

  const basicString = (multiline: boolean): string => {
    const quote = multiline ? '"""' : '"';
    pos += quote.length;
    if (multiline) match(/\r?\n/y);
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      if (text.startsWith(quote, pos)) {
        pos += quote.length;
        return out;
      }
      const ch = text[pos]!;
      if (ch === "\n" && !multiline) fail("newline in a string");
      if (ch === "\\") {
        // A backslash at the end of a line joins it to the next non-blank text.
        if (multiline && match(/\\[ \t]*\r?\n[ \t\r\n]*/y) !== null) continue;
        out += escapeSequence();
      } else {
        out += ch;
        pos++;
      }
    }
  };

  const literalString = (multiline: boolean): string => {
    const quote = multiline ? "'''" : "'";
    pos += quote.length;
    if (multiline) match(/\r?\n/y);
    const end = text.indexOf(quote, pos);
    const body = end === -1 ? null : text.slice(pos, end);
    if (body === null || (!multiline && body.includes("\n"))) return fail("unterminated string");
    pos = end + quote.length;
    return body;
  };

  const string = (): string => {
    if (text.startsWith('"""', pos)) return basicString(true);
    if (text.startsWith("'''", pos)) return literalString(true);
    return text[pos] === '"' ? basicString(false) : literalString(false);
  };

  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpace();
      const ch = text[pos];
      const part = ch === '"' || ch === "'" ? string() : match(/[A-Za-z0-9_-]+/y);
      if (part === null) return fail("expected a key");
      parts.push(part);
      skipSpace();
      if (text[pos] !== ".") return parts;
      pos++;
    }
  };

  const array = (): TomlValue[] => {
    pos++;
    const items: TomlValue[] = [];
    for (;;) {
      skipBlank();
      if (text[pos] === "]") break;
      items.push(value());
      skipBlank();
      if (text[pos] === ",") pos++;
      else if (text[pos] !== "]") fail('expected "," or "]"');
    }
    pos++;
    return items;
  };

  const inlineTable = (): TomlTable => {
    pos++;
    const table: TomlTable = {};
    skipSpace();
    if (text[pos] === "}") {
      pos++;
      return table;
    }
    for (;;) {
      const parts = key();
      expect("=");
      skipSpace();
      assign(table, parts, value());
      skipSpace();
      if (text[pos] === "}") {
        pos++;
        return table;
      }
      expect(",");
    }
  };

  const value = (): TomlValue => {
    const ch = text[pos];
    if (ch === '"' || ch === "'") return string();
    if (ch === "[") return array();
    if (ch === "{") return inlineTable();
    const word = match(/[A-Za-z0-9_.:+-]+/y);
    if (word === null) return fail("expected a value");
    if (word === "true" || word === "false") return word === "true";
    const plain = word.replace(/_/g, "");
    if (/^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|inf|nan)$/.test(plain)) {
      if (plain.endsWith("nan")) return Number.NaN;
      if (plain.endsWith("inf")) return plain.startsWith("-") ? -Infinity : Infinity;
      return plain.startsWith("0o") ? Number.parseInt(plain.slice(2), 8) : Number(plain);
    }
    // Dates and times stay text: detection never needs them as values.
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(word)) return word + (match(/ \d{2}:[0-9:.+Z-]+/y) ?? "");
    return fail(`unexpected "${word}"`);
  };

  const descend = (table: TomlTable, parts: string[]): TomlTable => {
    let current = table;
    for (const part of parts) {
      let next = tomlGet(current, part);
      if (next === undefined) {
        next = {};
        set(current, part, next);
      }
      if (Array.isArray(next)) next = next[next.length - 1];
      if (!isTable(next)) return fail(`"${part}" is not a table`);
      current = next;
    }
    return current;
  };

  const assign = (table: TomlTable, parts: string[], v: TomlValue) => {
    set(descend(table, parts.slice(0, -1)), parts[parts.length - 1]!, v);
  };

  let current = root;
  for (;;) {
    skipBlank();
    if (pos >= text.length) return root;
    if (text.startsWith("[[", pos)) {
      pos += 2;
      const parts = key();
      expect("]]");
      const parent = descend(root, parts.slice(0, -1));
      const last = parts[parts.length - 1]!;
      const existing = tomlGet(parent, last);
      const list = Array.isArray(existing) ? existing : [];
      if (existing !== undefined && !Array.isArray(existing)) fail(`"${last}" is not an array of tables`);
      if (existing === undefined) set(parent, last, list);
      current = {};
      list.push(current);
    } else if (text[pos] === "[") {
      pos++;
      const parts = key();
      expect("]");
      current = descend(root, parts);
    } else {
      const parts = key();
      expect("=");
      skipSpace();
      assign(current, parts, value());
    }
    endOfLine();
  }
}

/** Defines rather than assigns, so a key named `__proto__` is stored as data. */
function set(table: TomlTable, key: string, value: TomlValue): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

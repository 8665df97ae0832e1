/**
 * HTTP/1.x message heads (RFC 9112), parsed strictly enough for a proxy to be safe with: a
 * request whose length two parsers could read differently — Content-Length beside
 * Transfer-Encoding, differing lengths, bare LF, folded or malformed fields — is refused
 * instead of forwarded, since that disagreement is what request smuggling lives on.
 */

/** The blank line that ends every head. */
export const HEAD_END = Buffer.from("\r\n\r\n");

/** How the body after a head is delimited. */
export type Framing =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  /** A response without length: its body runs until the upstream closes the connection. */
  | { kind: "close" };

interface HeadFields {
  /** Field names as sent and their values, flattened: name, value, name, value… */
  readonly fields: string[];
  /** Lower-cased tokens of the Connection field(s). */
  readonly connection: readonly string[];
  /** Whether the sender wants the connection kept after this message. */
  readonly keepAlive: boolean;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minorVersion: 0 | 1;
}

export interface RequestHead extends HeadFields {
  readonly method: string;
  readonly target: string;
  readonly framing: Framing;
  readonly hasHost: boolean;
}

export interface ResponseHead extends HeadFields {
  readonly status: number;
  /** The status line after the code, kept as the upstream wrote it. */
  readonly reason: string;
  /** Whether the head carries Transfer-Encoding ending in chunked. */
  readonly chunked: boolean;
  /** Whether it carries Transfer-Encoding at all. */
  readonly hasTransferEncoding: boolean;
  readonly contentLength: number | undefined;
}

/** Why a head was refused, and the status a server answers it with. */
export type HeadError = { readonly status: 400 | 501 | 505; readonly error: string };

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

function isToken(text: string, from = 0, to = text.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Field values: visible characters, obs-text, space and tab; never CR, LF, NUL or other controls. */
function isFieldValue(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

function isRequestTarget(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function fail(status: HeadError["status"], error: string): HeadError {
  return { status, error };
}

interface RawFields {
  fields: string[];
  connection: string[];
  contentLength: number | undefined;
  transferEncoding: string[];
  /** A Transfer-Encoding field was present, even an empty one. */
  hasTransferEncoding: boolean;
  hostLines: number;
}

/**
 * The field lines of a head (`text` from after the start line up to, not including, the
 * blank line). Lengths are checked here because every message needs them.
 */
function parseFields(text: string, from: number): RawFields | string {
  const fields: string[] = [];
  const connection: string[] = [];
  const transferEncoding: string[] = [];
  let contentLength: number | undefined;
  let hostLines = 0;
  let hasTransferEncoding = false;
  let at = from;
  while (at < text.length) {
    let end = text.indexOf("\r\n", at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", at);
    if (colon < 0 || colon > end) return "a header line has no colon";
    if (!isToken(text, at, colon)) {
      // A leading space or tab is obs-fold, which RFC 9112 lets a server reject; a space
      // before the colon is forbidden outright.
      return "a header name is not a valid token (folded lines and spaces before ':' are refused)";
    }
    const name = text.slice(at, colon);
    const value = trimWhitespace(text, colon + 1, end);
    if (!isFieldValue(value)) return `the value of ${name} contains a control character`;
    fields.push(name, value);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") hostLines++;
        break;
      case 10:
        if (name.toLowerCase() === "connection") {
          for (const token of value.split(",")) {
            const t = token.trim().toLowerCase();
            if (t) connection.push(t);
          }
        }
        break;
      case 14:
        if (name.toLowerCase() === "content-length") {
          const length = parseContentLength(value);
          if (length === undefined) return `Content-Length is not a number: ${JSON.stringify(value)}`;
          if (contentLength !== undefined && contentLength !== length)
            return "two different Content-Length values";
          contentLength = length;
        }
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") {
          hasTransferEncoding = true;
          for (const coding of value.split(",")) {
            const c = coding.trim().toLowerCase();
            if (c) transferEncoding.push(c);
          }
        }
        break;
    }
    at = end + 2;
  }
  return { fields, connection, contentLength, transferEncoding, hasTransferEncoding, hostLines };
}

/** A field value without its surrounding OWS: spaces and tabs only (String#trim takes more). */
function trimWhitespace(text: string, from: number, to: number): string {
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to);
}

/** `42`, or a list of equal values such as `42, 42` (RFC 9110 §8.6); undefined if invalid. */
function parseContentLength(value: string): number | undefined {
  let result: number | undefined;
  for (const part of value.split(",")) {
    const digits = part.trim();
    if (!/^\d{1,15}$/.test(digits)) return undefined;
    const n = Number(digits);
    if (result !== undefined && result !== n) return undefined;
    result = n;
  }
  return result;
}

function parseVersion(text: string): 0 | 1 | "bad" | "unsupported" {
  if (text === "HTTP/1.1") return 1;
  if (text === "HTTP/1.0") return 0;
  return /^HTTP\/\d\.\d$/.test(text) ? "unsupported" : "bad";
}

function wantsKeepAlive(minorVersion: 0 | 1, connection: readonly string[]): boolean {
  if (connection.includes("close")) return false;
  return minorVersion === 1 || connection.includes("keep-alive");
}

/** Bare CR or LF is a line ending to some parsers and not to others: refused. */
function hasBareLineBreak(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) !== 10) return true;
      i++;
    } else if (c === 10) return true;
  }
  return false;
}

/** `text`: the head without its final blank line (latin1, as received). */
export function parseRequestHead(text: string): RequestHead | HeadError {
  if (hasBareLineBreak(text)) return fail(400, "a line ends in a bare CR or LF");
  let lineEnd = text.indexOf("\r\n");
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(0, lineEnd);
  const firstSpace = line.indexOf(" ");
  const lastSpace = line.lastIndexOf(" ");
  if (firstSpace <= 0 || lastSpace === firstSpace)
    return fail(400, "the request line is not METHOD TARGET VERSION");
  const method = line.slice(0, firstSpace);
  const target = line.slice(firstSpace + 1, lastSpace);
  if (!isToken(method)) return fail(400, "the method is not a valid token");
  if (!isRequestTarget(target)) return fail(400, "the request target is empty or has spaces or controls");
  const version = parseVersion(line.slice(lastSpace + 1));
  if (version === "bad") return fail(400, "the request line does not end in an HTTP version");
  if (version === "unsupported") return fail(505, "only HTTP/1.0 and HTTP/1.1 are served");

  const parsed = parseFields(text, lineEnd + 2);
  if (typeof parsed === "string") return fail(400, parsed);
  if (version === 1 && parsed.hostLines === 0) return fail(400, "an HTTP/1.1 request must carry Host");
  // RFC 9112 §3.2: two Host lines make the target ambiguous.
  if (parsed.hostLines > 1) return fail(400, "more than one Host field");
  let framing: Framing = { kind: "none" };
  if (parsed.hasTransferEncoding) {
    if (parsed.contentLength !== undefined) return fail(400, "both Content-Length and Transfer-Encoding");
    if (version === 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (parsed.transferEncoding.at(-1) !== "chunked") {
      return fail(501, "a request body's Transfer-Encoding must end in chunked");
    }
    framing = { kind: "chunked" };
  } else if (parsed.contentLength !== undefined && parsed.contentLength > 0) {
    framing = { kind: "length", length: parsed.contentLength };
  }
  return {
    method,
    target,
    minorVersion: version,
    fields: parsed.fields,
    connection: parsed.connection,
    keepAlive: wantsKeepAlive(version, parsed.connection),
    framing,
    hasHost: parsed.hostLines === 1,
  };
}

/** `text`: the head without its final blank line (latin1, as received). */
export function parseResponseHead(text: string): ResponseHead | HeadError {
  if (hasBareLineBreak(text)) return fail(400, "a line ends in a bare CR or LF");
  let lineEnd = text.indexOf("\r\n");
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(0, lineEnd);
  const version = parseVersion(line.slice(0, 8));
  if (typeof version !== "number" || line.charCodeAt(8) !== 32)
    return fail(400, "the status line has no HTTP/1.x version");
  const code = line.slice(9, 12);
  if (!/^[1-5]\d\d$/.test(code) || (line.length > 12 && line.charCodeAt(12) !== 32)) {
    return fail(400, "the status code is not three digits from 100 to 599");
  }
  const parsed = parseFields(text, lineEnd + 2);
  if (typeof parsed === "string") return fail(400, parsed);
  return {
    status: Number(code),
    reason: line.slice(13),
    minorVersion: version,
    fields: parsed.fields,
    connection: parsed.connection,
    keepAlive: wantsKeepAlive(version, parsed.connection),
    chunked: parsed.transferEncoding.at(-1) === "chunked",
    hasTransferEncoding: parsed.hasTransferEncoding,
    contentLength: parsed.contentLength,
  };
}

export function isHeadError(value: object): value is HeadError {
  return "error" in value;
}

/**
 * How a response's body is delimited (RFC 9112 §6.3): none after HEAD, 1xx, 204 and 304;
 * chunked when Transfer-Encoding ends in chunked; a Transfer-Encoding without it, or no
 * length at all, runs to the close.
 */
export function responseFraming(head: ResponseHead, requestMethod: string): Framing {
  const status = head.status;
  if (requestMethod === "HEAD" || status < 200 || status === 204 || status === 304) return { kind: "none" };
  if (head.chunked) return { kind: "chunked" };
  if (head.hasTransferEncoding) return { kind: "close" };
  if (head.contentLength !== undefined) {
    return head.contentLength === 0 ? { kind: "none" } : { kind: "length", length: head.contentLength };
  }
  return { kind: "close" };
}

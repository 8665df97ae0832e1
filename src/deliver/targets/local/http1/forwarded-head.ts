import type { Framing, RequestHead, ResponseHead } from "./message-head.js";

/**
 * Heads as the router passes them on: hop-by-hop fields (RFC 9110 §7.6.1) and the fields a
 * Connection header names are dropped, the rest is kept byte for byte in the order received.
 * Bodies are forwarded with their framing untouched, so Transfer-Encoding is kept whenever
 * the body stays chunked.
 */

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "upgrade",
]);

/**
 * Fields a Connection header may not take away: naming Content-Length or Transfer-Encoding
 * there would have the router forward a body the instance does not expect (the rest would
 * be read as the next request on a kept connection), and naming Host would strip it.
 */
const NEVER_DROPPED = new Set(["content-length", "transfer-encoding", "host"]);

function dropped(lowerName: string, connection: readonly string[]): boolean {
  if (HOP_BY_HOP.has(lowerName)) return true;
  return connection.length > 0 && connection.includes(lowerName) && !NEVER_DROPPED.has(lowerName);
}

/** The value of a head's first `name` field (lower-case name), if it has one. */
function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i]!.toLowerCase() === name) return fields[i + 1];
  return undefined;
}

/**
 * The protocol a request asks to switch to (a WebSocket handshake asks for `websocket`), when
 * the router can pass the switch on: HTTP/1.1 (an Upgrade from 1.0 is ignored, RFC 9110
 * §7.8), `upgrade` named in Connection, and no body, so the new protocol's first bytes cannot
 * be mistaken for one.
 */
export function requestedUpgrade(head: RequestHead): string | undefined {
  if (head.minorVersion !== 1 || !head.connection.includes("upgrade") || head.framing.kind !== "none")
    return undefined;
  const value = fieldValue(head.fields, "upgrade");
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The request line and fields sent to an instance: always HTTP/1.1 on a kept connection,
 * X-Forwarded-For extended with the client's address, X-Forwarded-Proto set (the router
 * serves plain HTTP), Host added for an HTTP/1.0 client that sent none. With `upgrade`, the
 * protocol switch the client asked for is asked of the instance (Connection and Upgrade are
 * hop-by-hop, so the router sends its own).
 */
export function upstreamRequestHead(
  head: RequestHead,
  clientAddress: string,
  routerHost: string,
  upgrade?: string,
): string {
  let out = `${head.method} ${head.target} HTTP/1.1\r\n`;
  let forwardedFor: string | undefined;
  const fields = head.fields;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const lower = name.toLowerCase();
    if (dropped(lower, head.connection) || lower === "x-forwarded-proto") continue;
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor === undefined ? fields[i + 1]! : `${forwardedFor}, ${fields[i + 1]!}`;
      continue;
    }
    out += `${name}: ${fields[i + 1]!}\r\n`;
  }
  if (!head.hasHost) out += `host: ${routerHost}\r\n`;
  out += `x-forwarded-for: ${forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`}\r\n`;
  if (upgrade !== undefined) out += `connection: upgrade\r\nupgrade: ${upgrade}\r\n`;
  return `${out}x-forwarded-proto: http\r\n\r\n`;
}

export interface ClientResponseOptions {
  /** The body's framing from the upstream. */
  framing: Framing;
  /** The body is chunked but the client speaks HTTP/1.0: sent de-chunked, ended by the close. */
  dechunk: boolean;
  /** The router closes the client connection after this answer. */
  close: boolean;
  /** The client is HTTP/1.0 and asked to keep the connection. */
  confirmKeepAlive: boolean;
  /**
   * The release that answered, named to the client only when the environment asks for it:
   * a client that can tell the canary's answers apart can single it out.
   */
  release?: string;
}

/** The status line and fields sent to the client (naming the release that answered, if asked). */
export function clientResponseHead(head: ResponseHead, options: ClientResponseOptions): string {
  let out = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
  const chunked = options.framing.kind === "chunked";
  const fields = head.fields;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const lower = name.toLowerCase();
    // The release header is the router's to set: an instance's own would be a second one.
    if (dropped(lower, head.connection) || lower === "x-shipgate-release") continue;
    // A chunked body's length is its framing; a Content-Length beside it is dropped (RFC 9112 §6.3).
    if (chunked && (lower === "content-length" || (options.dechunk && lower === "transfer-encoding")))
      continue;
    out += `${name}: ${fields[i + 1]!}\r\n`;
  }
  if (options.release !== undefined) out += `x-shipgate-release: ${options.release}\r\n`;
  if (options.close) out += "connection: close\r\n";
  else if (options.confirmKeepAlive) out += "connection: keep-alive\r\n";
  return `${out}\r\n`;
}

/**
 * The instance's `101 Switching Protocols`, passed on with the Upgrade it agreed to (the one
 * asked for, if it named none) and the release that answered.
 */
export function switchingProtocolsHead(
  head: ResponseHead,
  requested: string,
  release: string | undefined,
): string {
  const upgrade = fieldValue(head.fields, "upgrade") ?? requested;
  const named = release === undefined ? "" : `x-shipgate-release: ${release}\r\n`;
  return `HTTP/1.1 101 ${head.reason}\r\n${endToEndFields(head, "x-shipgate-release")}connection: upgrade\r\nupgrade: ${upgrade}\r\n${named}\r\n`;
}

/** An informational answer (100 Continue, 103 Early Hints) passed on to an HTTP/1.1 client. */
export function interimResponseHead(head: ResponseHead): string {
  return `HTTP/1.1 ${head.status} ${head.reason}\r\n${endToEndFields(head)}\r\n`;
}

/** A head's field lines without its hop-by-hop fields (and without `alsoDropped`, lower-case). */
function endToEndFields(head: ResponseHead, alsoDropped?: string): string {
  let out = "";
  const fields = head.fields;
  for (let i = 0; i < fields.length; i += 2) {
    const lower = fields[i]!.toLowerCase();
    if (!dropped(lower, head.connection) && lower !== alsoDropped)
      out += `${fields[i]!}: ${fields[i + 1]!}\r\n`;
  }
  return out;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** A JSON answer of the router's own, for what no instance answered. */
export function localAnswer(status: number, code: string, error: string, close: boolean): string {
  // ASCII only (the message may quote what the client sent): the answer is written as
  // latin1, and its length must count what is written.
  const body = `${JSON.stringify({ error, code }).replace(/[^\x20-\x7e]/g, escapeChar)}\n`;
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    `content-type: application/json\r\ncontent-length: ${body.length}\r\n` +
    `${close ? "connection: close\r\n" : ""}\r\n${body}`
  );
}

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

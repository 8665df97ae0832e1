import { describe, expect, it } from "vitest";
import {
  type HeadError,
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
  responseFraming,
} from "../../../../../src/deliver/targets/local/http1/message-head.js";

/** A head as the connection hands it over: lines joined by CRLF, without the final blank line. */
function head(...lines: string[]): string {
  return lines.join("\r\n");
}

function request(text: string): RequestHead {
  const parsed = parseRequestHead(text);
  if (isHeadError(parsed)) throw new Error(`expected the request to be accepted, got: ${parsed.error}`);
  return parsed;
}

function refused(text: string): HeadError {
  const parsed = parseRequestHead(text);
  if (!isHeadError(parsed)) throw new Error(`expected the request to be refused: ${JSON.stringify(text)}`);
  expect(typeof parsed.error).toBe("string");
  expect(parsed.error.length).toBeGreaterThan(0);
  return parsed;
}

function response(text: string): ResponseHead {
  const parsed = parseResponseHead(text);
  if (isHeadError(parsed)) throw new Error(`expected the response to be accepted, got: ${parsed.error}`);
  return parsed;
}

function responseRefused(text: string): HeadError {
  const parsed = parseResponseHead(text);
  if (!isHeadError(parsed)) throw new Error(`expected the response to be refused: ${JSON.stringify(text)}`);
  return parsed;
}

describe("parseRequestHead: valid heads", () => {
  it("parses a GET with its fields in order, names in their original case", () => {
    const parsed = request(
      head("GET /path?q=1 HTTP/1.1", "Host: example.test", "User-Agent: curl/8.0", "ACCEPT: */*"),
    );
    expect(parsed.method).toBe("GET");
    expect(parsed.target).toBe("/path?q=1");
    expect(parsed.minorVersion).toBe(1);
    expect(parsed.fields).toEqual(["Host", "example.test", "User-Agent", "curl/8.0", "ACCEPT", "*/*"]);
    expect(parsed.hasHost).toBe(true);
    expect(parsed.connection).toEqual([]);
    expect(parsed.keepAlive).toBe(true);
    expect(parsed.framing).toEqual({ kind: "none" });
  });

  it("parses a POST with a Content-Length body", () => {
    const parsed = request(
      head("POST /api/items HTTP/1.1", "host: a", "Content-Type: application/json", "Content-Length: 17"),
    );
    expect(parsed.method).toBe("POST");
    expect(parsed.target).toBe("/api/items");
    expect(parsed.framing).toEqual({ kind: "length", length: 17 });
    expect(parsed.fields).toEqual(["host", "a", "Content-Type", "application/json", "Content-Length", "17"]);
  });

  it("trims optional whitespace (spaces and tabs) around values, keeping inner whitespace", () => {
    const parsed = request(head("GET / HTTP/1.1", "Host:a", "X-A: \t padded \t ", "X-B:\tinner  space\t"));
    expect(parsed.fields).toEqual(["Host", "a", "X-A", "padded", "X-B", "inner  space"]);
  });

  it("keeps an empty value and repeated fields as separate entries", () => {
    const parsed = request(head("GET / HTTP/1.1", "Host: a", "X-Empty:", "X-Dup: 1", "x-dup: 2"));
    expect(parsed.fields).toEqual(["Host", "a", "X-Empty", "", "X-Dup", "1", "x-dup", "2"]);
  });

  it("keeps obs-text (bytes 0x80-0xff read as latin1) in values", () => {
    const parsed = request(head("GET / HTTP/1.1", "Host: a", "X-Name: caf\xe9 \xff"));
    expect(parsed.fields[3]).toBe("caf\xe9 \xff");
  });

  it("accepts any token as method, and origin, absolute, authority and asterisk targets", () => {
    expect(request(head("PURGE /x HTTP/1.1", "Host: a")).method).toBe("PURGE");
    expect(request(head("M-SEARCH * HTTP/1.1", "Host: a")).target).toBe("*");
    expect(request(head("GET http://a.test/x?y HTTP/1.1", "Host: a.test")).target).toBe("http://a.test/x?y");
    expect(request(head("CONNECT a.test:443 HTTP/1.1", "Host: a.test:443")).target).toBe("a.test:443");
  });

  it("parses a head that is only a request line (HTTP/1.0 without fields)", () => {
    const parsed = request("GET / HTTP/1.0");
    expect(parsed.minorVersion).toBe(0);
    expect(parsed.fields).toEqual([]);
    expect(parsed.hasHost).toBe(false);
    expect(parsed.keepAlive).toBe(false);
    expect(parsed.framing).toEqual({ kind: "none" });
  });

  it("recognises Host in any case", () => {
    expect(request(head("GET / HTTP/1.1", "hOsT: a")).hasHost).toBe(true);
    expect(request(head("GET / HTTP/1.0", "X-Host: a")).hasHost).toBe(false);
  });

  it("allows a missing Host on HTTP/1.0", () => {
    const parsed = request(head("GET / HTTP/1.0", "Accept: */*"));
    expect(parsed.hasHost).toBe(false);
    expect(parsed.minorVersion).toBe(0);
  });
});

describe("parseRequestHead: keep-alive", () => {
  const cases: [string, string[], boolean][] = [
    ["HTTP/1.1", [], true],
    ["HTTP/1.1", ["Connection: close"], false],
    ["HTTP/1.1", ["Connection: CLOSE"], false],
    ["HTTP/1.1", ["Connection: keep-alive"], true],
    ["HTTP/1.1", ["Connection: keep-alive, close"], false],
    ["HTTP/1.1", ["Connection: Upgrade, Close"], false],
    ["HTTP/1.1", ["Connection: keep-alive", "Connection: close"], false],
    ["HTTP/1.0", [], false],
    ["HTTP/1.0", ["Connection: keep-alive"], true],
    ["HTTP/1.0", ["Connection: Keep-Alive"], true],
    ["HTTP/1.0", ["Connection: x-foo, keep-alive"], true],
    ["HTTP/1.0", ["Connection: keep-alive, close"], false],
    ["HTTP/1.0", ["Connection: close"], false],
    ["HTTP/1.0", ["Connection: x-foo"], false],
  ];
  for (const [version, fields, keepAlive] of cases) {
    it(`${version} with ${fields.join(" / ") || "no Connection"} → keepAlive ${keepAlive}`, () => {
      expect(request(head(`GET / ${version}`, "Host: a", ...fields)).keepAlive).toBe(keepAlive);
    });
  }

  it("collects Connection tokens lower-cased and trimmed, across fields, skipping empty ones", () => {
    const parsed = request(
      head("GET / HTTP/1.1", "Host: a", "Connection: Keep-Alive , , X-Secret", "connection: TE"),
    );
    expect(parsed.connection).toEqual(["keep-alive", "x-secret", "te"]);
  });
});

describe("parseRequestHead: framing", () => {
  it("has no body without Content-Length or Transfer-Encoding", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a")).framing).toEqual({ kind: "none" });
  });

  it("has no body for Content-Length: 0", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a", "Content-Length: 0")).framing).toEqual({
      kind: "none",
    });
  });

  it("reads a length, with leading zeros, in any field-name case", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a", "content-length: 0042")).framing).toEqual({
      kind: "length",
      length: 42,
    });
  });

  it("accepts the largest 15-digit length", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a", "Content-Length: 999999999999999")).framing).toEqual({
      kind: "length",
      length: 999_999_999_999_999,
    });
  });

  it("accepts a list of equal lengths (42, 42) and two fields with the same length", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a", "Content-Length: 42, 42")).framing).toEqual({
      kind: "length",
      length: 42,
    });
    expect(
      request(head("POST / HTTP/1.1", "Host: a", "Content-Length: 42", "Content-Length: 42")).framing,
    ).toEqual({ kind: "length", length: 42 });
  });

  it("is chunked when Transfer-Encoding ends in chunked", () => {
    expect(request(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked")).framing).toEqual({
      kind: "chunked",
    });
    expect(request(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: Chunked")).framing).toEqual({
      kind: "chunked",
    });
    expect(request(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip, chunked")).framing).toEqual({
      kind: "chunked",
    });
    expect(
      request(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip", "transfer-encoding: chunked"))
        .framing,
    ).toEqual({ kind: "chunked" });
  });
});

describe("parseRequestHead: refusals", () => {
  it("refuses a bare LF anywhere", () => {
    expect(refused("GET / HTTP/1.1\nHost: a").status).toBe(400);
    expect(refused("GET / HTTP/1.1\r\nHost: a\nX: b").status).toBe(400);
    expect(refused("GET / HTTP/1.1\r\nHost: a\r\nX: b\n").status).toBe(400);
  });

  it("refuses a bare CR anywhere, including at the very end", () => {
    expect(refused("GET / HTTP/1.1\rHost: a").status).toBe(400);
    expect(refused("GET / HTTP/1.1\r\nHost: a\rX: b").status).toBe(400);
    expect(refused("GET / HTTP/1.1\r\nHost: a\r").status).toBe(400);
  });

  it("refuses obs-fold (a line starting with a space or tab)", () => {
    expect(refused(head("GET / HTTP/1.1", "Host: a", "X-Long: one", " two")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", "Host: a", "X-Long: one", "\ttwo: three")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", " Host: a")).status).toBe(400);
  });

  it("refuses whitespace between a field name and the colon", () => {
    expect(refused(head("GET / HTTP/1.1", "Host : a")).status).toBe(400);
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding\t: chunked")).status).toBe(400);
  });

  it("refuses a field line without a colon, an empty name and a non-token name", () => {
    expect(refused(head("GET / HTTP/1.1", "Host: a", "NoColonHere")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", "Host: a", ": value")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", "Host: a", "X(y): value")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", "Host: a", "X-\xe9: value")).status).toBe(400);
  });

  it("refuses an empty line inside the head", () => {
    expect(refused(head("GET / HTTP/1.1", "Host: a", "", "X: b")).status).toBe(400);
  });

  it("refuses a control character inside a value", () => {
    for (const c of ["\x00", "\x01", "\x08", "\x1b", "\x1f", "\x7f"]) {
      const error = refused(head("GET / HTTP/1.1", "Host: a", `X-Value: a${c}b`));
      expect(error.status).toBe(400);
      expect(error.error).toContain("X-Value");
    }
  });

  it("refuses a method that is not a token", () => {
    expect(refused(head("G(ET / HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("G\xe9T / HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("GE\x00T / HTTP/1.1", "Host: a")).status).toBe(400);
  });

  it("refuses a request line that is not three parts", () => {
    expect(refused(head("GET", "Host: a")).status).toBe(400);
    expect(refused(head("GET /", "Host: a")).status).toBe(400);
    expect(refused(head(" GET / HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused("").status).toBe(400);
  });

  it("refuses an empty target", () => {
    expect(refused(head("GET  HTTP/1.1", "Host: a")).status).toBe(400);
  });

  it("refuses a target with a space or a control character", () => {
    expect(refused(head("GET /a b HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("GET  / HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("GET /a\tb HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("GET /a\x7fb HTTP/1.1", "Host: a")).status).toBe(400);
    expect(refused(head("GET /caf\xe9 HTTP/1.1", "Host: a")).status).toBe(400);
  });

  it("answers other HTTP versions with 505", () => {
    expect(refused(head("GET / HTTP/2.0", "Host: a")).status).toBe(505);
    expect(refused(head("GET / HTTP/3.0", "Host: a")).status).toBe(505);
    expect(refused(head("GET / HTTP/0.9", "Host: a")).status).toBe(505);
    expect(refused(head("GET / HTTP/1.2", "Host: a")).status).toBe(505);
  });

  it("answers a garbage version with 400", () => {
    for (const version of ["HTTP/1.1x", "http/1.1", "HTTP/11", "HTTP/1", "HTTX/1.1", "HTTP/1.1 ", "1.1"]) {
      expect(refused(head(`GET / ${version}`, "Host: a")).status).toBe(400);
    }
  });

  it("refuses an HTTP/1.1 request without Host", () => {
    const error = refused(head("GET / HTTP/1.1", "Accept: */*"));
    expect(error.status).toBe(400);
    expect(error.error).toContain("Host");
    expect(refused("GET / HTTP/1.1").status).toBe(400);
  });

  it("refuses Content-Length beside Transfer-Encoding, in either order", () => {
    expect(
      refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Transfer-Encoding: chunked")).status,
    ).toBe(400);
    expect(
      refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Content-Length: 0")).status,
    ).toBe(400);
  });

  it("refuses two different Content-Length values, in two fields or one list", () => {
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 6")).status).toBe(
      400,
    );
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 42, 43")).status).toBe(400);
    expect(
      refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 0", "Content-Length: 00, 1")).status,
    ).toBe(400);
  });

  it("refuses a Content-Length that is not a plain decimal number", () => {
    for (const value of ["", "abc", "-1", "+5", "5.0", "0x10", "1e3", "5 5", "42,", ",42", "4 2", "\xb9"]) {
      const error = refused(head("POST / HTTP/1.1", "Host: a", `Content-Length: ${value}`));
      expect(error.status, value).toBe(400);
      expect(error.error).toContain("Content-Length");
    }
  });

  it("refuses a Content-Length of more than 15 digits", () => {
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 1000000000000000")).status).toBe(400);
    expect(refused(head("POST / HTTP/1.1", "Host: a", `Content-Length: ${"9".repeat(40)}`)).status).toBe(400);
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Content-Length: 0000000000000001")).status).toBe(400);
  });

  it("answers a Transfer-Encoding that does not end in chunked with 501", () => {
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip")).status).toBe(501);
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked, gzip")).status).toBe(501);
    expect(
      refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: identity"))
        .status,
    ).toBe(501);
  });

  it("refuses Transfer-Encoding in an HTTP/1.0 request", () => {
    const error = refused(head("POST / HTTP/1.0", "Transfer-Encoding: chunked"));
    expect(error.status).toBe(400);
    expect(error.error).toContain("HTTP/1.0");
  });
});

describe("isHeadError", () => {
  it("tells refusals from heads", () => {
    expect(isHeadError({ status: 400, error: "x" })).toBe(true);
    expect(isHeadError(request(head("GET / HTTP/1.1", "Host: a")))).toBe(false);
    expect(isHeadError(response("HTTP/1.1 200 OK"))).toBe(false);
    expect(isHeadError(parseRequestHead("nonsense"))).toBe(true);
  });
});

describe("parseResponseHead", () => {
  it("parses the status line and fields", () => {
    const parsed = response(head("HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 12"));
    expect(parsed.status).toBe(200);
    expect(parsed.reason).toBe("OK");
    expect(parsed.minorVersion).toBe(1);
    expect(parsed.fields).toEqual(["Content-Type", "text/plain", "Content-Length", "12"]);
    expect(parsed.contentLength).toBe(12);
    expect(parsed.chunked).toBe(false);
    expect(parsed.keepAlive).toBe(true);
  });

  it("keeps a reason with spaces as written", () => {
    expect(response("HTTP/1.1 404 Not  Found here").reason).toBe("Not  Found here");
  });

  it("accepts an empty reason, with or without the space after the code", () => {
    const bare = response(head("HTTP/1.1 204", "X: y"));
    expect(bare.status).toBe(204);
    expect(bare.reason).toBe("");
    expect(bare.fields).toEqual(["X", "y"]);
    expect(response("HTTP/1.1 204 ").reason).toBe("");
  });

  it("parses HTTP/1.0 responses and their keep-alive", () => {
    const plain = response("HTTP/1.0 200 OK");
    expect(plain.minorVersion).toBe(0);
    expect(plain.keepAlive).toBe(false);
    expect(response(head("HTTP/1.0 200 OK", "Connection: keep-alive")).keepAlive).toBe(true);
    expect(response(head("HTTP/1.1 200 OK", "Connection: close")).keepAlive).toBe(false);
    expect(response(head("HTTP/1.1 200 OK", "Connection: close, X-A")).connection).toEqual(["close", "x-a"]);
  });

  it("parses 1xx answers", () => {
    expect(response("HTTP/1.1 100 Continue").status).toBe(100);
    const hints = response(head("HTTP/1.1 103 Early Hints", "Link: </style.css>; rel=preload"));
    expect(hints.status).toBe(103);
    expect(hints.reason).toBe("Early Hints");
    expect(hints.fields).toEqual(["Link", "</style.css>; rel=preload"]);
  });

  it("accepts the whole 100-599 range", () => {
    expect(response("HTTP/1.1 100 A").status).toBe(100);
    expect(response("HTTP/1.1 599 Z").status).toBe(599);
  });

  it("refuses a status code that is not three digits from 100 to 599", () => {
    for (const line of [
      "HTTP/1.1 20 OK",
      "HTTP/1.1 2000 OK",
      "HTTP/1.1 200OK",
      "HTTP/1.1 099 Low",
      "HTTP/1.1 600 High",
      "HTTP/1.1 abc OK",
      "HTTP/1.1 2x0 OK",
      "HTTP/1.1  200 OK",
      "HTTP/1.1 ",
      "HTTP/1.1",
    ]) {
      expect(responseRefused(line).status, line).toBe(400);
    }
  });

  it("refuses a status line without an HTTP/1.x version", () => {
    for (const line of [
      "HTTP/2.0 200 OK",
      "HTTP/1.2 200 OK",
      "http/1.1 200 OK",
      "HTTP/1.1200 OK",
      "ICY 200 OK",
      "",
    ]) {
      expect(responseRefused(line).status, line).toBe(400);
    }
  });

  it("reports Transfer-Encoding ending in chunked and Content-Length", () => {
    const parsed = response(head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked"));
    expect(parsed.chunked).toBe(true);
    expect(parsed.contentLength).toBeUndefined();
    expect(response(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, gzip")).chunked).toBe(false);
    expect(response(head("HTTP/1.1 200 OK", "Content-Length: 42, 42")).contentLength).toBe(42);
  });

  it("accepts Content-Length beside chunked in a response (chunked wins when framing)", () => {
    const parsed = response(head("HTTP/1.1 200 OK", "Content-Length: 10", "Transfer-Encoding: chunked"));
    expect(parsed.chunked).toBe(true);
    expect(parsed.contentLength).toBe(10);
    expect(responseFraming(parsed, "GET")).toEqual({ kind: "chunked" });
  });

  it("refuses broken fields as requests do", () => {
    expect(responseRefused("HTTP/1.1 200 OK\nX: y").status).toBe(400);
    expect(responseRefused("HTTP/1.1 200 OK\r\nX: y\rZ: w").status).toBe(400);
    expect(responseRefused(head("HTTP/1.1 200 OK", "X: y", " folded")).status).toBe(400);
    expect(responseRefused(head("HTTP/1.1 200 OK", "X : y")).status).toBe(400);
    expect(responseRefused(head("HTTP/1.1 200 OK", "X: a\x00b")).status).toBe(400);
    expect(responseRefused(head("HTTP/1.1 200 OK", "Content-Length: 1", "Content-Length: 2")).status).toBe(
      400,
    );
    expect(responseRefused(head("HTTP/1.1 200 OK", "Content-Length: -1")).status).toBe(400);
  });
});

describe("responseFraming", () => {
  const framing = (text: string, method = "GET") => responseFraming(response(text), method);

  it("has no body after HEAD, whatever the fields say", () => {
    expect(framing(head("HTTP/1.1 200 OK", "Content-Length: 100"), "HEAD")).toEqual({ kind: "none" });
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), "HEAD")).toEqual({ kind: "none" });
    expect(framing("HTTP/1.1 200 OK", "HEAD")).toEqual({ kind: "none" });
  });

  it("has no body for 1xx, 204 and 304", () => {
    expect(framing("HTTP/1.1 100 Continue")).toEqual({ kind: "none" });
    expect(framing(head("HTTP/1.1 103 Early Hints", "Link: </a>"))).toEqual({ kind: "none" });
    expect(framing(head("HTTP/1.1 204 No Content", "Content-Length: 5"))).toEqual({ kind: "none" });
    expect(framing(head("HTTP/1.1 304 Not Modified", "Content-Length: 5"))).toEqual({ kind: "none" });
    expect(framing(head("HTTP/1.1 304 Not Modified", "Transfer-Encoding: chunked"))).toEqual({
      kind: "none",
    });
  });

  it("is chunked when Transfer-Encoding ends in chunked", () => {
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"))).toEqual({ kind: "chunked" });
    expect(framing(head("HTTP/1.1 500 Oops", "transfer-encoding: gzip, CHUNKED"))).toEqual({
      kind: "chunked",
    });
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), "POST")).toEqual({
      kind: "chunked",
    });
  });

  it("runs to the close for a Transfer-Encoding without chunked, even beside Content-Length", () => {
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip"))).toEqual({ kind: "close" });
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, gzip"))).toEqual({ kind: "close" });
    expect(framing(head("HTTP/1.1 200 OK", "Transfer-Encoding: gzip", "Content-Length: 5"))).toEqual({
      kind: "close",
    });
  });

  it("has no body for Content-Length: 0", () => {
    expect(framing(head("HTTP/1.1 200 OK", "Content-Length: 0"))).toEqual({ kind: "none" });
  });

  it("has a length body for Content-Length: n", () => {
    expect(framing(head("HTTP/1.1 200 OK", "Content-Length: 1234"))).toEqual({
      kind: "length",
      length: 1234,
    });
    expect(framing(head("HTTP/1.0 404 Not Found", "content-length: 9"))).toEqual({
      kind: "length",
      length: 9,
    });
  });

  it("runs to the close without any length", () => {
    expect(framing("HTTP/1.1 200 OK")).toEqual({ kind: "close" });
    expect(framing(head("HTTP/1.0 200 OK", "Content-Type: text/html"))).toEqual({ kind: "close" });
  });
});

describe("parseRequestHead: edges of OWS and Host", () => {
  // OWS is spaces and tabs only: String#trim would also take vertical tab, form feed and
  // no-break space, silently cleaning a value that should be refused.
  it("refuses a vertical tab or form feed at the edge of a value", () => {
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked\x0b")).status).toBe(400);
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Content-Length:\x0c5")).status).toBe(400);
    expect(refused(head("GET / HTTP/1.1", "Host: a", "X-Value: a\x0b")).status).toBe(400);
  });

  it("keeps a no-break space (obs-text) at the end of a value", () => {
    const parsed = parseRequestHead(head("GET / HTTP/1.1", "Host: a", "X-Value: a\xa0"));
    if (isHeadError(parsed)) throw new Error(parsed.error);
    expect(parsed.fields).toContain("a\xa0");
  });

  // RFC 9112 §3.2: more than one Host field line is a 400.
  it("refuses a request with two Host fields", () => {
    expect(refused(head("GET / HTTP/1.1", "Host: a.test", "Host: b.test")).status).toBe(400);
  });

  it("takes an empty Transfer-Encoding for one: refused beside Content-Length, and without chunked", () => {
    expect(
      refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding:", "Content-Length: 3")).status,
    ).toBe(400);
    expect(refused(head("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: ")).status).toBe(501);
  });
});

import { describe, expect, it } from "vitest";
import {
  type ClientResponseOptions,
  clientResponseHead,
  interimResponseHead,
  localAnswer,
  requestedUpgrade,
  switchingProtocolsHead,
  upstreamRequestHead,
} from "../../../../../src/deliver/targets/local/http1/forwarded-head.js";
import {
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
  responseFraming,
} from "../../../../../src/deliver/targets/local/http1/message-head.js";

const CLIENT = "203.0.113.7";
const ROUTER = "127.0.0.1:4100";

function head(...lines: string[]): string {
  return lines.join("\r\n");
}

function request(...lines: string[]): RequestHead {
  const parsed = parseRequestHead(head(...lines));
  if (isHeadError(parsed)) throw new Error(parsed.error);
  return parsed;
}

function response(...lines: string[]): ResponseHead {
  const parsed = parseResponseHead(head(...lines));
  if (isHeadError(parsed)) throw new Error(parsed.error);
  return parsed;
}

/** The lines of a serialized head, checked to end in exactly one blank line. */
function lines(serialized: string): string[] {
  expect(serialized.endsWith("\r\n\r\n")).toBe(true);
  const body = serialized.slice(0, -4);
  expect(body).not.toContain("\r\n\r\n");
  return body.split("\r\n");
}

/** A serialized head parsed back as a request (without its blank line). */
function reparsedRequest(serialized: string): RequestHead {
  const parsed = parseRequestHead(serialized.slice(0, -4));
  if (isHeadError(parsed)) throw new Error(parsed.error);
  return parsed;
}

function reparsedResponse(serialized: string): ResponseHead {
  const parsed = parseResponseHead(serialized.slice(0, -4));
  if (isHeadError(parsed)) throw new Error(parsed.error);
  return parsed;
}

function upstream(head: RequestHead): string[] {
  return lines(upstreamRequestHead(head, CLIENT, ROUTER));
}

describe("upstreamRequestHead", () => {
  it("keeps end-to-end fields byte for byte, in order, and adds the forwarding fields", () => {
    const out = upstream(
      request("GET /a?b=c HTTP/1.1", "Host: app.test", "User-Agent: test/1", "accept: */*", "X-Empty:"),
    );
    expect(out).toEqual([
      "GET /a?b=c HTTP/1.1",
      "Host: app.test",
      "User-Agent: test/1",
      "accept: */*",
      "X-Empty: ",
      `x-forwarded-for: ${CLIENT}`,
      "x-forwarded-proto: http",
    ]);
  });

  it("always sends HTTP/1.1, keeping method and target", () => {
    const out = upstream(request("OPTIONS * HTTP/1.0", "Host: app.test"));
    expect(out[0]).toBe("OPTIONS * HTTP/1.1");
    expect(
      reparsedRequest(upstreamRequestHead(request("GET /x HTTP/1.0"), CLIENT, ROUTER)).minorVersion,
    ).toBe(1);
  });

  it("drops every hop-by-hop field, whatever its case", () => {
    const out = upstream(
      request(
        "GET / HTTP/1.1",
        "Host: app.test",
        "Connection: keep-alive",
        "Keep-Alive: timeout=5",
        "Proxy-Connection: keep-alive",
        "Proxy-Authenticate: Basic",
        "PROXY-AUTHORIZATION: Basic Zm9vOmJhcg==",
        "TE: trailers",
        "Trailer: X-Checksum",
        "upgrade: websocket",
        "X-Kept: yes",
      ),
    );
    expect(out).toEqual([
      "GET / HTTP/1.1",
      "Host: app.test",
      "X-Kept: yes",
      `x-forwarded-for: ${CLIENT}`,
      "x-forwarded-proto: http",
    ]);
  });

  it("drops the fields the Connection header names", () => {
    const out = upstream(
      request(
        "GET / HTTP/1.1",
        "Host: app.test",
        "Connection: X-Secret, close",
        "x-secret: 1",
        "X-Secret: 2",
        "connection: x-other",
        "X-Other: 3",
        "X-Public: 4",
      ),
    );
    expect(out).toEqual([
      "GET / HTTP/1.1",
      "Host: app.test",
      "X-Public: 4",
      `x-forwarded-for: ${CLIENT}`,
      "x-forwarded-proto: http",
    ]);
  });

  it("appends the client's address to an existing X-Forwarded-For", () => {
    const out = upstream(request("GET / HTTP/1.1", "Host: a", "X-Forwarded-For: 198.51.100.1"));
    expect(out.filter((line) => /^x-forwarded-for:/i.test(line))).toEqual([
      `x-forwarded-for: 198.51.100.1, ${CLIENT}`,
    ]);
  });

  it("combines several X-Forwarded-For fields into one, in order, then the client", () => {
    const out = upstream(
      request(
        "GET / HTTP/1.1",
        "X-Forwarded-For: 10.0.0.1",
        "Host: a",
        "x-forwarded-for: 10.0.0.2, 10.0.0.3",
        "X-FORWARDED-FOR: 10.0.0.4",
      ),
    );
    expect(out).toEqual([
      "GET / HTTP/1.1",
      "Host: a",
      `x-forwarded-for: 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, ${CLIENT}`,
      "x-forwarded-proto: http",
    ]);
  });

  it("replaces any X-Forwarded-Proto with http", () => {
    const out = upstream(
      request("GET / HTTP/1.1", "Host: a", "X-Forwarded-Proto: https", "x-forwarded-proto: wss"),
    );
    expect(out.filter((line) => /^x-forwarded-proto:/i.test(line))).toEqual(["x-forwarded-proto: http"]);
  });

  it("adds Host only when the request has none", () => {
    const without = upstream(request("GET / HTTP/1.0", "Accept: */*"));
    expect(without.filter((line) => /^host:/i.test(line))).toEqual([`host: ${ROUTER}`]);
    const withHost = upstream(request("GET / HTTP/1.0", "HOST: app.test"));
    expect(withHost.filter((line) => /^host:/i.test(line))).toEqual(["HOST: app.test"]);
    const eleven = upstream(request("GET / HTTP/1.1", "Host: app.test"));
    expect(eleven.filter((line) => /^host:/i.test(line))).toEqual(["Host: app.test"]);
  });

  it("keeps the body's framing fields, which the body is forwarded with", () => {
    const chunked = reparsedRequest(
      upstreamRequestHead(
        request("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked"),
        CLIENT,
        ROUTER,
      ),
    );
    expect(chunked.framing).toEqual({ kind: "chunked" });
    const length = reparsedRequest(
      upstreamRequestHead(request("PUT / HTTP/1.1", "Host: a", "Content-Length: 12"), CLIENT, ROUTER),
    );
    expect(length.framing).toEqual({ kind: "length", length: 12 });
  });

  it("parses back as a valid HTTP/1.1 request that keeps the connection", () => {
    const original = request("POST /submit HTTP/1.0", "Content-Length: 3", "Connection: keep-alive");
    const back = reparsedRequest(upstreamRequestHead(original, CLIENT, ROUTER));
    expect(back.method).toBe("POST");
    expect(back.target).toBe("/submit");
    expect(back.minorVersion).toBe(1);
    expect(back.hasHost).toBe(true);
    expect(back.keepAlive).toBe(true);
    expect(back.connection).toEqual([]);
    expect(back.framing).toEqual({ kind: "length", length: 3 });
  });

  // A Connection header naming the framing field must not take it away: the router would
  // forward a body the instance does not expect, and the rest would be read as the next
  // request on a kept connection.
  it("keeps Content-Length when Connection names it", () => {
    const original = request("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Connection: content-length");
    expect(original.framing).toEqual({ kind: "length", length: 5 });
    const back = reparsedRequest(upstreamRequestHead(original, CLIENT, ROUTER));
    expect(back.framing).toEqual(original.framing);
  });

  it("keeps Transfer-Encoding when Connection names it", () => {
    const original = request(
      "POST / HTTP/1.1",
      "Host: a",
      "Transfer-Encoding: chunked",
      "Connection: transfer-encoding",
    );
    expect(original.framing).toEqual({ kind: "chunked" });
    const back = reparsedRequest(upstreamRequestHead(original, CLIENT, ROUTER));
    expect(back.framing).toEqual(original.framing);
  });
});

const OPTIONS: ClientResponseOptions = {
  framing: { kind: "length", length: 2 },
  dechunk: false,
  close: false,
  confirmKeepAlive: false,
  release: "rel-42",
};

function client(head: ResponseHead, options: Partial<ClientResponseOptions> = {}): string[] {
  return lines(clientResponseHead(head, { ...OPTIONS, framing: responseFraming(head, "GET"), ...options }));
}

describe("clientResponseHead", () => {
  it("keeps the status, reason and end-to-end fields, and names the release", () => {
    const out = client(response("HTTP/1.1 201 Created", "Content-Type: text/plain", "Content-Length: 2"));
    expect(out).toEqual([
      "HTTP/1.1 201 Created",
      "Content-Type: text/plain",
      "Content-Length: 2",
      "x-shipgate-release: rel-42",
    ]);
  });

  it("replaces an instance's own x-shipgate-release and keeps framing fields named in Connection", () => {
    const out = client(
      response(
        "HTTP/1.1 200 OK",
        "X-Shipgate-Release: forged",
        "Content-Length: 2",
        "Connection: content-length",
      ),
    );
    expect(out).toEqual(["HTTP/1.1 200 OK", "Content-Length: 2", "x-shipgate-release: rel-42"]);
  });

  it("answers HTTP/1.1 even for an HTTP/1.0 instance, keeping an empty reason", () => {
    expect(client(response("HTTP/1.0 200 OK", "Content-Length: 2"))[0]).toBe("HTTP/1.1 200 OK");
    expect(client(response("HTTP/1.1 204"))[0]).toBe("HTTP/1.1 204 ");
    expect(reparsedResponse(clientResponseHead(response("HTTP/1.1 204"), OPTIONS)).reason).toBe("");
  });

  it("drops hop-by-hop fields and those the Connection header names", () => {
    const out = client(
      response(
        "HTTP/1.1 200 OK",
        "Connection: keep-alive, X-Internal",
        "Keep-Alive: timeout=5",
        "X-Internal: secret",
        "Upgrade: h2c",
        "Trailer: X-Sum",
        "Proxy-Authenticate: Basic",
        "Content-Length: 2",
      ),
    );
    expect(out).toEqual(["HTTP/1.1 200 OK", "Content-Length: 2", "x-shipgate-release: rel-42"]);
  });

  it("drops a Content-Length beside chunked and keeps Transfer-Encoding", () => {
    const head = response("HTTP/1.1 200 OK", "Content-Length: 99", "Transfer-Encoding: chunked", "X-A: b");
    const out = client(head, { framing: { kind: "chunked" } });
    expect(out).toEqual([
      "HTTP/1.1 200 OK",
      "Transfer-Encoding: chunked",
      "X-A: b",
      "x-shipgate-release: rel-42",
    ]);
    expect(responseFraming(reparsedResponse(`${out.join("\r\n")}\r\n\r\n`), "GET")).toEqual({
      kind: "chunked",
    });
  });

  it("drops Transfer-Encoding and Content-Length when de-chunking for an HTTP/1.0 client", () => {
    const head = response("HTTP/1.1 200 OK", "transfer-encoding: chunked", "Content-Length: 99", "X-A: b");
    const serialized = clientResponseHead(head, {
      ...OPTIONS,
      framing: { kind: "chunked" },
      dechunk: true,
      close: true,
    });
    expect(lines(serialized)).toEqual([
      "HTTP/1.1 200 OK",
      "X-A: b",
      "x-shipgate-release: rel-42",
      "connection: close",
    ]);
    // With no length left the client reads the payload to the close.
    expect(responseFraming(reparsedResponse(serialized), "GET")).toEqual({ kind: "close" });
  });

  it("keeps Content-Length and Transfer-Encoding when the body is not chunked", () => {
    const length = client(response("HTTP/1.1 200 OK", "Content-Length: 5"), { dechunk: true });
    expect(length).toContain("Content-Length: 5");
    const closed = client(response("HTTP/1.1 200 OK", "Transfer-Encoding: gzip"), {
      framing: { kind: "close" },
    });
    expect(closed).toContain("Transfer-Encoding: gzip");
  });

  it("keeps the framing fields of a body-less answer (HEAD, 304) as the instance sent them", () => {
    const head = response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 10");
    const out = lines(clientResponseHead(head, { ...OPTIONS, framing: responseFraming(head, "HEAD") }));
    expect(out).toContain("Transfer-Encoding: chunked");
    expect(out).toContain("Content-Length: 10");
  });

  it("asks for the close, or confirms keep-alive to an HTTP/1.0 client, as requested", () => {
    const head = response("HTTP/1.1 200 OK", "Content-Length: 2");
    const connection = (out: string[]) => out.filter((line) => /^connection:/i.test(line));
    expect(connection(client(head, { close: true }))).toEqual(["connection: close"]);
    expect(connection(client(head, { confirmKeepAlive: true }))).toEqual(["connection: keep-alive"]);
    expect(connection(client(head, { close: true, confirmKeepAlive: true }))).toEqual(["connection: close"]);
    expect(connection(client(head, {}))).toEqual([]);
    // The instance's own Connection field never reaches the client.
    const upstreamClose = response("HTTP/1.1 200 OK", "Connection: close", "Content-Length: 2");
    expect(connection(client(upstreamClose, { confirmKeepAlive: true }))).toEqual(["connection: keep-alive"]);
  });

  it("parses back with the client-facing keep-alive", () => {
    const head = response("HTTP/1.1 200 OK", "Content-Length: 2");
    expect(reparsedResponse(clientResponseHead(head, { ...OPTIONS, close: true })).keepAlive).toBe(false);
    expect(reparsedResponse(clientResponseHead(head, OPTIONS)).keepAlive).toBe(true);
    const release = reparsedResponse(clientResponseHead(head, OPTIONS)).fields;
    expect(release.slice(-2)).toEqual(["x-shipgate-release", "rel-42"]);
  });
});

describe("requestedUpgrade", () => {
  it("is the Upgrade value of an HTTP/1.1 request whose Connection names upgrade", () => {
    expect(
      requestedUpgrade(
        request("GET /ws HTTP/1.1", "Host: a", "Connection: keep-alive, Upgrade", "Upgrade: websocket"),
      ),
    ).toBe("websocket");
  });

  it("is nothing for HTTP/1.0, without Connection: upgrade, with a body, or with an empty Upgrade", () => {
    for (const lines of [
      ["GET / HTTP/1.0", "Host: a", "Connection: upgrade", "Upgrade: websocket"],
      ["GET / HTTP/1.1", "Host: a", "Upgrade: websocket"],
      ["GET / HTTP/1.1", "Host: a", "Connection: close", "Upgrade: websocket"],
      ["POST / HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade: h2c", "Content-Length: 3"],
      ["GET / HTTP/1.1", "Host: a", "Connection: upgrade", "Upgrade:"],
      ["GET / HTTP/1.1", "Host: a", "Connection: upgrade"],
    ]) {
      expect(requestedUpgrade(request(...lines)), lines.join(" | ")).toBeUndefined();
    }
  });

  it("is asked of the instance by the router's own Connection and Upgrade fields", () => {
    const asked = request(
      "GET /ws HTTP/1.1",
      "Host: a",
      "Connection: Upgrade",
      "Upgrade: websocket",
      "X-A: 1",
    );
    expect(lines(upstreamRequestHead(asked, CLIENT, ROUTER, requestedUpgrade(asked)))).toEqual([
      "GET /ws HTTP/1.1",
      "Host: a",
      "X-A: 1",
      `x-forwarded-for: ${CLIENT}`,
      "connection: upgrade",
      "upgrade: websocket",
      "x-forwarded-proto: http",
    ]);
  });
});

describe("switchingProtocolsHead", () => {
  it("keeps the instance's end-to-end fields, its Upgrade, and names the release", () => {
    const agreed = response(
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
      "Keep-Alive: timeout=5",
      "x-shipgate-release: forged",
    );
    expect(lines(switchingProtocolsHead(agreed, "websocket", "v2"))).toEqual([
      "HTTP/1.1 101 Switching Protocols",
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
      "connection: upgrade",
      "upgrade: websocket",
      "x-shipgate-release: v2",
    ]);
  });

  it("falls back to the protocol asked for when the instance names none", () => {
    const agreed = response("HTTP/1.1 101 Switching Protocols", "Connection: upgrade");
    expect(lines(switchingProtocolsHead(agreed, "websocket", "v1"))).toContain("upgrade: websocket");
  });
});

describe("interimResponseHead", () => {
  it("passes a 1xx answer on as HTTP/1.1, without hop-by-hop fields", () => {
    const head = response(
      "HTTP/1.1 103 Early Hints",
      "Link: </style.css>; rel=preload",
      "Connection: X-Hop",
      "X-Hop: 1",
      "Keep-Alive: timeout=1",
      "link: </app.js>; rel=preload",
    );
    expect(lines(interimResponseHead(head))).toEqual([
      "HTTP/1.1 103 Early Hints",
      "Link: </style.css>; rel=preload",
      "link: </app.js>; rel=preload",
    ]);
  });

  it("writes 100 Continue without fields", () => {
    expect(interimResponseHead(response("HTTP/1.1 100 Continue"))).toBe("HTTP/1.1 100 Continue\r\n\r\n");
  });
});

/** Splits an answer into its head (without the blank line) and body bytes. */
function split(answer: string, encoding: BufferEncoding): { head: string; body: Buffer } {
  const bytes = Buffer.from(answer, encoding);
  const end = bytes.indexOf("\r\n\r\n");
  expect(end).toBeGreaterThan(0);
  return { head: bytes.toString("latin1", 0, end), body: bytes.subarray(end + 4) };
}

describe("localAnswer", () => {
  it("is a JSON answer whose content-length is its body's byte length", () => {
    const answer = localAnswer(503, "local/no-healthy-instance", "no healthy instance", false);
    const { head, body } = split(answer, "utf8");
    const parsed = parseResponseHead(head);
    if (isHeadError(parsed)) throw new Error(parsed.error);
    expect(parsed.status).toBe(503);
    expect(parsed.reason).toBe("Service Unavailable");
    expect(parsed.contentLength).toBe(body.length);
    expect(parsed.keepAlive).toBe(true);
    expect(responseFraming(parsed, "GET")).toEqual({ kind: "length", length: body.length });
    expect(parsed.fields.slice(0, 2)).toEqual(["content-type", "application/json"]);
    expect(body.toString("utf8").endsWith("\n")).toBe(true);
    expect(JSON.parse(body.toString("utf8"))).toEqual({
      error: "no healthy instance",
      code: "local/no-healthy-instance",
    });
  });

  it("asks for the close when told to", () => {
    const parsed = parseResponseHead(split(localAnswer(400, "local/bad-request", "bad", true), "utf8").head);
    if (isHeadError(parsed)) throw new Error(parsed.error);
    expect(parsed.connection).toEqual(["close"]);
    expect(parsed.keepAlive).toBe(false);
  });

  it("uses the standard reason for its statuses, and Error otherwise", () => {
    const reasons: [number, string][] = [
      [400, "Bad Request"],
      [408, "Request Timeout"],
      [431, "Request Header Fields Too Large"],
      [501, "Not Implemented"],
      [502, "Bad Gateway"],
      [503, "Service Unavailable"],
      [504, "Gateway Timeout"],
      [505, "HTTP Version Not Supported"],
      [500, "Error"],
    ];
    for (const [status, reason] of reasons) {
      expect(localAnswer(status, "c", "e", false).split("\r\n")[0]).toBe(`HTTP/1.1 ${status} ${reason}`);
    }
  });

  it("escapes quotes and control characters in the JSON body and counts UTF-8 bytes", () => {
    const error = 'a "quoted"\r\nline \u00e9\u20ac';
    const { head, body } = split(localAnswer(502, "local/x", error, false), "utf8");
    const parsed = parseResponseHead(head);
    if (isHeadError(parsed)) throw new Error(parsed.error);
    expect(parsed.contentLength).toBe(body.length);
    expect(JSON.parse(body.toString("utf8")).error).toBe(error);
  });

  // A refusal may quote obs-text from the request; the answer is written as latin1, so its
  // length must count bytes as written.
  it("has a content-length matching the body as the router sends it (latin1)", () => {
    const refusal = parseRequestHead(head("POST / HTTP/1.1", "Host: a", "Content-Length: \xe9"));
    if (!isHeadError(refusal)) throw new Error("expected a refusal");
    const { head: answerHead, body } = split(
      localAnswer(refusal.status, "local/bad-request", refusal.error, true),
      "latin1",
    );
    const parsed = parseResponseHead(answerHead);
    if (isHeadError(parsed)) throw new Error(parsed.error);
    expect(parsed.contentLength).toBe(body.length);
  });
});

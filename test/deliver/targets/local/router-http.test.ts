import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../../src/deliver/targets/local/client-connection.js";
import { Router } from "../../../../src/deliver/targets/local/router.js";
import { freePort } from "../../../../src/net/free-port.js";
import { cleanups, httpUpstream, listen, rawUpstream } from "./loopback.js";

// The router as a whole, in-process, over real loopback sockets: real clients (node:http and
// raw sockets for what node:http will not send) and real upstream servers.

async function startRouter(...upstreamPorts: number[]): Promise<Router> {
  const router = new Router({ port: await freePort(), releaseHeader: true });
  await router.listen();
  cleanups.push(() => router.close(1_000));
  upstreamPorts.forEach((port, i) => {
    router.setRoutable(router.addUpstream("r", `r-${i + 1}`, port), true);
  });
  router.table.setWeights({ r: 100 });
  return router;
}

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

function send(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer;
    agent?: Agent;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Writes `bytes` on a fresh connection and collects what comes back until the router closes it. */
function raw(port: number, bytes: string | Buffer, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, timeoutMs);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(bytes);
  });
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

const echo = (req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, {
      "content-type": "application/json",
      "x-request-method": req.method,
      "x-request-body-sha256": sha256(body),
      "x-request-body-length": String(body.length),
      "x-seen-headers": JSON.stringify(req.headers),
    });
    res.end(JSON.stringify({ path: req.url }));
  });
};

describe("the router's HTTP/1.1 handling", () => {
  it("forwards method, path, headers and bodies, and reuses one upstream connection", async () => {
    const upstream = await httpUpstream(echo);
    const router = await startRouter(upstream.port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    for (let i = 0; i < 30; i++) {
      const body = Buffer.from(`order ${i}`);
      const answer = await send(router.port, {
        method: "POST",
        path: `/orders/${i}?q=${i}`,
        headers: { "content-type": "text/plain", "X-Custom": `v${i}` },
        body,
        agent,
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString())).toEqual({ path: `/orders/${i}?q=${i}` });
      expect(answer.headers["x-request-body-sha256"]).toBe(sha256(body));
      expect(answer.headers["x-shipgate-release"]).toBe("r");
      const seen = JSON.parse(answer.headers["x-seen-headers"] as string);
      expect(seen).toMatchObject({
        "x-custom": `v${i}`,
        "x-forwarded-proto": "http",
        "x-forwarded-for": "127.0.0.1",
      });
    }
    expect(upstream.connections()).toBe(1);
    const traffic = router.table.knownTraffic("r")!;
    expect(traffic.requests).toBe(30);
    expect(traffic.byClass[2]).toBe(30);
  });

  it("streams a 12 MB chunked upload and a 24 MB download byte for byte", async () => {
    const download = randomBytes(24 * 1024 * 1024);
    const upstream = await httpUpstream((req, res) => {
      if (req.url === "/download") {
        res.writeHead(200, { "content-type": "application/octet-stream" }); // chunked
        let at = 0;
        const pump = () => {
          while (at < download.length) {
            const piece = download.subarray(at, at + 256 * 1024);
            at += piece.length;
            if (!res.write(piece)) return void res.once("drain", pump);
          }
          res.end();
        };
        pump();
      } else echo(req, res);
    });
    const router = await startRouter(upstream.port);
    const upload = randomBytes(12 * 1024 * 1024);
    const uploaded = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: router.port, method: "PUT", path: "/upload", agent: false },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0) }),
          );
        },
      );
      req.on("error", reject);
      let at = 0;
      const pump = () => {
        while (at < upload.length) {
          const piece = upload.subarray(at, at + 100_000);
          at += piece.length;
          if (!req.write(piece)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.headers["x-request-body-length"]).toBe(String(upload.length));
    expect(uploaded.headers["x-request-body-sha256"]).toBe(sha256(upload));

    const downloaded = await send(router.port, { path: "/download" });
    expect(downloaded.headers["transfer-encoding"]).toBe("chunked");
    expect(downloaded.body.length).toBe(download.length);
    expect(sha256(downloaded.body)).toBe(sha256(download));
  });

  it("keeps the connection right after answers without a body: HEAD, 204, 304", async () => {
    const upstream = await httpUpstream((req, res) => {
      if (req.url === "/empty") res.writeHead(204).end();
      else if (req.url === "/same") res.writeHead(304, { etag: '"v1"' }).end();
      else
        res
          .writeHead(200, { "content-type": "text/plain", "content-length": "5" })
          .end(req.method === "HEAD" ? undefined : "hello");
    });
    const router = await startRouter(upstream.port);
    const answer = await raw(
      router.port,
      "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /empty HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /same HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const statuses = [...answer.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);
    expect(statuses).toEqual(["200", "204", "304", "200"]);
    // HEAD keeps its Content-Length and sends no body; only the last answer has one.
    expect(answer.match(/hello/g)).toHaveLength(1);
    expect(answer.endsWith("hello")).toBe(true);
    expect(answer).toMatch(/etag: "v1"/i);
  });

  it("answers pipelined requests in order", async () => {
    const upstream = await httpUpstream((req, res) => {
      // The first answer is the slowest: order must still hold.
      const delay = req.url === "/1" ? 60 : 0;
      setTimeout(() => res.writeHead(200, { "content-length": String(req.url!.length) }).end(req.url), delay);
    });
    const router = await startRouter(upstream.port);
    const requests = [1, 2, 3, 4, 5].map((n) => `GET /${n} HTTP/1.1\r\nHost: x\r\n\r\n`).join("");
    const answer = await raw(
      router.port,
      `${requests}GET /6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    const bodies = [...answer.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1]);
    expect(bodies).toEqual(["/1", "/2", "/3", "/4", "/5", "/6"]);
  });

  it("passes on 100 Continue before the body is sent", async () => {
    const upstream = await httpUpstream(echo);
    const router = await startRouter(upstream.port);
    const socket = connect({ host: "127.0.0.1", port: router.port });
    cleanups.push(() => void socket.destroy());
    let received = "";
    socket.on("data", (c) => {
      received += c.toString("latin1");
    });
    socket.write(
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
    );
    for (let i = 0; i < 100 && !received.includes("\r\n\r\n"); i++) await sleep(10);
    expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
    socket.write("hello");
    await once(socket, "close");
    expect(received).toMatch(/HTTP\/1\.1 200 OK/);
    expect(received).toContain(`x-request-body-sha256: ${sha256(Buffer.from("hello"))}`);
  });

  it("serves an HTTP/1.0 client: adds Host, de-chunks the answer and closes", async () => {
    const upstream = await httpUpstream((req, res) => {
      res.writeHead(200, { "x-host": req.headers.host ?? "" });
      res.write("part one, ");
      res.end("part two");
    });
    const router = await startRouter(upstream.port);
    const answer = await raw(router.port, "GET /old HTTP/1.0\r\n\r\n");
    const [head, body] = answer.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).toMatch(/connection: close/i);
    expect(head).toContain(`x-host: 127.0.0.1:${router.port}`);
    expect(body).toBe("part one, part two");
  });

  it("keeps an HTTP/1.0 client's connection when it asks for keep-alive", async () => {
    const upstream = await httpUpstream((_req, res) =>
      res.writeHead(200, { "content-length": "2" }).end("ok"),
    );
    const router = await startRouter(upstream.port);
    const answer = await raw(
      router.port,
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    );
    expect(answer.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(answer).toMatch(/connection: keep-alive/i);
  });

  it("passes on an answer delimited by the upstream's close, then closes the client's connection", async () => {
    const upstream = await rawUpstream((_head, socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nConnection: close\r\n\r\nall of it");
      setTimeout(() => socket.end(), 20);
    });
    const router = await startRouter(upstream.port);
    const answer = await raw(router.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(answer).toMatch(/connection: close/i);
    expect(answer.endsWith("\r\n\r\nall of it")).toBe(true);
    expect(router.table.knownTraffic("r")!.byClass[2]).toBe(1);
  });

  it.each([
    [
      "Content-Length beside Transfer-Encoding",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      400,
    ],
    [
      "two Content-Lengths",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      400,
    ],
    ["a bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400],
    ["a folded header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n", 400],
    ["no Host", "GET / HTTP/1.1\r\n\r\n", 400],
    ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505],
    ["an unknown transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["a malformed chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
  ])("refuses %s without forwarding it, and closes the connection", async (_name, bytes, status) => {
    let forwarded = 0;
    const upstream = await httpUpstream((req, res) => {
      forwarded++;
      req.resume();
      req.on("end", () => res.end("no"));
      req.on("error", () => {});
    });
    const router = await startRouter(upstream.port);
    const answer = await raw(router.port, bytes);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).toMatch(/connection: close/i);
    expect(JSON.parse(answer.split("\r\n\r\n")[1]!)).toMatchObject({ code: "local/bad-request" });
    // The malformed chunk is found after the head went on: the upstream saw a request start
    // but never a whole body. Every other case is refused before anything is forwarded.
    if (!bytes.includes("zz")) expect(forwarded).toBe(0);
  });

  it("refuses a head larger than 32 KiB with 431", async () => {
    const upstream = await httpUpstream((_req, res) => res.end());
    const router = await startRouter(upstream.port);
    const answer = await raw(
      router.port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(upstream.connections()).toBe(0);
  });

  it("retries an idempotent request on another connection when a kept one turns out closed", async () => {
    // An upstream that closes every connection after its answer without saying so: the next
    // request on that connection fails before any answer and must be resent.
    const upstream = await rawUpstream((_head, socket) => {
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const router = await startRouter(upstream.port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    for (let i = 0; i < 10; i++) {
      const answer = await send(router.port, { agent });
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe("ok");
    }
    expect(router.table.knownTraffic("r")!.errors).toBe(0);
  });

  it("answers 502 when no instance can be reached and 503 when none is routable", async () => {
    const closedPort = await freePort();
    const router = await startRouter(closedPort);
    const failed = await send(router.port);
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ code: "local/bad-gateway" });
    const traffic = router.table.knownTraffic("r")!;
    expect(traffic.errors).toBe(1);
    expect(traffic.byClass[0]).toBe(1);

    router.setRoutable(router.table.release("r").upstreams[0]!, false);
    const none = await send(router.port, { method: "POST", body: Buffer.from("x") });
    expect(none.status).toBe(503);
    expect(JSON.parse(none.body.toString())).toMatchObject({ code: "local/no-healthy-instance" });
  });

  it("cuts the client's connection when the upstream dies half-way through an answer, and counts it", async () => {
    const upstream = await rawUpstream((_head, socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b");
      setTimeout(() => socket.destroy(), 20);
    });
    const router = await startRouter(upstream.port);
    const answer = await raw(router.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer.endsWith("only ten b")).toBe(true);
    await sleep(20);
    const traffic = router.table.knownTraffic("r")!;
    expect(traffic.byClass[0]).toBe(1);
    expect(traffic.errors).toBe(1);
  });

  it("answers 502 to an upstream that does not speak HTTP", async () => {
    const upstream = await rawUpstream((_head, socket) => socket.write("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
    const router = await startRouter(upstream.port);
    const answer = await send(router.port);
    expect(answer.status).toBe(502);
  });

  it("gives up with 504 on an upstream that never answers", async () => {
    const saved = LIMITS.upstreamSilenceMs;
    LIMITS.upstreamSilenceMs = 200;
    cleanups.push(() => {
      LIMITS.upstreamSilenceMs = saved;
    });
    const upstream = await rawUpstream(() => {});
    const router = await startRouter(upstream.port);
    const answer = await send(router.port);
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ code: "local/gateway-timeout" });
    expect(router.table.knownTraffic("r")!.errors).toBe(1);
  });

  it("does not count a client that leaves before any answer", async () => {
    const upstream = await rawUpstream(() => {});
    const router = await startRouter(upstream.port);
    await raw(router.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 100);
    await sleep(50);
    expect(upstream.connections()).toBe(1); // the request did reach the instance
    const upstreamRoute = router.table.release("r").upstreams[0]!;
    expect(upstreamRoute.inFlight).toBe(0);
    expect(router.table.knownTraffic("r")!.requests).toBe(0);
  });

  it("drains: an answer in progress finishes, then the upstream's connections are closed", async () => {
    const upstream = await httpUpstream((_req, res) => {
      setTimeout(() => res.writeHead(200, { "content-length": "4" }).end("done"), 150);
    });
    const router = await startRouter(upstream.port);
    const route = router.table.release("r").upstreams[0]!;
    const answer = send(router.port);
    await sleep(50);
    expect(route.inFlight).toBe(1);
    const drained = await router.drainUpstream(route, 2_000);
    expect(drained).toBe(true);
    expect((await answer).body.toString()).toBe("done");
    expect(route.pool.size).toBe(0);
  });

  it("closes: lets the answer in progress finish with connection: close, refuses new connections", async () => {
    const upstream = await httpUpstream((_req, res) => {
      setTimeout(() => res.writeHead(200, { "content-length": "4" }).end("done"), 150);
    });
    const router = await startRouter(upstream.port);
    const answer = raw(router.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await sleep(50);
    await router.close(2_000);
    const text = await answer;
    expect(text).toMatch(/connection: close/i);
    expect(text.endsWith("done")).toBe(true);
    await expect(send(router.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("the router's protocol switches (WebSocket)", () => {
  const HANDSHAKE =
    "GET /socket HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n" +
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

  /** An instance that agrees to every upgrade, greets, then echoes what it receives until the client ends. */
  async function upgradingUpstream() {
    const seen: { headers: IncomingMessage["headers"]; early: Buffer; received: Buffer[]; ended: boolean }[] =
      [];
    const server = createServer((_req, res) => res.writeHead(200, { "content-length": "2" }).end("ok"));
    server.on("upgrade", (req: IncomingMessage, socket: Socket, early: Buffer) => {
      const record = { headers: req.headers, early, received: [] as Buffer[], ended: false };
      seen.push(record);
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nx-shipgate-release: forged\r\n\r\nhello",
      );
      if (early.length > 0) socket.write(early);
      socket.on("data", (chunk: Buffer) => {
        record.received.push(chunk);
        socket.write(chunk);
      });
      socket.on("end", () => {
        record.ended = true;
        socket.end();
      });
      socket.on("error", () => {});
    });
    return { ...(await listen(server)), seen };
  }

  /** A raw client: sends the handshake (and `early` right behind it), collects everything it gets. */
  function tunnelClient(port: number, early = "") {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    const closed = once(socket, "close");
    socket.write(HANDSHAKE + early);
    const received = () => Buffer.concat(chunks);
    const waitFor = async (length: number) => {
      for (let i = 0; i < 400 && received().length < length; i++) await sleep(10);
      return received();
    };
    return { socket, received, waitFor, closed };
  }

  it("relays a WebSocket after the instance's 101: both ways, byte for byte, until the client ends", async () => {
    const upstream = await upgradingUpstream();
    const router = await startRouter(upstream.port);
    const client = tunnelClient(router.port, "early-frame");
    const headEnd = async () => {
      for (let i = 0; i < 300; i++) {
        const at = client.received().indexOf("\r\n\r\n");
        if (at >= 0) return at;
        await sleep(10);
      }
      throw new Error("no 101 head");
    };
    const end = await headEnd();
    const head = client.received().subarray(0, end).toString("latin1");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    expect(head).toMatch(/^connection: upgrade$/im);
    expect(head).toMatch(/^upgrade: websocket$/im);
    expect(head).toMatch(/^sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=$/im);
    expect(head.match(/x-shipgate-release: (\S+)/gi)).toEqual(["x-shipgate-release: r"]);
    // What the instance saw: the switch asked for by the router, with the forwarded fields.
    const seen = upstream.seen[0]!;
    expect(seen.headers).toMatchObject({
      connection: "upgrade",
      upgrade: "websocket",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "x-forwarded-for": "127.0.0.1",
    });
    // Bytes sent right behind the handshake reach the instance once it has switched.
    const greeting = "hello" + "early-frame";
    expect((await client.waitFor(end + 4 + greeting.length)).subarray(end + 4).toString()).toBe(greeting);

    // 4 MB of binary each way, with back-pressure on both sides.
    const payload = randomBytes(4 * 1024 * 1024);
    client.socket.write(payload);
    const total = end + 4 + greeting.length + payload.length;
    const echoed = (await client.waitFor(total)).subarray(end + 4 + greeting.length);
    expect(echoed.length).toBe(payload.length);
    expect(sha256(echoed)).toBe(sha256(payload));

    client.socket.end();
    await client.closed;
    expect(seen.ended).toBe(true);
    const traffic = router.table.knownTraffic("r")!;
    expect(traffic.requests).toBe(1);
    expect(traffic.byClass[1]).toBe(1);
    expect(router.table.release("r").upstreams[0]!.inFlight).toBe(0);
  });

  it("passes on a refused switch as an ordinary answer, then closes the connection", async () => {
    const upstream = await httpUpstream((req, res) => {
      res
        .writeHead(426, { "content-length": "7", "x-upgrade-seen": String(req.headers.upgrade) })
        .end("refused");
    });
    const router = await startRouter(upstream.port);
    const text = await raw(router.port, `${HANDSHAKE}GET /next HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(text.split("\r\n")[0]).toBe("HTTP/1.1 426 Upgrade Required");
    expect(text).toMatch(/^x-upgrade-seen: websocket$/im);
    expect(text).toMatch(/^connection: close$/im);
    // What followed the refused handshake is not taken for a request.
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it("asks no switch of the instance for an HTTP/1.0 request or one without Connection: upgrade", async () => {
    const upstream = await httpUpstream(echo);
    const router = await startRouter(upstream.port);
    for (const request of [
      "GET / HTTP/1.0\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n",
    ]) {
      const text = await raw(router.port, request);
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      const seen = JSON.parse(/x-seen-headers: (.*)/i.exec(text)![1]!);
      expect(seen.upgrade).toBeUndefined();
      expect(seen.connection).toBeUndefined();
    }
  });

  it("answers 502 to a 101 nobody asked for", async () => {
    const upstream = await rawUpstream((_head, socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    });
    const router = await startRouter(upstream.port);
    const answer = await send(router.port);
    expect(answer.status).toBe(502);
  });

  it("cuts a tunnel when its instance is drained, without waiting for it", async () => {
    const upstream = await upgradingUpstream();
    const router = await startRouter(upstream.port);
    const client = tunnelClient(router.port);
    await client.waitFor(1);
    await sleep(20);
    const route = router.table.release("r").upstreams[0]!;
    expect(route.inFlight).toBe(0);
    const started = performance.now();
    expect(await router.drainUpstream(route, 5_000)).toBe(true);
    await client.closed;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(route.pool.size).toBe(0);
  });

  it("cuts open tunnels when the router closes", async () => {
    const upstream = await upgradingUpstream();
    const router = await startRouter(upstream.port);
    const client = tunnelClient(router.port);
    await client.waitFor(1);
    const started = performance.now();
    await router.close(5_000);
    await client.closed;
    // Cut at once, not after the close's 5 s timeout for answers in progress.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(client.received().toString("latin1")).toMatch(/^HTTP\/1\.1 101 /);
  });
});

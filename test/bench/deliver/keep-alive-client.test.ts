import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KeepAliveClient } from "../../../bench/deliver/keep-alive-client.js";

/**
 * The router bench's load client against a real loopback server that answers each request
 * with whatever the test scripts, so framing and connection handling are seen on the wire.
 */
let server: Server | undefined;
let client: KeepAliveClient | undefined;

afterEach(async () => {
  client?.close();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = client = undefined;
});

/** Serves `answers` in order, one per request head received, on whichever connection asks. */
async function serve(answers: Array<string | ((socket: Socket) => void)>) {
  const accepted: Socket[] = [];
  const requests: string[] = [];
  server = createServer((socket) => {
    accepted.push(socket);
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        requests.push(buffered.slice(0, end));
        buffered = buffered.slice(end + 4);
        const answer = answers.shift();
        if (typeof answer === "string") socket.write(answer);
        else answer?.(socket);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  client = new KeepAliveClient(new URL(`http://127.0.0.1:${address.port}/path?q=1`));
  return { accepted, requests, client, port: address.port };
}

function get(c: KeepAliveClient): Promise<number> {
  return new Promise((resolve) => c.get(resolve));
}

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n";

describe("KeepAliveClient", () => {
  it("sends a GET with the URL's path and host and reuses one connection for sequential requests", async () => {
    const { accepted, requests, client, port } = await serve([OK, OK, OK]);
    expect([await get(client), await get(client), await get(client)]).toEqual([200, 200, 200]);
    expect(accepted).toHaveLength(1);
    expect(requests).toEqual(Array(3).fill(`GET /path?q=1 HTTP/1.1\r\nhost: 127.0.0.1:${port}`));
  });

  it("opens a second connection only while the first has a request in flight", async () => {
    const { accepted, client } = await serve([OK, OK, OK]);
    const both = await Promise.all([get(client), get(client)]);
    expect(both).toEqual([200, 200]);
    expect(accepted).toHaveLength(2);
    expect(await get(client)).toBe(200);
    expect(accepted).toHaveLength(2);
  });

  it("reads an answer that arrives in pieces, and a chunked one", async () => {
    const { client } = await serve([
      (socket) => {
        socket.write("HTTP/1.1 503 Service Unavailable\r\ncontent-");
        setTimeout(() => socket.write("length: 4\r\n\r\nno"), 20);
        setTimeout(() => socket.write("\r\n"), 40);
      },
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n",
      OK,
    ]);
    expect(await get(client)).toBe(503);
    expect(await get(client)).toBe(200);
    expect(await get(client)).toBe(200);
  });

  it("does not reuse a connection the server answered with Connection: close", async () => {
    const { accepted, client } = await serve([
      "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 3\r\n\r\nok\n",
      OK,
    ]);
    expect(await get(client)).toBe(200);
    expect(await get(client)).toBe(200);
    expect(accepted).toHaveLength(2);
  });

  it("takes a body without length as running to the close", async () => {
    const { client } = await serve([(socket) => socket.end("HTTP/1.1 200 OK\r\n\r\nuntil the end")]);
    expect(await get(client)).toBe(200);
    await vi.waitFor(() => expect(client.connections).toBe(0));
  });

  it("forgets an idle connection the server closed, and the next request opens a new one", async () => {
    const { accepted, client } = await serve([OK, OK]);
    expect(await get(client)).toBe(200);
    accepted[0]!.end();
    await vi.waitFor(() => expect(client.connections).toBe(0));
    expect(await get(client)).toBe(200);
    expect(accepted).toHaveLength(2);
  });

  it("counts a malformed head, a cut-off body and bytes past the answer as no answer", async () => {
    const { client } = await serve([
      "HTTP/1.1 2000 Nope\r\n\r\n",
      (socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"),
      `${OK}HTTP/1.1 200 OK\r\n`,
    ]);
    expect(await get(client)).toBe(0);
    expect(await get(client)).toBe(0);
    expect(await get(client)).toBe(0);
  });
});

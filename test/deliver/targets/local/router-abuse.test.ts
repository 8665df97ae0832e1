import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Router } from "../../../../src/deliver/targets/local/router.js";
import { freePort } from "../../../../src/net/free-port.js";
import { cleanups, httpUpstream, rawUpstream } from "./loopback.js";

/**
 * What a client, or a bad request, must not be able to do to a release through the router:
 * single out the canary, charge it with errors it did not make, or take instances down one
 * after the other. Real router, real loopback sockets, real upstream servers.
 */

async function routerFor(
  ports: number[],
  options: { releaseHeader?: boolean; maxConnections?: number } = {},
) {
  const router = new Router({ port: await freePort(), ...options });
  await router.listen();
  cleanups.push(() => router.close(1_000));
  ports.forEach((port, i) => {
    router.setRoutable(router.addUpstream("r", `r-${i + 1}`, port), true);
  });
  router.table.setWeights({ r: 100 });
  return router;
}

/** Sends `text` on a new connection and collects what comes back until the router closes it. */
async function exchange(port: number, text: string): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => {});
  socket.write(text);
  await once(socket, "close");
  return Buffer.concat(chunks).toString("latin1");
}

const counters = (router: Router) => router.table.release("r").traffic.counters();

describe("the router against hostile clients", () => {
  it("does not tell clients which release answered, unless the environment asks", async () => {
    const upstream = await httpUpstream((_req, res) => res.end("ok"));
    const quiet = await routerFor([upstream.port]);
    const named = await routerFor([upstream.port], { releaseHeader: true });
    const ask = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    expect(await exchange(quiet.port, ask)).not.toMatch(/x-shipgate-release/i);
    expect(await exchange(named.port, ask)).toMatch(/^x-shipgate-release: r\r$/im);
  });

  it("does not count an answer the client cut off as the release's failure", async () => {
    // The instance sends half an answer, then finishes it a moment later.
    const upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { "content-length": "10" });
      res.write("12345");
      setTimeout(() => res.end("67890"), 300);
    });
    const router = await routerFor([upstream.port]);
    const socket = connect({ host: "127.0.0.1", port: router.port });
    socket.on("error", () => {});
    socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    await once(socket, "data");
    socket.destroy(); // the client leaves in the middle of the body
    await sleep(100);
    expect(counters(router)).toMatchObject({ requests: 0, errors: 0, clientAborts: 1 });
  });

  it("answers CONNECT 405 itself, charging no release", async () => {
    let reached = 0;
    const upstream = await httpUpstream((_req, res) => {
      reached++;
      res.end("ok");
    });
    const router = await routerFor([upstream.port]);
    const answer = await exchange(
      router.port,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(reached).toBe(0);
    expect(counters(router)).toMatchObject({ requests: 0, errors: 0 });
  });

  it("answers a head whose lines end in bare LF with 400 at once, not a 408 when the head time-out expires", async () => {
    const upstream = await httpUpstream((_req, res) => res.end("ok"));
    const router = await routerFor([upstream.port]);
    const answer = await exchange(router.port, "GET / HTTP/1.1\nHost: t\n\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/bare LF/);
  }, 5_000);

  it("never sends a request that reached an instance on to the next one: one poisonous GET takes down one instance, not all", async () => {
    // Each instance dies (drops the connection without answering) on /poison.
    const poisoned: number[] = [];
    const instance = (n: number) =>
      rawUpstream((head: string, socket: Socket) => {
        if (head.startsWith("GET /poison")) {
          poisoned.push(n);
          socket.destroy();
        } else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      });
    const router = await routerFor([(await instance(1)).port, (await instance(2)).port]);
    const answer = await exchange(
      router.port,
      "GET /poison HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(poisoned).toHaveLength(1);
  });

  it("still sends a request on when the instance it picked refused the connection (it never got it)", async () => {
    const gone = await freePort(); // nothing listens there
    const live = await httpUpstream((_req, res) => res.end("ok"));
    const router = await routerFor([gone, live.port]);
    for (let i = 0; i < 6; i++) {
      expect(await exchange(router.port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).toMatch(
        /^HTTP\/1\.1 200 /,
      );
    }
  });

  it("past its connection cap, closes the longest-idle kept connection to serve a new one", async () => {
    const upstream = await httpUpstream((_req, res) => res.end("ok"));
    const router = await routerFor([upstream.port], { maxConnections: 3 });
    const kept: Array<{ socket: Socket; closed: Promise<unknown> }> = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect({ host: "127.0.0.1", port: router.port });
      socket.on("error", () => {});
      const closed = once(socket, "close");
      socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
      await once(socket, "data"); // answered; the connection stays open and idle
      kept.push({ socket, closed });
    }
    const answer = await exchange(router.port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    await kept[0]!.closed; // the oldest idle one made room
    expect(kept[1]!.socket.destroyed || kept[2]!.socket.destroyed).toBe(false);
    for (const k of kept) k.socket.destroy();
  });
});

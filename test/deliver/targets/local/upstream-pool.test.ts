import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  UPSTREAM_IDLE_MS,
  type UpstreamConnection,
  UpstreamPool,
  type UpstreamUser,
} from "../../../../src/deliver/targets/local/upstream-pool.js";
import { waitFor } from "./helpers.js";

/** A real loopback server standing in for an instance; it only counts and keeps connections. */
let server: Server;
let accepted: Socket[];
let pool: UpstreamPool;

beforeEach(async () => {
  accepted = [];
  server = createServer((socket) => {
    accepted.push(socket);
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  pool = new UpstreamPool(address.port);
});

afterEach(async () => {
  pool.destroy();
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function user(): UpstreamUser & { closed: number } {
  return {
    closed: 0,
    onUpstreamData() {},
    onUpstreamEnd() {},
    onUpstreamClose() {
      this.closed++;
    },
    onUpstreamDrain() {},
  };
}

/** `n` connections borrowed at once and connected, then all returned at `now`. */
async function warm(n: number, now = 0): Promise<UpstreamConnection[]> {
  const borrowed = Array.from({ length: n }, () => pool.acquire(user()));
  await waitFor(`${n} accepted connections`, () => accepted.length === n);
  for (const connection of borrowed) pool.release(connection, now);
  return borrowed;
}

describe("UpstreamPool", () => {
  it("lends idle connections oldest first, so steady traffic keeps all of them in use and opens none", async () => {
    const [first, second, third] = await warm(3);
    const lent: UpstreamConnection[] = [];
    for (let request = 0; request < 6; request++) {
      const connection = pool.acquire(user());
      lent.push(connection);
      pool.release(connection, request);
    }
    expect(lent).toEqual([first, second, third, first, second, third]);
    expect(pool.size).toBe(3);
    expect(accepted).toHaveLength(3);
  });

  it("closes connections idle for longer than UPSTREAM_IDLE_MS and keeps the others", async () => {
    const borrowed = [pool.acquire(user()), pool.acquire(user()), pool.acquire(user())];
    await waitFor("3 accepted connections", () => accepted.length === 3);
    pool.release(borrowed[0]!, 0);
    pool.release(borrowed[1]!, 1_000);
    pool.release(borrowed[2]!, UPSTREAM_IDLE_MS + 500);
    pool.closeIdle(UPSTREAM_IDLE_MS + 1_000);
    await waitFor("a pool of 2", () => pool.size === 2);
    expect(borrowed[0]!.socket.destroyed).toBe(true);
    expect(borrowed.slice(1).map((c) => c.socket.destroyed)).toEqual([false, false]);
    // The survivors are still lent, oldest first.
    expect(pool.acquire(user())).toBe(borrowed[1]);
  });

  it("forgets a connection the instance closes while it is idle, and opens a new one when asked", async () => {
    const [connection] = await warm(1);
    accepted[0]!.end();
    await waitFor("a pool of 0", () => pool.size === 0);
    expect(connection!.socket.destroyed).toBe(true);
    const next = pool.acquire(user());
    expect(next).not.toBe(connection);
    await waitFor("2 accepted connections", () => accepted.length === 2);
  });

  it("tells the borrower when its connection closes, and destroy() cuts borrowed connections too", async () => {
    const borrower = user();
    const connection = pool.acquire(borrower);
    await waitFor("1 accepted connections", () => accepted.length === 1);
    pool.destroy();
    await waitFor("the borrower told", () => borrower.closed === 1);
    expect(connection.socket.destroyed).toBe(true);
    const late = user();
    const after = pool.acquire(late);
    await waitFor("the late borrower told", () => late.closed === 1);
    expect(after.socket.destroyed).toBe(true);
  });
});

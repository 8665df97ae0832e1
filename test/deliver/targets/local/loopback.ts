import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";
import { afterEach } from "vitest";

/** Real upstream servers on loopback for the router's tests, closed after each test. */

export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export interface Started {
  port: number;
  connections: () => number;
}

export async function listen(server: Server | TcpServer): Promise<Started> {
  let connections = 0;
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, connections: () => connections };
}

export function httpUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Started> {
  return listen(createServer({ keepAliveTimeout: 5_000 }, handler));
}

/** An upstream that answers every request on a connection with `answer(requestHead)` written raw. */
export async function rawUpstream(answer: (head: string, socket: Socket) => void): Promise<Started> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let end = buffered.indexOf("\r\n\r\n");
      while (end >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        answer(head, socket);
        end = buffered.indexOf("\r\n\r\n");
      }
    });
  });
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
  });
  return listen(server);
}

/** A router whose answers name the release (`releaseHeader`, which these tests check). */

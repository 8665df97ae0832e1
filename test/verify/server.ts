import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestServer {
  baseUrl: string;
  /** Every request the server got, in order. */
  requests: SeenRequest[];
}

type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

const servers = new Set<Server>();

/** A real HTTP server on a loopback port, closed after the test. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(seen);
    await handler(seen, res);
  });
  servers.add(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Answers `count` requests per path with `failStatus` first, then passes them to `next`. */
export function failingFirst(count: number, failStatus: number, next: Handler): Handler {
  const seen = new Map<string, number>();
  return (req, res) => {
    const path = req.url.split("?")[0]!;
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    if (n <= count) return json(res, failStatus, { status: "starting" });
    return next(req, res);
  };
}

/** /health, /ready and everything else answer 200 `{"status":"ok"}`. */
export const healthy: Handler = (_req, res) => json(res, 200, { status: "ok" });

afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  servers.clear();
});

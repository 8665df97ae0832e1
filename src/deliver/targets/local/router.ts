import {
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { performance } from "node:perf_hooks";
import { inputError } from "../../../errors.js";
import { type ReleaseRoute, RouteTable, Upstream } from "./route-table.js";

/** Headers that describe one connection, not the message; a proxy never forwards them. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
const RETRYABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const NO_INSTANCE_BODY = Buffer.from('{"error":"no healthy instance","code":"local/no-healthy-instance"}\n');
const BAD_GATEWAY_BODY = Buffer.from('{"error":"upstream failed","code":"local/bad-gateway"}\n');

export interface RouterOptions {
  port: number;
  host?: string;
}

/**
 * The environment's stable address: proxies each request to an instance chosen by the route
 * table, streaming both bodies, and counts what every release answered. Nothing is logged
 * per request and the only per-request allocations are the header lists and Node's own.
 */
export class Router {
  readonly table = new RouteTable();
  readonly port: number;
  private readonly host: string;
  private readonly server: Server;

  constructor(options: RouterOptions) {
    this.port = options.port;
    this.host = options.host ?? "127.0.0.1";
    this.server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => this.handle(req, res));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === "EADDRINUSE"
            ? inputError("local/port-in-use", `port ${this.port} is already in use by another process`, {
                hint: `stop what listens on ${this.host}:${this.port} or give the environment another port`,
              })
            : error,
        );
      };
      this.server.once("error", onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off("error", onError);
        resolve();
      });
    });
  }

  /** Stops accepting, lets answers in progress finish (bounded), then cuts what is left. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A keep-alive client that keeps sending would hold its connection open: close each
    // connection as soon as it is between two requests.
    const idle = setInterval(() => this.server.closeIdleConnections(), 20);
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), timeoutMs);
    await closed;
    clearInterval(idle);
    clearTimeout(timer);
  }

  addUpstream(releaseId: string, instanceId: string, port: number): Upstream {
    const route = this.table.release(releaseId);
    const upstream = new Upstream(instanceId, route, port);
    route.upstreams.push(upstream);
    return upstream;
  }

  setRoutable(upstream: Upstream, routable: boolean): void {
    if (upstream.routable === routable) return;
    upstream.routable = routable;
    upstream.release.refresh();
  }

  /**
   * Takes an instance out of routing and resolves once the router has no exchange open with
   * it (or after `timeoutMs`), then closes its keep-alive sockets, so that a following
   * SIGTERM meets no request of ours.
   */
  async drainUpstream(upstream: Upstream, timeoutMs: number): Promise<boolean> {
    this.setRoutable(upstream, false);
    let idle = upstream.inFlight === 0;
    if (!idle) {
      idle = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        upstream.onIdle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      upstream.onIdle = undefined;
    }
    upstream.agent.destroy();
    return idle;
  }

  removeUpstream(upstream: Upstream): void {
    const route = upstream.release;
    const index = route.upstreams.indexOf(upstream);
    if (index >= 0) route.upstreams.splice(index, 1);
    upstream.routable = false;
    route.refresh();
    upstream.agent.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    const upstream = this.table.pick();
    if (upstream === undefined) {
      res.writeHead(503, ["content-type", "application/json", "content-length", NO_INSTANCE_BODY.length]);
      res.end(NO_INSTANCE_BODY);
      return;
    }
    new Exchange(this.table, req, res, startedAt).send(upstream);
  }
}

/** One client request on its way through the router: at most two upstream attempts. */
class Exchange {
  private readonly headers: string[];
  private retryable: boolean;
  private upstream: Upstream | undefined;
  private upstreamRequest: ClientRequest | undefined;
  private upstreamResponse: IncomingMessage | undefined;
  private failed = false;

  constructor(
    private readonly table: RouteTable,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly startedAt: number,
  ) {
    this.headers = requestHeaders(req);
    // Only a request without side effects and without a body (nothing consumed) is resent.
    this.retryable = RETRYABLE_METHODS.has(req.method ?? "") && !hasBody(req);
    res.once("close", this.onClientClose);
    if (!this.retryable) req.once("error", () => this.upstreamRequest?.destroy());
  }

  send(upstream: Upstream): void {
    this.upstream = upstream;
    upstream.inFlight++;
    const upstreamRequest = request({
      host: "127.0.0.1",
      port: upstream.port,
      method: this.req.method,
      path: this.req.url,
      headers: this.headers,
      agent: upstream.agent,
    });
    this.upstreamRequest = upstreamRequest;
    upstreamRequest.once("close", () => {
      if (--upstream.inFlight === 0 && upstream.onIdle) upstream.onIdle();
    });
    upstreamRequest.once("response", this.onResponse);
    upstreamRequest.once("error", this.onUpstreamError);
    if (this.retryable) upstreamRequest.end();
    else this.req.pipe(upstreamRequest);
  }

  private readonly onResponse = (upstreamResponse: IncomingMessage): void => {
    this.upstreamResponse = upstreamResponse;
    const route = this.upstream!.release;
    this.res.writeHead(
      upstreamResponse.statusCode ?? 502,
      responseHeaders(upstreamResponse.rawHeaders, route),
    );
    upstreamResponse.pipe(this.res);
    upstreamResponse.once("error", () => this.res.destroy());
  };

  private readonly onUpstreamError = (): void => {
    const res = this.res;
    if (this.upstreamResponse !== undefined || res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    // Nothing of the answer has arrived: a request without side effects goes to another
    // instance. This is what makes an instance's crash or exit cost no request.
    if (this.retryable) {
      this.retryable = false;
      const next = this.table.pick(this.upstream);
      if (next !== undefined) {
        this.send(next);
        return;
      }
    }
    this.failed = true;
    res.writeHead(502, ["content-type", "application/json", "content-length", BAD_GATEWAY_BODY.length]);
    res.end(BAD_GATEWAY_BODY);
  };

  private readonly onClientClose = (): void => {
    const traffic = this.upstream!.release.traffic;
    const ms = performance.now() - this.startedAt;
    if (this.failed) traffic.recordFailure(ms);
    else if (this.upstreamResponse === undefined) {
      // The client went away before any answer: not the release's fault, not counted.
      this.upstreamRequest?.destroy();
    } else if (this.res.writableFinished) traffic.recordStatus(this.res.statusCode, ms);
    else {
      // The answer broke off half-way (the instance died, or the client left).
      this.upstreamResponse.destroy();
      traffic.recordFailure(ms);
    }
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function requestHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor === undefined ? raw[i + 1]! : `${forwardedFor}, ${raw[i + 1]!}`;
      continue;
    }
    if (lower === "x-forwarded-proto") continue;
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? "";
  out.push("x-forwarded-for", forwardedFor === undefined ? client : `${forwardedFor}, ${client}`);
  out.push("x-forwarded-proto", "http");
  return out;
}

function responseHeaders(raw: string[], route: ReleaseRoute): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // Node frames the answer to our client itself (length or chunked, per its HTTP version).
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1]!);
  }
  out.push("x-shipgate-release", route.id);
  return out;
}

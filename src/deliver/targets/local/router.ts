import { createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { inputError } from "../../../errors.js";
import { ClientConnection, type RouterContext } from "./client-connection.js";
import { RouteTable, Upstream } from "./route-table.js";

export interface RouterOptions {
  port: number;
  host?: string;
  /** Name the release that answered in an `x-shipgate-release` header. Default off. */
  releaseHeader?: boolean;
  /** Client connections held at once; past it, idle ones are closed first. Default 4,096. */
  maxConnections?: number;
}

const MAX_CONNECTIONS = 4_096;

/**
 * The environment's stable address: an HTTP/1.1 reverse proxy over plain sockets that sends
 * each request to an instance chosen by the route table, streams both bodies, and counts
 * what every release answered.
 *
 * It parses only the heads and the body framing itself (src/deliver/targets/local/http1/)
 * instead of going through node:http twice per request: that takes less than half the CPU
 * time per request and under a third of the garbage, both of which lengthened the tail of
 * its latency.
 */
export class Router implements RouterContext {
  readonly table = new RouteTable();
  readonly port: number;
  readonly address: string;
  closing = false;
  releaseHeader: boolean;
  private readonly maxConnections: number;
  private readonly host: string;
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection>();
  private sweeper: NodeJS.Timeout | undefined;
  private allClosed: (() => void) | undefined;

  constructor(options: RouterOptions) {
    this.port = options.port;
    this.host = options.host ?? "127.0.0.1";
    this.releaseHeader = options.releaseHeader ?? false;
    this.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    this.address = `${this.host}:${this.port}`;
    // Half-open, so that each connection decides itself when to end its side (see
    // ClientConnection.onClientEnd) rather than Node ending it on the client's FIN.
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
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
        this.sweeper = setInterval(() => this.sweep(), 1_000);
        this.sweeper.unref();
        resolve();
      });
    });
  }

  /** Stops accepting, lets answers in progress finish (bounded), then cuts what is left. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.server.listening) return;
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.closeIfIdle();
    if (this.connections.size > 0) {
      const drained = new Promise<void>((resolve) => {
        this.allClosed = resolve;
      });
      const timer = setTimeout(() => {
        for (const connection of this.connections) connection.destroy();
      }, timeoutMs);
      await drained;
      clearTimeout(timer);
    }
    await stopped;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  forget(connection: ClientConnection): void {
    this.connections.delete(connection);
    if (this.connections.size === 0) this.allClosed?.();
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
    upstream.pool.destroy();
    return idle;
  }

  removeUpstream(upstream: Upstream): void {
    const route = upstream.release;
    const index = route.upstreams.indexOf(upstream);
    if (index >= 0) route.upstreams.splice(index, 1);
    upstream.routable = false;
    route.refresh();
    upstream.pool.destroy();
  }

  private accept(socket: Socket): void {
    if (this.closing || (this.connections.size >= this.maxConnections && !this.shedIdle())) {
      socket.destroy();
      return;
    }
    this.connections.add(new ClientConnection(socket, this));
  }

  /**
   * Closes the longest-held connection that is between requests, to make room: kept-alive
   * connections nobody uses must not use up the agent's file descriptors (its control API
   * and its instances need them too). False when every connection is busy.
   */
  private shedIdle(): boolean {
    for (const connection of this.connections) {
      if (connection.idle) {
        connection.destroy();
        this.connections.delete(connection);
        return true;
      }
    }
    return false;
  }

  /** Timeouts of client connections and of idle upstream connections, once a second. */
  private sweep(): void {
    const now = performance.now();
    for (const connection of this.connections) connection.sweep(now);
    for (const route of this.table.releases) {
      for (const upstream of route.upstreams) upstream.pool.closeIdle(now);
    }
  }
}

import { connect, type Socket } from "node:net";

/** What uses a borrowed upstream connection: one client connection's exchange at a time. */
export interface UpstreamUser {
  onUpstreamData(chunk: Buffer): void;
  onUpstreamEnd(): void;
  /**
   * The connection failed or closed while borrowed (after an error, end or destroy).
   * `reached`: it had connected, so the instance may have read the request.
   */
  onUpstreamClose(reached: boolean): void;
  onUpstreamDrain(): void;
}

/** An idle connection is closed after this long, well inside the 5 s Node servers keep one open. */
export const UPSTREAM_IDLE_MS = 2_000;
const MAX_IDLE_CONNECTIONS = 64;

/**
 * One TCP connection to an instance. Its listeners are attached once and call whoever
 * borrowed it, so lending it to the next request allocates nothing.
 */
export class UpstreamConnection {
  readonly socket: Socket;
  user: UpstreamUser | undefined;
  idleSince = 0;
  /** The TCP connection was established: what is written on it reaches the instance. */
  connected = false;

  constructor(pool: UpstreamPool, host: string, port: number) {
    const socket = connect({ host, port, noDelay: true });
    this.socket = socket;
    socket.once("connect", () => {
      this.connected = true;
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.user) this.user.onUpstreamData(chunk);
      // An idle connection has nothing to say; bytes on one mean it cannot be trusted.
      else socket.destroy();
    });
    socket.on("end", () => {
      if (this.user) this.user.onUpstreamEnd();
      else socket.destroy();
    });
    socket.on("drain", () => this.user?.onUpstreamDrain());
    socket.on("error", () => {});
    socket.on("close", () => {
      pool.forget(this);
      const user = this.user;
      this.user = undefined;
      user?.onUpstreamClose(this.connected);
    });
  }
}

/**
 * Keep-alive connections to one instance, lent oldest-idle-first. Under steady traffic every
 * connection is reused in turn, so none idles out and none has to be opened while a request
 * waits. Most-recent-first reuse (tried first) kept only the top few in use: the rest idled
 * out between bursts and were reopened in the next one, when requests were already queued —
 * about 50 new connections a minute at 1,000 requests/s, overlapping a fifth of the slowest
 * 1% of requests; none with this order. The pool still shrinks when traffic falls below one
 * request per connection every `UPSTREAM_IDLE_MS`.
 */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = [];
  private readonly open = new Set<UpstreamConnection>();
  private destroyed = false;

  constructor(
    private readonly port: number,
    private readonly host = "127.0.0.1",
  ) {}

  /** An idle connection, or a new one (writes to it are queued until it connects). */
  acquire(user: UpstreamUser): UpstreamConnection {
    let connection = this.idle.shift();
    while (connection?.socket.destroyed) connection = this.idle.shift();
    if (connection === undefined) {
      connection = new UpstreamConnection(this, this.host, this.port);
      this.open.add(connection);
      if (this.destroyed) connection.socket.destroy();
    }
    connection.user = user;
    return connection;
  }

  /** Returns a connection whose exchange ended cleanly; its next read belongs to nobody. */
  release(connection: UpstreamConnection, now: number): void {
    connection.user = undefined;
    if (this.destroyed || this.idle.length >= MAX_IDLE_CONNECTIONS || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    connection.idleSince = now;
    this.idle.push(connection);
  }

  /** Closes connections idle for longer than `UPSTREAM_IDLE_MS` (oldest are at the front). */
  closeIdle(now: number): void {
    let expired = 0;
    while (expired < this.idle.length && now - this.idle[expired]!.idleSince > UPSTREAM_IDLE_MS) expired++;
    if (expired === 0) return;
    for (const connection of this.idle.splice(0, expired)) connection.socket.destroy();
  }

  /** Closes every connection, borrowed ones too; later acquisitions fail at once. */
  destroy(): void {
    this.destroyed = true;
    this.idle.length = 0;
    for (const connection of this.open) connection.socket.destroy();
  }

  forget(connection: UpstreamConnection): void {
    this.open.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
  }

  get size(): number {
    return this.open.size;
  }
}

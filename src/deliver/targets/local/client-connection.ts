import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type BodyReader, bodyReader, EMPTY_BODY } from "./http1/body-reader.js";
import {
  clientResponseHead,
  interimResponseHead,
  localAnswer,
  requestedUpgrade,
  switchingProtocolsHead,
  upstreamRequestHead,
} from "./http1/forwarded-head.js";
import {
  HEAD_END,
  isHeadError,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
  responseFraming,
} from "./http1/message-head.js";
import type { RouteTable, Upstream } from "./route-table.js";
import { Tunnel } from "./tunnel.js";
import type { UpstreamConnection, UpstreamUser } from "./upstream-pool.js";

/** What a client connection needs of its router. */
export interface RouterContext {
  readonly table: RouteTable;
  /** `host:port` the router listens on: the Host of an HTTP/1.0 request that has none. */
  readonly address: string;
  /** The router is shutting down: answers in progress finish, then each connection closes. */
  readonly closing: boolean;
  /** Name the release that answered in `x-shipgate-release` (off unless the environment asks). */
  readonly releaseHeader: boolean;
  forget(connection: ClientConnection): void;
}

/** Limits and timeouts, in bytes and milliseconds. */
export const LIMITS = {
  requestHeadBytes: 32 * 1024,
  responseHeadBytes: 64 * 1024,
  /** Bytes of pipelined requests held while one is answered, before reading pauses. */
  pendingBytes: 64 * 1024,
  /** A kept connection with no request for this long is closed. */
  idleMs: 30_000,
  /** A request head must arrive whole within this long of its first byte. */
  headMs: 60_000,
  /** An upstream that sends nothing for this long (while it owes an answer) is given up on. */
  upstreamSilenceMs: 60_000,
  /** How long a connection closed after an answer may keep sending before it is cut. */
  lingerMs: 2_000,
};

/** Body bytes up to which an answer's head and body are joined into one string for writing. */
const COALESCE_BYTES = 16 * 1024;
const RETRYABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

enum Phase {
  /** Between requests. */
  Idle,
  /** Part of a request head has arrived. */
  Head,
  /** A request is being forwarded and answered. */
  Exchange,
  /** The answer is sent and the connection is being closed; anything more is discarded. */
  Closing,
  /**
   * The instance switched protocols (a WebSocket): bytes are relayed both ways as they are
   * until either side closes. No timeout applies; the tunnel ends when its instance is drained.
   */
  Tunnel,
}

/**
 * One client connection, HTTP/1.x, one exchange at a time (pipelined requests wait their
 * turn). A request is forwarded to the instance the route table picks, over a kept
 * connection from that instance's pool; both bodies are streamed as they arrive with
 * back-pressure each way, and the answer is counted for the release that gave it.
 *
 * Its listeners are attached once; a request allocates its head strings and little else,
 * which is what keeps the router's own pauses short under load.
 */
export class ClientConnection implements UpstreamUser {
  private phase = Phase.Idle;
  /** Received bytes not yet consumed: a partial head, or pipelined requests. */
  private pending: Buffer | undefined;
  private headSearchFrom = 0;
  /** When the current phase began: the sweep's clock for idle, head and closing. */
  private since = performance.now();
  private clientEnded = false;
  private readonly clientAddress: string;

  private request: RequestHead | undefined;
  private upstreamHead = "";
  private requestBody: BodyReader = EMPTY_BODY;
  private upstream: Upstream | undefined;
  private connection: UpstreamConnection | undefined;
  /** The request may go to another instance if this one cannot be reached (see onUpstreamClose). */
  private retryable = false;
  /** The protocol this request asks to switch to, if the switch can be passed on. */
  private upgrade: string | undefined;
  private startedAt = 0;
  private closeAfter = false;
  private responseBuffer: Buffer | undefined;
  private response: ResponseHead | undefined;
  private responseBody: BodyReader = EMPTY_BODY;
  private responseEndsAtClose = false;
  private dechunk = false;
  /** The final answer's head has been written to the client. */
  private answering = false;
  private lastUpstreamActivity = 0;

  constructor(
    private readonly socket: Socket,
    private readonly context: RouterContext,
  ) {
    this.clientAddress = socket.remoteAddress ?? "";
    socket.on("data", (chunk: Buffer) => this.onClientData(chunk));
    socket.on("end", () => this.onClientEnd());
    socket.on("drain", () => this.connection?.socket.resume());
    socket.on("error", () => {});
    socket.on("close", () => this.onClientClose());
  }

  /** Called about once a second: enforces the timeouts without a timer per request. */
  sweep(now: number): void {
    switch (this.phase) {
      case Phase.Idle:
        if (now - this.since > LIMITS.idleMs) this.socket.destroy();
        break;
      case Phase.Head:
        if (now - this.since > LIMITS.headMs) this.refuse(408, "the request head did not arrive in time");
        break;
      case Phase.Closing:
        if (now - this.since > LIMITS.lingerMs) this.socket.destroy();
        break;
      case Phase.Tunnel:
        break;
      case Phase.Exchange:
        if (this.connection !== undefined && now - this.lastUpstreamActivity > LIMITS.upstreamSilenceMs) {
          this.dropUpstream();
          if (this.answering) this.abort();
          else this.answerFailure(504, "local/gateway-timeout", "the instance did not answer in time");
        }
        break;
    }
  }

  /** Between requests, with nothing received of the next one. */
  get idle(): boolean {
    return this.phase === Phase.Idle && this.pending === undefined;
  }

  /** Closes the connection now if it is between requests or a tunnel; otherwise after its answer. */
  closeIfIdle(): void {
    if (this.phase === Phase.Idle || this.phase === Phase.Head || this.phase === Phase.Tunnel)
      this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  // --- the client side -----------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    if (this.phase === Phase.Closing) return;
    if (this.phase === Phase.Exchange && !this.requestBody.done) {
      const end = this.readRequestBody(chunk, 0);
      if (end >= 0 && end < chunk.length) this.stash(chunk.subarray(end));
      return;
    }
    this.stash(chunk);
    if (this.phase !== Phase.Exchange) this.readHead();
  }

  private stash(chunk: Buffer): void {
    this.pending = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.phase === Phase.Exchange && this.pending.length > LIMITS.pendingBytes) this.socket.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    // A client that shuts its side during an exchange is taken to have left, as nginx takes
    // it: the upstream request is abandoned rather than held open for nobody.
    if (this.phase === Phase.Exchange || this.phase === Phase.Head) this.socket.destroy();
    else if (this.pending === undefined) this.socket.end();
  }

  private onClientClose(): void {
    this.context.forget(this);
    if (this.phase !== Phase.Exchange) return;
    this.phase = Phase.Closing;
    const upstream = this.upstream;
    if (this.connection !== undefined) this.dropUpstream();
    // The client left: whether before the answer or half-way through it, that is not the
    // release's doing. Counting it as a failure would let a client that cuts only the
    // canary's answers roll the canary back.
    if (upstream !== undefined) upstream.release.traffic.recordClientAbort();
  }

  private readHead(): void {
    let data = this.pending!;
    if (this.phase === Phase.Idle) {
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      let skip = 0;
      while (skip + 1 < data.length && data[skip] === 13 && data[skip + 1] === 10) skip += 2;
      if (skip > 0) {
        data = data.subarray(skip);
        if (data.length === 0) {
          this.pending = undefined;
          return;
        }
      }
      this.phase = Phase.Head;
      this.since = performance.now();
      this.headSearchFrom = 0;
    }
    const end = data.indexOf(HEAD_END, this.headSearchFrom);
    if (end < 0) {
      this.pending = data;
      if (data.length > LIMITS.requestHeadBytes) this.refuse(431, "the request head is too large");
      // Lines ended by a bare LF never make the CRLF CRLF that ends a head: answer now
      // rather than when the head time-out expires.
      else if (hasBareLineFeed(data, this.headSearchFrom))
        this.refuse(400, "a line ends in a bare LF: lines end in CRLF");
      else this.headSearchFrom = Math.max(0, data.length - 3);
      return;
    }
    if (end > LIMITS.requestHeadBytes) {
      this.refuse(431, "the request head is too large");
      return;
    }
    const head = parseRequestHead(data.toString("latin1", 0, end));
    this.pending = end + 4 < data.length ? data.subarray(end + 4) : undefined;
    if (isHeadError(head)) {
      this.refuse(head.status, head.error);
      return;
    }
    this.begin(head);
  }

  private begin(head: RequestHead): void {
    this.phase = Phase.Exchange;
    this.request = head;
    this.startedAt = performance.now();
    this.closeAfter = !head.keepAlive || this.context.closing;
    this.requestBody = bodyReader(head.framing);
    // Only a request without side effects and without a body (nothing consumed) is resent.
    this.retryable = head.framing.kind === "none" && RETRYABLE_METHODS.has(head.method);
    if (head.method === "CONNECT") {
      // A forward proxy's method: no release can answer it, so none is charged with it.
      this.refuse(405, "CONNECT is not supported: this is a reverse proxy");
      return;
    }
    this.upgrade = requestedUpgrade(head);
    this.upstreamHead = upstreamRequestHead(head, this.clientAddress, this.context.address, this.upgrade);
    const upstream = this.context.table.pick();
    if (upstream === undefined) {
      this.answerLocally(503, "local/no-healthy-instance", "no healthy instance");
      return;
    }
    this.send(upstream);
  }

  /** Forwards body bytes `chunk[offset…]`; returns where the body ended, or -1 if it was refused. */
  private readRequestBody(chunk: Buffer, offset: number): number {
    const body = this.requestBody;
    const end = body.read(chunk, offset);
    if (body.error !== undefined) {
      this.dropUpstream();
      if (this.answering) this.abort();
      else this.refuse(400, `the request body is malformed: ${body.error}`);
      return -1;
    }
    const connection = this.connection;
    if (connection !== undefined && end > offset) {
      this.lastUpstreamActivity = performance.now();
      const slice = offset === 0 && end === chunk.length ? chunk : chunk.subarray(offset, end);
      if (!connection.socket.write(slice)) this.socket.pause();
    }
    return end;
  }

  // --- the upstream side ---------------------------------------------------------------

  private send(upstream: Upstream): void {
    this.upstream = upstream;
    upstream.inFlight++;
    const connection = upstream.pool.acquire(this);
    this.connection = connection;
    this.lastUpstreamActivity = performance.now();
    const socket = connection.socket;
    const pending = this.pending;
    if (pending !== undefined && !this.requestBody.done) {
      this.pending = undefined;
      socket.cork();
      socket.write(this.upstreamHead, "latin1");
      const end = this.readRequestBody(pending, 0);
      socket.uncork();
      if (end >= 0 && end < pending.length) this.pending = pending.subarray(end);
    } else socket.write(this.upstreamHead, "latin1");
  }

  onUpstreamData(chunk: Buffer): void {
    this.lastUpstreamActivity = performance.now();
    if (this.response === undefined) this.readResponseHead(chunk);
    else this.readResponseBody(chunk, 0);
  }

  private readResponseHead(chunk: Buffer): void {
    const data = this.responseBuffer === undefined ? chunk : Buffer.concat([this.responseBuffer, chunk]);
    const end = data.indexOf(HEAD_END);
    if (end < 0) {
      if (data.length > LIMITS.responseHeadBytes)
        this.upstreamBroke(); // its answer head is too large
      else this.responseBuffer = data;
      return;
    }
    this.responseBuffer = undefined;
    const head = parseResponseHead(data.toString("latin1", 0, end));
    if (isHeadError(head)) {
      this.upstreamBroke(); // its answer is not valid HTTP
      return;
    }
    const request = this.request!;
    if (head.status < 200) {
      if (head.status === 101) {
        // Valid only as the answer to a switch the router asked for.
        if (this.upgrade === undefined) this.upstreamBroke();
        else this.startTunnel(head, data.subarray(end + 4));
        return;
      }
      if (request.minorVersion === 1) this.socket.write(interimResponseHead(head), "latin1");
      if (end + 4 < data.length) this.readResponseHead(data.subarray(end + 4));
      return;
    }
    this.response = head;
    // A refused switch: the client may already have sent bytes of the protocol it asked for,
    // which must not be read as a next request.
    if (this.upgrade !== undefined) this.closeAfter = true;
    const framing = responseFraming(head, request.method);
    this.dechunk = framing.kind === "chunked" && request.minorVersion === 0;
    this.responseEndsAtClose = framing.kind === "close";
    if (this.responseEndsAtClose || this.dechunk || this.context.closing) this.closeAfter = true;
    this.responseBody = bodyReader(framing, this.dechunk ? this.writePayload : undefined);
    const answerHead = clientResponseHead(head, {
      framing,
      dechunk: this.dechunk,
      close: this.closeAfter,
      confirmKeepAlive: request.minorVersion === 0,
      ...(this.context.releaseHeader && { release: this.upstream!.release.id }),
    });
    this.readResponseBody(data, end + 4, answerHead);
  }

  private readonly writePayload = (data: Buffer, start: number, end: number): void => {
    if (!this.socket.write(data.subarray(start, end))) this.connection?.socket.pause();
  };

  /** Passes on body bytes `data[offset…]`, after `answerHead` when this is the answer's first chunk. */
  private readResponseBody(data: Buffer, offset: number, answerHead?: string): void {
    const body = this.responseBody;
    if (answerHead !== undefined && this.dechunk) {
      // De-chunked payload is written while it is read: the head goes first.
      this.answering = true;
      this.socket.write(answerHead, "latin1");
      answerHead = undefined;
    }
    const end = body.read(data, offset);
    if (body.error !== undefined) {
      this.upstreamBroke(); // its answer body's framing is broken
      return;
    }
    let flowing = true;
    if (answerHead !== undefined) {
      this.answering = true;
      flowing = this.writeHeadAndBody(answerHead, data, offset, end);
    } else if (!this.dechunk && end > offset) {
      flowing = this.socket.write(offset === 0 && end === data.length ? data : data.subarray(offset, end));
    }
    if (!flowing) this.connection?.socket.pause();
    // Bytes after the end of an answer: the instance broke framing; its connection is not reused.
    if (body.done) this.finish(end === data.length);
  }

  /**
   * One write for the head and what came of the body with it: a small answer goes out as a
   * single string (latin1 keeps every byte as it is), which is one system call and no
   * write queue; a larger one is corked into one writev.
   */
  private writeHeadAndBody(head: string, data: Buffer, start: number, end: number): boolean {
    const socket = this.socket;
    if (end - start <= COALESCE_BYTES)
      return socket.write(head + data.toString("latin1", start, end), "latin1");
    socket.cork();
    socket.write(head, "latin1");
    const flowing = socket.write(data.subarray(start, end));
    socket.uncork();
    return flowing;
  }

  /**
   * The instance agreed to switch protocols: its 101 goes to the client, then a `Tunnel`
   * takes both sockets over (a WebSocket client whose instance is drained reconnects, to the
   * release routed then). The exchange is counted as answered now.
   */
  private startTunnel(head: ResponseHead, rest: Buffer): void {
    const upstream = this.upstream!;
    const connection = this.connection!;
    upstream.release.traffic.recordStatus(101, performance.now() - this.startedAt);
    this.releaseUpstream(upstream);
    this.phase = Phase.Tunnel;
    this.connection = undefined;
    this.upstream = undefined;
    this.answering = false;
    const socket = this.socket;
    socket.cork();
    socket.write(
      switchingProtocolsHead(
        head,
        this.upgrade!,
        this.context.releaseHeader ? upstream.release.id : undefined,
      ),
      "latin1",
    );
    if (rest.length > 0) socket.write(rest);
    socket.uncork();
    const early = this.pending;
    this.pending = undefined;
    connection.user = new Tunnel(socket, connection, early, () => this.context.forget(this));
  }

  onUpstreamDrain(): void {
    if (this.pending === undefined || this.pending.length <= LIMITS.pendingBytes) this.socket.resume();
  }

  onUpstreamEnd(): void {
    if (this.response !== undefined && this.responseEndsAtClose) this.finish(false);
    // Otherwise the close that follows is handled as a failure.
  }

  onUpstreamClose(reached: boolean): void {
    const upstream = this.upstream!;
    this.connection = undefined;
    this.releaseUpstream(upstream);
    if (this.answering) {
      this.abort();
      return;
    }
    // Nothing of the answer has arrived. A request without side effects that never reached
    // the instance (it refused the connection: stopped, or not listening yet) goes to another
    // one. One that reached it is not sent again: it may be what made the instance fail, and
    // sending it on would take the next instance down too.
    if (this.retryable && !reached && this.response === undefined) {
      this.retryable = false;
      this.responseBuffer = undefined;
      const next = this.context.table.pick(upstream);
      if (next !== undefined) {
        this.send(next);
        return;
      }
    }
    this.answerFailure(502, "local/bad-gateway", "upstream failed");
  }

  /** The instance answered something the router cannot pass on. */
  private upstreamBroke(): void {
    this.dropUpstream();
    if (this.answering) this.abort();
    else this.answerFailure(502, "local/bad-gateway", "upstream failed");
  }

  /** Gives up the current upstream connection without reusing it. */
  private dropUpstream(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.connection = undefined;
    connection.user = undefined;
    connection.socket.destroy();
    this.releaseUpstream(this.upstream!);
  }

  private releaseUpstream(upstream: Upstream): void {
    if (--upstream.inFlight === 0 && upstream.onIdle) upstream.onIdle();
  }

  // --- ending an exchange --------------------------------------------------------------

  /** The whole answer has been written to the client. */
  private finish(cleanEnd: boolean): void {
    const upstream = this.upstream!;
    const now = performance.now();
    upstream.release.traffic.recordStatus(this.response!.status, now - this.startedAt);
    const connection = this.connection;
    if (connection !== undefined) {
      this.connection = undefined;
      const reusable =
        cleanEnd && this.response!.keepAlive && !this.responseEndsAtClose && this.requestBody.done;
      if (reusable) {
        connection.socket.resume();
        upstream.pool.release(connection, now);
      } else {
        connection.user = undefined;
        connection.socket.destroy();
      }
      this.releaseUpstream(upstream);
    }
    this.complete();
  }

  /** Answers with the router's own error and counts it as a failure of the release tried. */
  private answerFailure(status: number, code: string, error: string): void {
    this.upstream?.release.traffic.recordFailure(performance.now() - this.startedAt);
    this.answerLocally(status, code, error);
  }

  private answerLocally(status: number, code: string, error: string): void {
    this.socket.write(localAnswer(status, code, error, this.mustClose()), "latin1");
    this.complete();
  }

  /** A malformed or unanswerable request: answered and the connection closed. */
  private refuse(status: number, error: string): void {
    this.closeAfter = true;
    this.socket.write(localAnswer(status, "local/bad-request", error, true), "latin1");
    this.pending = undefined;
    this.complete();
  }

  /** The answer cannot be completed: the client sees its connection cut, as it would directly. */
  private abort(): void {
    const upstream = this.upstream;
    this.dropUpstream();
    if (upstream !== undefined && this.answering) {
      upstream.release.traffic.recordFailure(performance.now() - this.startedAt);
    }
    this.answering = false;
    this.phase = Phase.Closing;
    this.socket.destroy();
  }

  /** Whether the connection ends after this answer. An unread request body would be taken for the next request. */
  private mustClose(): boolean {
    return this.closeAfter || !this.requestBody.done || this.context.closing;
  }

  private complete(): void {
    const close = this.mustClose();
    this.request = undefined;
    this.upstream = undefined;
    this.response = undefined;
    this.responseBuffer = undefined;
    this.requestBody = EMPTY_BODY;
    this.responseBody = EMPTY_BODY;
    this.answering = false;
    this.dechunk = false;
    this.responseEndsAtClose = false;
    this.upgrade = undefined;
    this.since = performance.now();
    if (close) {
      this.phase = Phase.Closing;
      this.pending = undefined;
      this.socket.end();
      this.socket.resume();
      return;
    }
    this.phase = Phase.Idle;
    if (this.socket.isPaused()) this.socket.resume();
    // Pipelined requests are read on the next tick, so a burst of them answered locally
    // does not recurse once per request.
    if (this.pending !== undefined) process.nextTick(this.readPipelined);
    else if (this.clientEnded) this.socket.end();
  }

  private readonly readPipelined = (): void => {
    if (this.phase === Phase.Idle && this.pending !== undefined && !this.socket.destroyed) this.readHead();
  };
}

/** Whether `data[from…]` holds a LF not preceded by CR. */
function hasBareLineFeed(data: Buffer, from: number): boolean {
  for (let i = data.indexOf(10, from); i >= 0; i = data.indexOf(10, i + 1)) {
    if (i === 0 || data[i - 1] !== 13) return true;
  }
  return false;
}

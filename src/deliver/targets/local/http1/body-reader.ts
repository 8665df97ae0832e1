import type { Framing } from "./message-head.js";

/**
 * Finds where one message body ends in the bytes of a connection, a chunk at a time,
 * without copying them: the router forwards bodies as they arrive and only needs to know
 * which bytes belong to this message and when it is over.
 */
export interface BodyReader {
  /**
   * Consumes body bytes of `data` from `offset` and returns the index just after the last
   * one; a result below `data.length` means the body ended there (the rest is the next
   * message). Sets `error` instead when the framing is broken.
   */
  read(data: Buffer, offset: number): number;
  readonly done: boolean;
  readonly error: string | undefined;
}

/** Receives the payload bytes `data[start, end)` of a chunked body without its framing. */
export type PayloadSink = (data: Buffer, start: number, end: number) => void;

export function bodyReader(framing: Framing, payload?: PayloadSink): BodyReader {
  switch (framing.kind) {
    case "none":
      return EMPTY_BODY;
    case "length":
      return new LengthBody(framing.length);
    case "chunked":
      return new ChunkedBody(payload);
    case "close":
      return new CloseDelimitedBody();
  }
}

class EmptyBody implements BodyReader {
  readonly done = true;
  readonly error = undefined;
  read(_data: Buffer, offset: number): number {
    return offset;
  }
}

/** Stateless, so one serves every message without a body. */
export const EMPTY_BODY: BodyReader = new EmptyBody();

class LengthBody implements BodyReader {
  done: boolean;
  readonly error = undefined;
  constructor(private remaining: number) {
    this.done = remaining === 0;
  }

  read(data: Buffer, offset: number): number {
    const take = Math.min(this.remaining, data.length - offset);
    this.remaining -= take;
    if (this.remaining === 0) this.done = true;
    return offset + take;
  }
}

/** Ends only when the connection does; the owner sets `done` on the upstream's FIN. */
class CloseDelimitedBody implements BodyReader {
  done = false;
  readonly error = undefined;
  read(data: Buffer): number {
    return data.length;
  }
}

enum Chunk {
  Size,
  SizeWhitespace,
  Extension,
  SizeLineFeed,
  Data,
  DataCarriageReturn,
  DataLineFeed,
  TrailerStart,
  Trailer,
  TrailerLineFeed,
  FinalLineFeed,
}

/** Longest chunk size accepted, in hex digits: 2^48 bytes, beyond any body worth forwarding. */
const MAX_SIZE_DIGITS = 12;
/** Bytes of chunk extensions and trailer fields together, so a peer cannot stream framing forever. */
const MAX_FRAMING_BYTES = 16 * 1024;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF … 0 [ext] CRLF trailer-fields CRLF. */
class ChunkedBody implements BodyReader {
  done = false;
  error: string | undefined;
  private state = Chunk.Size;
  private size = 0;
  private digits = 0;
  private framingBytes = 0;
  private remaining = 0;

  constructor(private readonly payload: PayloadSink | undefined) {}

  read(data: Buffer, offset: number): number {
    let i = offset;
    const n = data.length;
    while (i < n && !this.done) {
      if (this.state === Chunk.Data) {
        const take = Math.min(this.remaining, n - i);
        this.payload?.(data, i, i + take);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = Chunk.DataCarriageReturn;
        continue;
      }
      const c = data[i]!;
      i++;
      if (!this.step(c)) return i;
    }
    return i;
  }

  /** One framing byte; false (with `error` set) when it cannot be there. */
  private step(c: number): boolean {
    switch (this.state) {
      case Chunk.Size: {
        const digit = hexValue(c);
        if (digit >= 0) {
          if (++this.digits > MAX_SIZE_DIGITS) return this.broken("a chunk size is too large");
          this.size = this.size * 16 + digit;
          return true;
        }
        if (this.digits === 0) return this.broken("a chunk does not start with its size in hex");
        return this.afterSize(c);
      }
      case Chunk.SizeWhitespace:
        return this.afterSize(c);
      case Chunk.Extension:
        if (c === 13) this.state = Chunk.SizeLineFeed;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127)
          return this.broken("a control character in a chunk extension");
        else return this.countFraming();
        return true;
      case Chunk.SizeLineFeed:
        if (c !== 10) return this.broken("a chunk size line does not end in CRLF");
        if (this.size === 0) this.state = Chunk.TrailerStart;
        else {
          this.remaining = this.size;
          this.state = Chunk.Data;
        }
        this.size = 0;
        this.digits = 0;
        return true;
      case Chunk.DataCarriageReturn:
        if (c !== 13) return this.broken("chunk data is longer than its size");
        this.state = Chunk.DataLineFeed;
        return true;
      case Chunk.DataLineFeed:
        if (c !== 10) return this.broken("chunk data does not end in CRLF");
        this.state = Chunk.Size;
        return true;
      case Chunk.TrailerStart:
        if (c === 13) this.state = Chunk.FinalLineFeed;
        else if (c === 10) return this.broken("a bare LF in the trailer section");
        else if ((c < 32 && c !== 9) || c === 127)
          return this.broken("a control character in a trailer field");
        else {
          this.state = Chunk.Trailer;
          return this.countFraming();
        }
        return true;
      case Chunk.Trailer:
        if (c === 13) this.state = Chunk.TrailerLineFeed;
        else if (c === 10) return this.broken("a bare LF in the trailer section");
        else if ((c < 32 && c !== 9) || c === 127)
          return this.broken("a control character in a trailer field");
        else return this.countFraming();
        return true;
      case Chunk.TrailerLineFeed:
        if (c !== 10) return this.broken("a trailer line does not end in CRLF");
        this.state = Chunk.TrailerStart;
        return true;
      case Chunk.FinalLineFeed:
        if (c !== 10) return this.broken("the chunked body does not end in CRLF");
        this.done = true;
        return true;
      default:
        return this.broken("unreachable chunk state");
    }
  }

  /** After the size's digits: optional spaces (BWS), then `;` and an extension, or CRLF. */
  private afterSize(c: number): boolean {
    if (c === 13) this.state = Chunk.SizeLineFeed;
    else if (c === 59) this.state = Chunk.Extension;
    else if (c === 32 || c === 9) {
      this.state = Chunk.SizeWhitespace;
      return this.countFraming();
    } else return this.broken("a chunk size is followed by something other than ';' or CRLF");
    return true;
  }

  private countFraming(): boolean {
    if (++this.framingBytes > MAX_FRAMING_BYTES)
      return this.broken("chunk extensions or trailers are too long");
    return true;
  }

  private broken(why: string): false {
    this.error = why;
    return false;
  }
}

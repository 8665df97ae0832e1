import { describe, expect, it } from "vitest";
import { bodyReader, EMPTY_BODY } from "../../../../../src/deliver/targets/local/http1/body-reader.js";
import type { Framing } from "../../../../../src/deliver/targets/local/http1/message-head.js";

const NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
const CHUNKED: Framing = { kind: "chunked" };

function bytes(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

interface Outcome {
  /** Absolute index in the whole input just after the body, if it ended. */
  end: number | undefined;
  error: string | undefined;
  done: boolean;
  /** The payload the sink received, concatenated. */
  payload: Buffer;
  /** Each sink call stayed within the piece it was given. */
  sinkInBounds: boolean;
  /** After each piece: the absolute position reached and whether the reader said it was done. */
  progress: { at: number; done: boolean }[];
}

/** Feeds `data` cut at `cuts` (ascending positions) to a fresh reader, each piece as its own buffer. */
function feed(framing: Framing, data: Buffer, cuts: readonly number[]): Outcome {
  const received: Buffer[] = [];
  let sinkInBounds = true;
  let current: Buffer | undefined;
  const reader = bodyReader(framing, (buffer, start, end) => {
    if (buffer !== current || start < 0 || end > buffer.length || start > end) sinkInBounds = false;
    received.push(Buffer.from(buffer.subarray(start, end)));
  });
  const progress: { at: number; done: boolean }[] = [];
  const bounds = [0, ...cuts, data.length];
  let end: number | undefined;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const base = bounds[k]!;
    current = data.subarray(base, bounds[k + 1]!);
    const returned = reader.read(current, 0);
    if (reader.error !== undefined) break;
    expect(returned).toBeGreaterThanOrEqual(0);
    expect(returned).toBeLessThanOrEqual(current.length);
    progress.push({ at: base + returned, done: reader.done });
    if (reader.done || returned < current.length) {
      end = base + returned;
      break;
    }
  }
  return {
    end,
    error: reader.error,
    done: reader.done,
    payload: Buffer.concat(received),
    sinkInBounds,
    progress,
  };
}

/** Checks one split of `body + NEXT`: the body ends exactly at its length with the right payload. */
function expectWhole(outcome: Outcome, body: Buffer, payload: Buffer): void {
  expect(outcome.error).toBeUndefined();
  expect(outcome.end).toBe(body.length);
  expect(outcome.done).toBe(true);
  expect(outcome.sinkInBounds).toBe(true);
  expect(outcome.payload.equals(payload)).toBe(true);
  for (const step of outcome.progress) expect(step.done).toBe(step.at === body.length);
}

function feedError(text: string, cuts: readonly number[] = []): string | undefined {
  const outcome = feed(CHUNKED, bytes(text), cuts);
  expect(outcome.done).toBe(false);
  return outcome.error;
}

/** The error for `text`, checked to be the same wherever the input is split once. */
function chunkedError(text: string): string {
  const whole = feedError(text);
  expect(whole, JSON.stringify(text)).toBeDefined();
  for (let p = 1; p < text.length; p++) expect(feedError(text, [p])).toBe(whole);
  return whole!;
}

describe("bodyReader: no body", () => {
  it("is the shared empty reader, done at once, consuming nothing", () => {
    const reader = bodyReader({ kind: "none" });
    expect(reader).toBe(EMPTY_BODY);
    expect(reader.done).toBe(true);
    expect(reader.error).toBeUndefined();
    expect(reader.read(bytes(NEXT), 0)).toBe(0);
    expect(reader.read(bytes(NEXT), 7)).toBe(7);
  });
});

describe("bodyReader: Content-Length", () => {
  it("ends after exactly the length, at every split of body + next message", () => {
    const body = bytes("0123456789");
    const data = Buffer.concat([body, bytes(NEXT)]);
    for (let p = 0; p <= data.length; p++) {
      const outcome = feed({ kind: "length", length: body.length }, data, [p]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.end, `split at ${p}`).toBe(body.length);
      expect(outcome.done).toBe(true);
      for (const step of outcome.progress) expect(step.done).toBe(step.at === body.length);
    }
  });

  it("ends after exactly the length when fed one byte at a time", () => {
    const body = bytes("hello, world");
    const data = Buffer.concat([body, bytes(NEXT)]);
    const cuts = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
    const outcome = feed({ kind: "length", length: body.length }, data, cuts);
    expect(outcome.end).toBe(body.length);
    expect(outcome.progress.filter((step) => step.done)).toHaveLength(1);
  });

  it("reads from an offset and returns an absolute index", () => {
    const data = bytes(`HEAD\r\n\r\nabcde${NEXT}`);
    const reader = bodyReader({ kind: "length", length: 5 });
    expect(reader.read(data, 8)).toBe(13);
    expect(reader.done).toBe(true);
    expect(data.toString("latin1", 8, 13)).toBe("abcde");
  });

  it("consumes a short piece whole and waits for the rest", () => {
    const reader = bodyReader({ kind: "length", length: 100 });
    expect(reader.read(bytes("x".repeat(60)), 0)).toBe(60);
    expect(reader.done).toBe(false);
    expect(reader.read(bytes("y".repeat(10)), 5)).toBe(10);
    expect(reader.done).toBe(false);
    expect(reader.read(bytes("z".repeat(50)), 0)).toBe(35);
    expect(reader.done).toBe(true);
    expect(reader.error).toBeUndefined();
  });

  it("does not pass a length body to the payload sink", () => {
    const seen: number[] = [];
    const reader = bodyReader({ kind: "length", length: 3 }, (_d, s, e) => seen.push(e - s));
    reader.read(bytes("abc"), 0);
    expect(reader.done).toBe(true);
    expect(seen).toEqual([]);
  });
});

describe("bodyReader: close-delimited", () => {
  it("takes everything and is never done by itself", () => {
    const reader = bodyReader({ kind: "close" });
    expect(reader.read(bytes("abc"), 0)).toBe(3);
    expect(reader.read(bytes(`0\r\n\r\n${NEXT}`), 2)).toBe(5 + NEXT.length);
    expect(reader.done).toBe(false);
    expect(reader.error).toBeUndefined();
  });
});

interface ChunkedCase {
  name: string;
  body: string;
  payload: string;
}

const CASES: ChunkedCase[] = [
  { name: "one chunk", body: "5\r\nhello\r\n0\r\n\r\n", payload: "hello" },
  { name: "no chunks at all", body: "0\r\n\r\n", payload: "" },
  {
    name: "several chunks",
    body: "3\r\nabc\r\n1\r\nd\r\na\r\n0123456789\r\n0\r\n\r\n",
    payload: "abcd0123456789",
  },
  {
    name: "uppercase and lowercase hex",
    body: "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n",
    payload: "0123456789abcdefghijk",
  },
  { name: "leading zeros in sizes", body: "0005\r\nhello\r\n000\r\n\r\n", payload: "hello" },
  {
    name: "chunk extensions",
    body: '5;name=value\r\nhello\r\n6;a;b="quoted \\" ;\tstring"\r\n world\r\n0;last\r\n\r\n',
    payload: "hello world",
  },
  { name: "whitespace before an extension", body: "5 ;x=1\r\nhello\r\n0\t;y\r\n\r\n", payload: "hello" },
  {
    name: "trailers",
    body: "5\r\nhello\r\n0\r\nExpires: never\r\nX-Checksum: abc123\r\n\r\n",
    payload: "hello",
  },
  {
    name: "data that looks like framing",
    body: "c\r\n0\r\n\r\n\r\n\n\r\r\n5\r\n0\r\n\r\n",
    payload: "0\r\n\r\n\r\n\n\r\r\n5",
  },
  { name: "binary data", body: "4\r\n\x00\xff\r\x80\r\n0\r\n\r\n", payload: "\x00\xff\r\x80" },
];

describe("bodyReader: chunked bodies", () => {
  for (const { name, body, payload } of CASES) {
    describe(name, () => {
      const bodyBytes = bytes(body);
      const payloadBytes = bytes(payload);
      const data = Buffer.concat([bodyBytes, bytes(NEXT)]);

      it("ends at the body's length when fed whole, followed by the next message", () => {
        expectWhole(feed(CHUNKED, data, []), bodyBytes, payloadBytes);
      });

      it("ends at the body's length when fed byte by byte", () => {
        const cuts = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
        const outcome = feed(CHUNKED, data, cuts);
        expectWhole(outcome, bodyBytes, payloadBytes);
        // One step per byte of the body, done only after its last one.
        expect(outcome.progress).toHaveLength(bodyBytes.length);
      });

      it("ends at the body's length when split once at every position", () => {
        for (let p = 0; p <= data.length; p++) expectWhole(feed(CHUNKED, data, [p]), bodyBytes, payloadBytes);
      });

      it("ends at the body's length when split twice at every pair of positions", () => {
        for (let p = 1; p < bodyBytes.length; p++) {
          for (let q = p; q <= bodyBytes.length; q++) {
            expectWhole(feed(CHUNKED, data, [p, q]), bodyBytes, payloadBytes);
          }
        }
      });

      it("ends exactly at the end of the data when nothing follows", () => {
        const reader = bodyReader(CHUNKED);
        expect(reader.read(bodyBytes, 0)).toBe(bodyBytes.length);
        expect(reader.done).toBe(true);
      });

      it("is not done when the last byte is missing", () => {
        const reader = bodyReader(CHUNKED);
        const short = bodyBytes.subarray(0, bodyBytes.length - 1);
        expect(reader.read(short, 0)).toBe(short.length);
        expect(reader.done).toBe(false);
        expect(reader.error).toBeUndefined();
      });
    });
  }

  it("reads from an offset, passing the sink indexes into the buffer given", () => {
    const head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    const body = "3\r\nabc\r\n0\r\n\r\n";
    const data = bytes(`${head}${body}${NEXT}`);
    const calls: [number, number][] = [];
    const reader = bodyReader(CHUNKED, (buffer, start, end) => {
      expect(buffer).toBe(data);
      calls.push([start, end]);
    });
    expect(reader.read(data, head.length)).toBe(head.length + body.length);
    expect(reader.done).toBe(true);
    expect(calls).toEqual([[head.length + 3, head.length + 6]]);
  });

  it("works without a payload sink", () => {
    const reader = bodyReader(CHUNKED);
    expect(reader.read(bytes(`5\r\nhello\r\n0\r\n\r\n${NEXT}`), 0)).toBe(15);
    expect(reader.done).toBe(true);
  });

  it("consumes nothing more once done", () => {
    const reader = bodyReader(CHUNKED);
    reader.read(bytes("0\r\n\r\n"), 0);
    expect(reader.done).toBe(true);
    expect(reader.read(bytes("5\r\nhello\r\n"), 0)).toBe(0);
    expect(reader.read(bytes("abc"), 2)).toBe(2);
    expect(reader.error).toBeUndefined();
  });

  it("accepts the longest allowed chunk size (12 hex digits)", () => {
    const reader = bodyReader(CHUNKED);
    const line = bytes("FFFFFFFFFFFF\r\nabc");
    expect(reader.read(line, 0)).toBe(line.length);
    expect(reader.error).toBeUndefined();
    expect(reader.done).toBe(false);
    expect(feed(CHUNKED, bytes("000000000003\r\nabc\r\n0\r\n\r\n"), []).payload.toString()).toBe("abc");
  });

  it("accepts extensions and trailers of exactly 16 KiB", () => {
    const limit = 16 * 1024;
    // The first ';' after the size is not counted; the extension bytes after it are.
    const extension = bytes(`1;${"e".repeat(limit)}\r\nx\r\n0\r\n\r\n`);
    expectWhole(feed(CHUNKED, extension, []), extension, bytes("x"));
    const name = "X-Big: ";
    const trailer = bytes(`1\r\nx\r\n0\r\n${name}${"t".repeat(limit - name.length)}\r\n\r\n`);
    expectWhole(feed(CHUNKED, trailer, []), trailer, bytes("x"));
  });
});

describe("bodyReader: broken chunked bodies", () => {
  it("refuses a chunk without its size", () => {
    expect(chunkedError("\r\nhello\r\n0\r\n\r\n")).toMatch(/size/);
    expect(chunkedError(";ext\r\nhello\r\n")).toMatch(/size/);
    expect(chunkedError("5\r\nhello\r\n\r\n")).toMatch(/size/);
    expect(chunkedError(" 5\r\nhello\r\n")).toMatch(/size/);
  });

  it("refuses a size that is not hex", () => {
    expect(chunkedError("g\r\n")).toBeDefined();
    expect(chunkedError("0x5\r\nhello\r\n0\r\n\r\n")).toBeDefined();
    expect(chunkedError("-1\r\n")).toBeDefined();
    expect(chunkedError("+5\r\nhello\r\n")).toBeDefined();
    expect(chunkedError("5g\r\nhello\r\n")).toBeDefined();
  });

  it("refuses more than 12 size digits, even leading zeros", () => {
    expect(chunkedError("1000000000000\r\n")).toMatch(/too large/);
    expect(chunkedError("0000000000005\r\nhello\r\n0\r\n\r\n")).toMatch(/too large/);
    expect(chunkedError(`${"f".repeat(40)}\r\n`)).toMatch(/too large/);
  });

  it("refuses a size line that does not end in CRLF", () => {
    expect(chunkedError("5\nhello\r\n0\r\n\r\n")).toBeDefined();
    expect(chunkedError("5\rhello\r\n0\r\n\r\n")).toMatch(/CRLF/);
    expect(chunkedError("5;ext\rhello\r\n")).toMatch(/CRLF/);
  });

  it("refuses data longer than its size (no CRLF right after the data)", () => {
    expect(chunkedError("5\r\nhello!\r\n0\r\n\r\n")).toMatch(/longer than its size/);
    expect(chunkedError("3\r\nhello\r\n0\r\n\r\n")).toMatch(/longer than its size/);
  });

  it("refuses data followed by CR without LF", () => {
    expect(chunkedError("5\r\nhello\rX0\r\n\r\n")).toMatch(/CRLF/);
    expect(chunkedError("5\r\nhello\r\r\n0\r\n\r\n")).toMatch(/CRLF/);
  });

  it("refuses a bare LF in the trailer section", () => {
    expect(chunkedError("0\r\n\n")).toMatch(/bare LF/);
    expect(chunkedError("0\r\nX-Trailer: y\n\r\n")).toMatch(/bare LF/);
    expect(chunkedError("5\r\nhello\r\n0\r\nA: b\r\nC: d\nE: f\r\n\r\n")).toMatch(/bare LF/);
  });

  it("refuses a trailer line or final line ending in CR without LF", () => {
    expect(chunkedError("0\r\nX: y\rZ: w\r\n\r\n")).toMatch(/CRLF/);
    expect(chunkedError("0\r\n\rX")).toMatch(/CRLF/);
  });

  it("refuses a control character in a chunk extension", () => {
    for (const c of ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\n"]) {
      expect(chunkedError(`5;name=va${c}lue\r\nhello\r\n0\r\n\r\n`)).toMatch(/control character/);
    }
  });

  it("refuses chunk extensions longer than 16 KiB", () => {
    const limit = 16 * 1024;
    const outcome = feed(CHUNKED, bytes(`1;${"e".repeat(limit + 1)}\r\nx\r\n0\r\n\r\n`), []);
    expect(outcome.error).toMatch(/too long/);
    expect(outcome.done).toBe(false);
    // Fed in small pieces, the limit holds just the same.
    const pieces = Array.from({ length: 200 }, (_, i) => (i + 1) * 97);
    expect(feed(CHUNKED, bytes(`1;${"e".repeat(limit * 2)}\r\nx\r\n0\r\n\r\n`), pieces).error).toMatch(
      /too long/,
    );
  });

  it("counts extensions across all chunks of a body", () => {
    const chunk = `1;${"e".repeat(1024)}\r\nx\r\n`;
    const ok = bytes(`${chunk.repeat(16)}0\r\n\r\n`);
    expectWhole(feed(CHUNKED, ok, []), ok, bytes("x".repeat(16)));
    expect(feed(CHUNKED, bytes(`${chunk.repeat(17)}0\r\n\r\n`), []).error).toMatch(/too long/);
  });

  it("refuses trailers longer than 16 KiB, in one field or many", () => {
    const limit = 16 * 1024;
    expect(feed(CHUNKED, bytes(`0\r\nX-Big: ${"t".repeat(limit)}\r\n\r\n`), []).error).toMatch(/too long/);
    const many = "X-Field: value\r\n".repeat(Math.ceil(limit / 14) + 1);
    expect(feed(CHUNKED, bytes(`0\r\n${many}\r\n`), []).error).toMatch(/too long/);
  });

  it("counts extensions and trailers together", () => {
    const half = 8 * 1024;
    const body = bytes(`1;${"e".repeat(half)}\r\nx\r\n0\r\nX: ${"t".repeat(half)}\r\n\r\n`);
    expect(feed(CHUNKED, body, []).error).toMatch(/too long/);
  });
});

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("bodyReader: random chunked bodies", () => {
  it("decodes 200 random bodies split at random positions", () => {
    const random = mulberry32(0x5eed);
    const int = (below: number) => Math.floor(random() * below);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
    const extensionText = () =>
      pick([";a", ";name=value", ';q="x y;z"', " ;spaced", "\t;tab=1", `;${"p".repeat(int(40))}`]);

    for (let n = 0; n < 200; n++) {
      const parts: Buffer[] = [];
      const payloadParts: Buffer[] = [];
      const chunks = int(6);
      for (let c = 0; c < chunks; c++) {
        const size = 1 + int(n % 10 === 0 ? 3000 : 200);
        const data = Buffer.alloc(size);
        // Bytes that look like framing (CR, LF, '0', ';') are common, so data can mimic a chunk end.
        for (let i = 0; i < size; i++) data[i] = int(4) === 0 ? pick([13, 10, 48, 59]) : int(256);
        let hex = size.toString(16);
        if (int(2) === 0) hex = hex.toUpperCase();
        if (int(4) === 0) hex = "0".repeat(int(12 - hex.length + 1)) + hex;
        parts.push(bytes(`${hex}${int(3) === 0 ? extensionText() : ""}\r\n`), data, bytes("\r\n"));
        payloadParts.push(data);
      }
      let last = `${"0".repeat(1 + int(3))}${int(4) === 0 ? extensionText() : ""}\r\n`;
      const trailers = int(3);
      for (let t = 0; t < trailers; t++) last += `X-Trailer-${t}: ${"v".repeat(int(30))}\r\n`;
      parts.push(bytes(`${last}\r\n`));
      const body = Buffer.concat(parts);
      const payload = Buffer.concat(payloadParts);
      const data = Buffer.concat([body, bytes(int(2) === 0 ? NEXT : "\x16\x03\x01garbage")]);

      const cutCount = int(8);
      const cuts = new Set<number>();
      for (let k = 0; k < cutCount; k++) cuts.add(1 + int(data.length - 1));
      if (n % 25 === 0) for (let p = 1; p < data.length; p++) cuts.add(p);
      const sorted = [...cuts].sort((x, y) => x - y);

      const outcome = feed(CHUNKED, data, sorted);
      expect(outcome.error, `body ${n}`).toBeUndefined();
      expect(outcome.end, `body ${n}`).toBe(body.length);
      expect(outcome.done).toBe(true);
      expect(outcome.sinkInBounds).toBe(true);
      expect(outcome.payload.equals(payload), `body ${n}`).toBe(true);
      for (const step of outcome.progress) expect(step.done).toBe(step.at === body.length);
    }
  });
});

describe("bodyReader: stricter chunk lines", () => {
  it("allows spaces before ';' but nothing else after a size", () => {
    const spaced = bytes("5 ;ext=1\r\nhello\r\n0\r\n\r\n");
    expectWhole(feed(CHUNKED, spaced, []), spaced, bytes("hello"));
    expect(chunkedError("5 6\r\nhello\r\n0\r\n\r\n")).toMatch(/followed by/);
  });

  it("refuses a control character in a trailer field", () => {
    expect(chunkedError("0\r\nX-T: a\x00b\r\n\r\n")).toMatch(/control character/);
    expect(chunkedError("0\r\n\x01X: a\r\n\r\n")).toMatch(/control character/);
  });

  it("is done at once for a length of zero", () => {
    expect(bodyReader({ kind: "length", length: 0 }).done).toBe(true);
  });
});

import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { inputError } from "../errors.js";

export interface TextFileOptions {
  path: string;
  /** The file as errors name it. */
  file: string;
  maxBytes: number;
  /** Error codes are `<prefix>/not-a-file`, `<prefix>/too-large` and `<prefix>/invalid-utf8`. */
  prefix: string;
}

// A named pipe opened without O_NONBLOCK waits for a writer before it can be looked at.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const CHUNK = 64 * 1024;

/**
 * The bytes of a file someone wrote, read only if it is a regular file of at most `maxBytes`:
 * a device (`/dev/zero`), a pipe or an oversized file is refused before it is read, and a file
 * that grows while it is read is refused once it passes the limit. File-system errors
 * (ENOENT, EACCES, EISDIR) are thrown as they are, for the caller to word.
 */
export async function readFileBytes(options: TextFileOptions): Promise<Buffer> {
  const { file, maxBytes, prefix } = options;
  const start = { file, line: 1, column: 1 };
  const handle = await open(options.path, OPEN_FLAGS);
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: "EISDIR" });
    if (!info.isFile()) {
      const kind = info.isFIFO() ? "a pipe" : info.isSocket() ? "a socket" : "a device";
      throw inputError(`${prefix}/not-a-file`, `not a regular file but ${kind}, so it is not read`, {
        location: start,
        hint: "pass the path of a file on disk",
      });
    }
    const tooLarge = () =>
      inputError(
        `${prefix}/too-large`,
        `the file is larger than ${formatBytes(maxBytes)}, so it is not read`,
        {
          location: start,
          hint: `no real file of this kind comes near ${formatBytes(maxBytes)}: check that this is the file you meant`,
        },
      );
    if (info.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const room = maxBytes + 1 - total;
      const chunk = Buffer.allocUnsafe(Math.min(room, Math.max(CHUNK, info.size + 1 - total)));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** A text file someone wrote: as readFileBytes, and valid UTF-8 (see decodeUtf8). */
export async function readTextFile(options: TextFileOptions): Promise<string> {
  return decodeUtf8(await readFileBytes(options), {
    file: options.file,
    code: `${options.prefix}/invalid-utf8`,
  });
}

const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The text of UTF-8 bytes, or an error at the line and column of the first byte that is not
 * UTF-8: decoding it into U+FFFD would silently change a name, a path or a secret's name.
 */
export function decodeUtf8(bytes: Uint8Array, options: { file: string; code: string }): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(LF, at - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === LF) line++;
    // Columns count UTF-16 code units, as every other position shipgate reports.
    const column = STRICT.decode(bytes.subarray(lineStart, at)).length + 1;
    const byte = `0x${bytes[at]!.toString(16).padStart(2, "0")}`;
    throw inputError(options.code, `not valid UTF-8: the byte ${byte} here begins no character`, {
      location: { file: options.file, line, column },
      hint: "save the file as UTF-8; your editor's status bar shows its encoding",
    });
  }
}

const LF = 0x0a;

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (the Unicode
 * Standard's table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > n) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

import type { CliIo, OutputStream } from "./io.js";
import { STYLE_SEQUENCE } from "./style.js";

/**
 * What a terminal would act on instead of showing: C0 controls except tab and line feed (a
 * carriage return only when no line feed follows it: CRLF ends a line like LF), DEL, C1
 * controls, and the Unicode bidirectional overrides and isolates that reorder what is shown.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/g;

/** As above, but the colour codes of ./style.ts pass. */
const UNSAFE_OUTSIDE_STYLE = new RegExp(`(${STYLE_SEQUENCE.source})|${UNSAFE.source}`, "g");

/**
 * Text from files, reports and the network made safe to print: every character a terminal
 * would act on becomes a visible `\uXXXX`. That notation is also a JSON string escape of the
 * same character, so JSON passes through unchanged in meaning. With `keepStyle`, the CLI's
 * own colour codes (and only those: they set colour and weight, and cannot move the cursor,
 * erase or hide text) are kept.
 */
export function safeText(text: string, options: { keepStyle?: boolean } = {}): string {
  if (!options.keepStyle) return text.replace(UNSAFE, visible);
  return text.replace(UNSAFE_OUTSIDE_STYLE, (match, style: string | undefined) => style ?? visible(match));
}

function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** The output boundary: everything a command writes to stdout or stderr passes through safeText. */
export function safeIo(io: CliIo): CliIo {
  const safe = (stream: OutputStream): OutputStream => ({
    write: (chunk: string) => stream.write(safeText(chunk, { keepStyle: io.color })),
  });
  return { ...io, stdout: safe(io.stdout), stderr: safe(io.stderr) };
}

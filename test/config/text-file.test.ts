import { describe, expect, test } from "vitest";
import { firstInvalidUtf8 } from "../../src/config/text-file.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("firstInvalidUtf8", () => {
  test.each([
    ["valid text of every length of sequence", bytes("a é € 😀"), -1],
    ["a lone continuation byte", [0x61, 0x80], 1],
    ["an overlong encoding of '/'", [0xc0, 0xaf], 0],
    ["an overlong three-byte form", [0xe0, 0x80, 0xaf], 0],
    ["a UTF-16 surrogate", [0x61, 0xed, 0xa0, 0x80], 1],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a sequence cut off by the end", [0x61, 0x62, 0xe2, 0x82], 2],
    ["a byte that never starts a sequence", [0xff], 0],
  ])("%s", (_, input, expected) => {
    expect(firstInvalidUtf8(Uint8Array.from(input as Iterable<number>))).toBe(expected);
  });
});

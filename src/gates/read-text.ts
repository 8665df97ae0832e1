import { open, readFile, stat } from "node:fs/promises";
import { inputError, isShipgateError } from "../errors.js";
import { MAX_REPORT_BYTES } from "./limits.js";
import { unreadableReport } from "./report-errors.js";

/** Enough of a file to tell formats apart: every format names itself in its first few KB. */
const HEAD_BYTES = 16 * 1024;

/**
 * The first bytes of a report, BOM removed; an error when the file is missing or empty.
 * `accepted` names the formats the gate reads and `whenEmpty` why such a report may be empty,
 * for the error's hint.
 */
export async function readHead(
  file: string,
  options: { accepted?: string; whenEmpty?: string } = {},
): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw unreadableReport(file, error);
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const head = stripBom(buffer.subarray(0, bytesRead).toString("utf8"));
    if (head.trim() === "") throw emptyReport(file, options);
    return head;
  } catch (error) {
    if (isShipgateError(error)) throw error;
    throw unreadableReport(file, error);
  } finally {
    await handle.close();
  }
}

/**
 * The whole report as text, BOM removed, for the formats that are parsed whole. Those hold the
 * text and its parsed tree at once, so a report over MAX_REPORT_BYTES is refused unread.
 */
export async function readReportText(file: string): Promise<string> {
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > MAX_REPORT_BYTES) throw tooLarge(file, size);
    text = await readFile(file, "utf8");
  } catch (error) {
    if (isShipgateError(error)) throw error;
    throw unreadableReport(file, error);
  }
  text = stripBom(text);
  if (text.trim() === "") throw emptyReport(file);
  return text;
}

function tooLarge(file: string, size: number) {
  return inputError(
    "gate/report-too-large",
    `report ${file} is ${size.toLocaleString("en")} bytes, larger than the ${MAX_REPORT_BYTES / 1024 / 1024} MiB a report may be`,
    {
      hint: "split it (one file per test suite or per scan), or check that the step wrote the report and nothing else into it",
    },
  );
}

function emptyReport(file: string, options: { accepted?: string; whenEmpty?: string } = {}) {
  const { accepted, whenEmpty } = options;
  return inputError("gate/report-empty", `report ${file} is empty`, {
    hint: `the tool that writes it probably failed or wrote elsewhere; check its step's log${
      accepted ? ` (expected ${accepted})` : ""
    }${whenEmpty ? `; ${whenEmpty}` : ""}`,
  });
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

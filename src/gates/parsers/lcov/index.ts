import { addRatios, ratio } from "../../ratio.js";
import { readReportText } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import type { CoverageReport, FileCoverage } from "../../types.js";
import { correctionNote, statementsHit } from "./coverage-py.js";

/** lcov tracefiles as c8, nyc, jest, vitest, pytest-cov and genhtml's lcov write them. */
export const id = "lcov";
export const kind = "coverage";
export const label = "lcov";

export function sniff(head: string): boolean {
  return /^\s*(TN|SF|VER):/.test(head);
}

interface RecordCounts {
  file: string;
  lf?: number;
  lh?: number;
  brf?: number;
  brh?: number;
  /** 0-based lines of LH and BRH, to point at one that is more than its total. */
  lhAt?: number;
  brhAt?: number;
  /**
   * DA line numbers and whether each ran: the line data for tracefiles without LF/LH, and
   * what shows coverage.py's miscounted LH (coverage-py.ts).
   */
  da: Map<number, boolean>;
  /** Counted from BRDA lines for tracefiles without the BRF/BRH summary lines. */
  brdaTotal: number;
  brdaHit: number;
}

export async function parse(file: string): Promise<CoverageReport> {
  const text = await readReportText(file);
  const lines = text.split(/\r?\n/);
  const files: FileCoverage[] = [];
  const notes: string[] = [];
  let sawBranchData = false;
  let current: RecordCounts | undefined;

  const fail = (index: number, what: string) =>
    malformedReport(file, label, what, { location: { file, line: index + 1, column: 1 } });

  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    if (line === "end_of_record") {
      if (!current) throw fail(index, "end_of_record without a preceding SF: line");
      const corrected = statementsHit(current);
      if (corrected !== undefined) {
        notes.push(correctionNote(current.file, current.lh!, current.lf!, corrected));
        current.lh = corrected;
      }
      checkHitsWithinTotals(current, fail);
      const { lines: l, branches } = countsOf(current);
      if (branches) sawBranchData = true;
      files.push({ file: current.file, lines: l, branches });
      current = undefined;
      return;
    }
    const match = /^([A-Z_]+):(.*)$/.exec(line);
    if (!match) throw fail(index, `unexpected line "${truncate(line)}"; lcov lines look like KEY:value`);
    const [, key, value] = match as unknown as [string, string, string];
    if (key === "TN" || key === "VER") return;
    if (key === "SF") {
      if (current) throw fail(index, `SF:${value} starts before the record for ${current.file} ended`);
      current = { file: value, da: new Map(), brdaTotal: 0, brdaHit: 0 };
      return;
    }
    if (!current) throw fail(index, `${key}: line outside a record (no SF: line before it)`);
    const fields = (text: string, least: number, form: string): [string, string, ...string[]] => {
      const parts = text.split(",");
      if (parts.length < least) throw fail(index, `${key}: expects ${form}, found "${truncate(text)}"`);
      return parts as [string, string, ...string[]];
    };
    const count = (text: string) => {
      if (!/^\d+$/.test(text)) throw fail(index, `${key}: expects a whole number, found "${truncate(text)}"`);
      return Number(text);
    };
    switch (key) {
      case "LF":
        current.lf = count(value);
        break;
      case "LH":
        current.lh = count(value);
        current.lhAt = index;
        break;
      case "BRF":
        current.brf = count(value);
        break;
      case "BRH":
        current.brh = count(value);
        current.brhAt = index;
        break;
      case "DA": {
        // DA:<line>,<hits>[,<checksum>]
        const [line, hits] = fields(value, 2, "DA:<line>,<hits>");
        const number = count(line);
        // A line written twice (merged tracefiles) is one line that ran if either says so.
        current.da.set(number, current.da.get(number) === true || count(hits) > 0);
        break;
      }
      case "BRDA": {
        // BRDA:<line>,<block>,<branch>,<taken>; lcov 2 may write an expression with commas as
        // the branch, so taken is the last field.
        const parts = fields(value, 4, "BRDA:<line>,<block>,<branch>,<taken>");
        count(parts[0]);
        const taken = parts[parts.length - 1]!;
        current.brdaTotal += 1;
        if (taken !== "-" && count(taken) > 0) current.brdaHit += 1;
        break;
      }
      default:
        // FN, FNDA, FNF, FNH and newer keys carry nothing the gate reads.
        break;
    }
  });

  if (current) {
    throw malformedReport(file, label, `the file ends inside the record for ${current.file}`, {
      location: { file, line: lines.length, column: 1 },
      hint: "the tracefile is cut off (no end_of_record); regenerate it",
    });
  }
  if (files.length === 0) {
    throw malformedReport(file, label, "no SF: records; the report covers no files", {
      hint: "check that the tests ran with coverage enabled and include your source files",
    });
  }
  return {
    kind: "coverage",
    format: id,
    file,
    lines: addRatios(files.map((f) => f.lines)),
    branches: sawBranchData ? addRatios(files.flatMap((f) => (f.branches ? [f.branches] : []))) : null,
    files,
    notes,
  };
}

/** A record that says more lines (or branches) were hit than it has cannot be trusted. */
function checkHitsWithinTotals(record: RecordCounts, fail: (index: number, what: string) => Error) {
  const { file, lf, lh, brf, brh } = record;
  if (lf !== undefined && lh !== undefined && lh > lf) {
    throw fail(record.lhAt!, `LH:${lh} is more than LF:${lf} in the record for ${file}`);
  }
  if (brf !== undefined && brh !== undefined && brh > brf) {
    throw fail(record.brhAt!, `BRH:${brh} is more than BRF:${brf} in the record for ${file}`);
  }
}

function countsOf(record: RecordCounts) {
  const ran = [...record.da.values()].filter(Boolean).length;
  const lines = record.lf !== undefined ? ratio(record.lh ?? 0, record.lf) : ratio(ran, record.da.size);
  const branches =
    record.brf !== undefined
      ? ratio(record.brh ?? 0, record.brf)
      : record.brdaTotal > 0
        ? ratio(record.brdaHit, record.brdaTotal)
        : null;
  return { lines, branches };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

import { addRatios, ratio } from "../../ratio.js";
import { readReportText } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import type { CoverageReport, FileCoverage, Ratio } from "../../types.js";
import { list, parseXml } from "../../xml.js";

/** Cobertura XML: coverage.py's `coverage xml`, JaCoCo via cover2cover, gcovr, Istanbul's cobertura. */
export const id = "cobertura";
export const kind = "coverage";
export const label = "Cobertura XML";

export function sniff(head: string): boolean {
  return /<coverage\b[^>]*\bline-rate\s*=/.test(head);
}

const ARRAYS: ReadonlySet<string> = new Set(["source", "package", "class", "line", "method"]);

type Element = Record<string, unknown>;

export async function parse(file: string): Promise<CoverageReport> {
  const text = await readReportText(file);
  const doc = parseXml(file, text, label, { arrays: ARRAYS });
  const root = doc.coverage as Element | undefined;
  if (!root || typeof root !== "object") {
    throw malformedReport(file, label, "the root element is not <coverage>");
  }
  const number = (element: Element, name: string): number | undefined => {
    const raw = element[`@${name}`];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
      throw malformedReport(file, label, `attribute ${name}="${String(raw)}" is not a number`);
    }
    return value;
  };

  const files = filesOf(root, (what) => malformedReport(file, label, what));
  const linesValid = number(root, "lines-valid");
  const linesCovered = number(root, "lines-covered");
  const branchesValid = number(root, "branches-valid");
  const branchesCovered = number(root, "branches-covered");

  // The totals on <coverage> are what the tool itself reports; per-line sums are the fallback
  // for writers that leave them out.
  let lines: Ratio;
  if (linesValid !== undefined && linesCovered !== undefined) lines = ratio(linesCovered, linesValid);
  else if (files.length > 0) lines = addRatios(files.map((f) => f.lines));
  else {
    throw malformedReport(file, label, "no lines-valid/lines-covered totals and no <class> elements", {
      hint: "the report covers no files; check that the tests ran with coverage enabled",
    });
  }

  let branches: Ratio | null;
  if (branchesValid !== undefined && branchesCovered !== undefined) {
    // coverage.py without --branch writes branches-valid="0": branch coverage was not measured.
    branches = branchesValid > 0 ? ratio(branchesCovered, branchesValid) : null;
  } else {
    const measured = files.flatMap((f) => (f.branches ? [f.branches] : []));
    branches = measured.length > 0 ? addRatios(measured) : null;
  }

  return { kind: "coverage", format: id, file, lines, branches, files };
}

/** Per source file: classes that share a filename (inner classes, JaCoCo) are one file. */
function filesOf(root: Element, fail: (what: string) => Error): FileCoverage[] {
  const byFile = new Map<string, { hits: Map<number, number>; branches: Map<number, [number, number]> }>();
  const packages = list<Element>((root.packages as Element | undefined)?.package);
  for (const pkg of packages) {
    for (const cls of list<Element>((pkg.classes as Element | undefined)?.class)) {
      const filename = String(cls["@filename"] ?? cls["@name"] ?? "");
      if (!filename) throw fail("a <class> element has neither filename nor name");
      const entry = byFile.get(filename) ?? { hits: new Map(), branches: new Map() };
      byFile.set(filename, entry);
      for (const line of list<Element>((cls.lines as Element | undefined)?.line)) {
        const number = Number(line["@number"]);
        const hits = Number(line["@hits"]);
        if (!Number.isFinite(number) || !Number.isFinite(hits)) {
          throw fail(
            `<line number="${line["@number"]}" hits="${line["@hits"]}"> in ${filename} is not numeric`,
          );
        }
        entry.hits.set(number, Math.max(hits, entry.hits.get(number) ?? 0));
        const condition = /\((\d+)\/(\d+)\)/.exec(String(line["@condition-coverage"] ?? ""));
        if (line["@branch"] === "true" && condition) {
          entry.branches.set(number, [Number(condition[1]), Number(condition[2])]);
        }
      }
    }
  }
  return [...byFile].map(([file, { hits, branches }]) => {
    const hitLines = [...hits.values()].filter((h) => h > 0).length;
    const branchCounts = [...branches.values()];
    return {
      file,
      lines: ratio(hitLines, hits.size),
      branches:
        branchCounts.length > 0
          ? ratio(
              branchCounts.reduce((sum, [covered]) => sum + covered, 0),
              branchCounts.reduce((sum, [, total]) => sum + total, 0),
            )
          : null,
    };
  });
}

import { addRatios, ratio } from "../../ratio.js";
import { readReportText } from "../../read-text.js";
import type { CoverageReport, FileCoverage, Ratio } from "../../types.js";
import { checkStructure, childrenNamed, parseXml, type XmlElement, type XmlReport } from "../../xml.js";

/** Cobertura XML: coverage.py's `coverage xml`, JaCoCo via cover2cover, gcovr, Istanbul's cobertura. */
export const id = "cobertura";
export const kind = "coverage";
export const label = "Cobertura XML";

export function sniff(head: string): boolean {
  return /<coverage\b[^>]*\bline-rate\s*=/.test(head);
}

/** coverage-04.dtd: where each element the parser reads may be, and which appear once. */
const STRUCTURE = {
  parents: {
    packages: ["coverage"],
    package: ["packages"],
    classes: ["package"],
    class: ["classes"],
    methods: ["class"],
    method: ["methods"],
    lines: ["class", "method"],
    line: ["lines"],
  },
  once: new Set(["packages", "classes", "methods", "lines"]),
  format: "Cobertura XML",
};

export async function parse(file: string): Promise<CoverageReport> {
  const text = await readReportText(file);
  const xml = parseXml(file, text, label);
  const { root } = xml;
  if (root.name !== "coverage")
    throw xml.malformed(root, `the root element is <${root.name}>, not <coverage>`);
  checkStructure(xml, STRUCTURE);

  const files = filesOf(xml);
  // The totals on <coverage> are what the tool itself reports; per-line sums are the fallback
  // for writers that leave them out.
  const lineTotals = totals(xml, root, "lines");
  let lines: Ratio;
  if (lineTotals) lines = lineTotals;
  else if (files.length > 0) lines = addRatios(files.map((f) => f.lines));
  else {
    throw xml.malformed(
      root,
      "no lines-valid/lines-covered totals and no <class> elements",
      "the report covers no files; check that the tests ran with coverage enabled",
    );
  }

  let branches: Ratio | null;
  const branchTotals = totals(xml, root, "branches");
  if (branchTotals) {
    // coverage.py without --branch writes branches-valid="0": branch coverage was not measured.
    branches = branchTotals.total > 0 ? branchTotals : null;
  } else {
    const measured = files.flatMap((f) => (f.branches ? [f.branches] : []));
    branches = measured.length > 0 ? addRatios(measured) : null;
  }

  return { kind: "coverage", format: id, file, lines, branches, files, notes: [] };
}

/** `lines-covered` of `lines-valid` (or branches), when <coverage> has both. */
function totals(xml: XmlReport, root: XmlElement, what: "lines" | "branches"): Ratio | undefined {
  const valid = count(xml, root, `${what}-valid`);
  const covered = count(xml, root, `${what}-covered`);
  if (valid === undefined || covered === undefined) return undefined;
  if (covered > valid) {
    throw xml.malformed(root, `${what}-covered="${covered}" is more than ${what}-valid="${valid}"`);
  }
  return ratio(covered, valid);
}

/** A whole-number attribute; undefined when absent. */
function count(xml: XmlReport, element: XmlElement, name: string): number | undefined {
  const raw = element.attributes[name];
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) {
    throw xml.malformed(element, `<${element.name}> attribute ${name}="${raw}" is not a whole number`);
  }
  return Number(raw);
}

/** Per source file: classes that share a filename (inner classes, JaCoCo) are one file. */
function filesOf(xml: XmlReport): FileCoverage[] {
  const byFile = new Map<string, { hits: Map<number, number>; branches: Map<number, [number, number]> }>();
  const classes = childrenNamed(xml.root, "packages")
    .flatMap((p) => childrenNamed(p, "package"))
    .flatMap((p) => childrenNamed(p, "classes"))
    .flatMap((c) => childrenNamed(c, "class"));
  for (const cls of classes) {
    const filename = cls.attributes.filename || cls.attributes.name;
    if (!filename) throw xml.malformed(cls, "a <class> element has neither filename nor name");
    const entry = byFile.get(filename) ?? { hits: new Map(), branches: new Map() };
    byFile.set(filename, entry);
    for (const line of childrenNamed(cls, "lines").flatMap((l) => childrenNamed(l, "line"))) {
      const number = count(xml, line, "number");
      const hits = count(xml, line, "hits");
      if (number === undefined || hits === undefined) {
        throw xml.malformed(
          line,
          `a <line> in ${filename} has no ${number === undefined ? "number" : "hits"}`,
        );
      }
      entry.hits.set(number, Math.max(hits, entry.hits.get(number) ?? 0));
      if (line.attributes.branch === "true") entry.branches.set(number, conditions(xml, line));
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

/** Covered and total branches of a branch line: condition-coverage="50% (1/2)". */
function conditions(xml: XmlReport, line: XmlElement): [number, number] {
  const raw = line.attributes["condition-coverage"] ?? "";
  const match = /\((\d+)\/(\d+)\)/.exec(raw);
  const [covered, total] = match ? [Number(match[1]), Number(match[2])] : [];
  if (covered === undefined || total === undefined || covered > total) {
    throw xml.malformed(
      line,
      `<line branch="true"> has condition-coverage="${raw}", not covered/total branches such as "50% (1/2)"`,
    );
  }
  return [covered, total];
}

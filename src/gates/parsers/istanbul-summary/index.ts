import { z } from "zod";
import { checkShape, parseJson } from "../../json.js";
import { ratio } from "../../ratio.js";
import { readReportText } from "../../read-text.js";
import type { CoverageReport, FileCoverage, Ratio } from "../../types.js";

/** Istanbul's json-summary reporter (`coverage-summary.json`) from nyc, jest, c8 and vitest. */
export const id = "istanbul-summary";
export const kind = "coverage";
export const label = "Istanbul coverage-summary.json";

export function sniff(head: string): boolean {
  return /^\s*\{\s*"total"\s*:\s*\{/.test(head) && /"pct"\s*:/.test(head);
}

// pct is "Unknown" in older Istanbul versions when there is nothing to cover.
const Metric = z
  .object({
    total: z.number().int().min(0),
    covered: z.number().int().min(0),
    pct: z.union([z.number(), z.string()]).optional(),
  })
  .refine((m) => m.covered <= m.total, {
    message: "covered is more than total, so the counts cannot be trusted",
  });
const FileSummary = z.object({ lines: Metric, branches: Metric.optional() });
const Summary = z.object({ total: FileSummary }).catchall(FileSummary);

export async function parse(file: string): Promise<CoverageReport> {
  const text = await readReportText(file);
  const data = checkShape(
    { file, text, label },
    Summary,
    await parseJson(file, text, label),
    'write it with the "json-summary" reporter (coverage-summary.json), not "json" (coverage-final.json)',
  );
  const { total, ...perFile } = data;
  const files: FileCoverage[] = Object.entries(perFile).map(([path, summary]) => ({
    file: path,
    lines: ratioOf(summary.lines),
    branches: summary.branches ? ratioOf(summary.branches) : null,
  }));
  return {
    kind: "coverage",
    format: id,
    file,
    lines: ratioOf(total.lines),
    // Istanbul always writes branches; a total of 0 means the code has no branches (100%).
    branches: total.branches ? ratioOf(total.branches) : null,
    files,
    notes: [],
  };
}

function ratioOf(metric: z.infer<typeof Metric>): Ratio {
  return ratio(metric.covered, metric.total);
}

import { z } from "zod";
import { readTextFile } from "../config/text-file.js";
import { isShipgateError, ShipgateError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { SourceFile } from "./model/source.js";
import type { Finding } from "./types.js";

/**
 * Accepted findings, by fingerprint (line numbers left out, so edits elsewhere in a file do
 * not resurrect them). With a baseline, CI fails only on findings that are new — adopting
 * shipgate, or upgrading to a version with more rules, does not turn CI red.
 */
export const BaselineSchema = z.strictObject({
  version: z.literal(1),
  tool: z.literal("shipgate"),
  findings: z.array(
    z.strictObject({ ruleId: z.string(), file: z.string(), fingerprint: z.string(), message: z.string() }),
  ),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export function createBaseline(findings: Finding[]): Baseline {
  const entries = findings
    .map((f) => ({ ruleId: f.ruleId, file: f.file, fingerprint: f.fingerprint, message: f.message }))
    .sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.ruleId.localeCompare(b.ruleId) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
  return { version: 1, tool: "shipgate", findings: entries };
}

export async function writeBaseline(path: string, findings: Finding[]): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(createBaseline(findings), null, 2)}\n`);
}

/** Far above any real baseline (a few hundred bytes per accepted finding). */
const MAX_BASELINE_BYTES = 32 * 1024 * 1024;

export async function readBaseline(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readTextFile({ path, file: path, maxBytes: MAX_BASELINE_BYTES, prefix: "audit" });
  } catch (error) {
    if (isShipgateError(error)) throw error;
    throw new ShipgateError({
      code: "audit/baseline-not-found",
      message: `cannot read baseline ${path}`,
      hint: "create one with `shipgate audit --write-baseline <file>`",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
    throw new ShipgateError({
      code: "audit/baseline-invalid",
      message: `${path} is not JSON: ${message}`,
      location: { file: path, ...new SourceFile(path, text).position(at) },
      hint: "regenerate it with `shipgate audit --write-baseline <file>`",
    });
  }
  const parsed = BaselineSchema.safeParse(json);
  if (!parsed.success) {
    throw new ShipgateError({
      code: "audit/baseline-invalid",
      message: `${path} is not a shipgate baseline: ${parsed.error.issues[0]?.message}`,
      location: { file: path, line: 1, column: 1 },
      hint: "regenerate it with `shipgate audit --write-baseline <file>`",
    });
  }
  return new Set(parsed.data.findings.map((f) => f.fingerprint));
}

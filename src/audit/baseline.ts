import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ShipgateError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
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

export async function readBaseline(path: string): Promise<Set<string>> {
  const text = await readFile(path, "utf8").catch(() => {
    throw new ShipgateError({
      code: "audit/baseline-not-found",
      message: `cannot read baseline ${path}`,
      hint: "create one with `shipgate audit --write-baseline <file>`",
    });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShipgateError({
      code: "audit/baseline-invalid",
      message: `${path} is not JSON: ${(error as Error).message}`,
      location: { file: path, line: 1, column: 1 },
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

import { z } from "zod";
import type { VulnSeverity } from "../../../config/schema.js";
import { checkShape, parseJson, shapeError } from "../../json.js";
import { locateInText } from "../../json-locate.js";
import { readReportText } from "../../read-text.js";
import { malformedReport } from "../../report-errors.js";
import { severityFromCvss } from "../../severity.js";
import type { VulnFinding, VulnReport } from "../../types.js";
import { isSecurityResult, notSecurityNote } from "./security.js";

/** SARIF 2.1.0 from CodeQL, Semgrep, Trivy, Grype, Snyk and other scanners. */
export const id = "sarif";
export const kind = "vulns";
export const label = "SARIF 2.1.0";

export function sniff(head: string): boolean {
  return (
    /"\$schema"\s*:\s*"[^"]*sarif/i.test(head) ||
    (/"version"\s*:\s*"2\.1\.0"/.test(head) && /"runs"\s*:/.test(head))
  );
}

/** GitHub code scanning reads `security-severity` as a CVSS score, 0.0 to 10.0, usually a string. */
const Score = z
  .union([z.number(), z.string()])
  .refine((raw) => cvss(raw) !== undefined, { message: "not a CVSS score from 0.0 to 10.0" });
const Properties = z
  .looseObject({ "security-severity": Score.optional(), tags: z.array(z.string()).optional() })
  .optional();
const Rule = z.object({
  id: z.string(),
  shortDescription: z.object({ text: z.string() }).optional(),
  helpUri: z.string().optional(),
  defaultConfiguration: z.object({ level: z.string().optional() }).optional(),
  // flawfinder names a rule's weaknesses only here, as links into the CWE taxonomy.
  relationships: z
    .array(
      z.object({
        target: z.object({
          id: z.string().optional(),
          toolComponent: z.object({ name: z.string().optional() }).optional(),
        }),
      }),
    )
    .optional(),
  properties: Properties,
});
const Component = z.object({ name: z.string().optional(), rules: z.array(Rule).optional() });
const Result = z.object({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  rule: z
    .object({
      id: z.string().optional(),
      index: z.number().int().optional(),
      toolComponent: z.object({ index: z.number().int().optional() }).optional(),
    })
    .optional(),
  level: z.enum(["none", "note", "warning", "error"]).optional(),
  // An unknown kind would otherwise be read as "not a failure" and dropped.
  kind: z.enum(["notApplicable", "pass", "fail", "review", "open", "informational"]).optional(),
  baselineState: z.enum(["new", "unchanged", "updated", "absent"]).optional(),
  message: z.object({ text: z.string().optional() }).optional(),
  locations: z
    .array(
      z.object({
        physicalLocation: z
          .object({
            artifactLocation: z.object({ uri: z.string().optional() }).optional(),
            region: z.object({ startLine: z.number().optional() }).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  suppressions: z
    .array(z.object({ status: z.enum(["accepted", "underReview", "rejected"]).optional() }))
    .optional(),
  properties: Properties,
});
const Run = z.object({
  tool: z.object({ driver: Component, extensions: z.array(Component).optional() }),
  // SARIF leaves results out only when the tool failed to start, or when a run carries rule
  // metadata and no scan; a scan that found nothing writes an empty array.
  results: z.array(Result, {
    error: (issue) =>
      issue.input == null
        ? "missing: a run without results is not a finished scan (SARIF leaves them out when the tool failed to start); a scan that found nothing writes []"
        : undefined,
  }),
  invocations: z.array(z.object({ executionSuccessful: z.boolean().optional() })).optional(),
});
const Log = z.object({ version: z.string(), runs: z.array(Run) });

type Rule = z.infer<typeof Rule>;
type Run = z.infer<typeof Run>;
type Result = z.infer<typeof Result>;

const LEVEL_SEVERITY: Record<string, VulnSeverity> = {
  error: "high",
  warning: "medium",
  note: "low",
  none: "low",
};

export async function parse(file: string): Promise<VulnReport> {
  const text = await readReportText(file);
  const log = checkShape({ file, text, label }, Log, await parseJson(file, text, label));
  if (log.version !== "2.1.0") {
    throw malformedReport(file, label, `SARIF version ${log.version} is not supported (only 2.1.0)`, {
      hint: "ask the scanner for SARIF 2.1.0, the version GitHub code scanning reads",
    });
  }
  for (const [runIndex, run] of log.runs.entries()) {
    const failed = run.invocations?.findIndex((i) => i.executionSuccessful === false) ?? -1;
    if (failed === -1) continue;
    const path = ["runs", runIndex, "invocations", failed, "executionSuccessful"];
    throw shapeError(
      file,
      label,
      path,
      "false: the scanner says it did not finish, so its results are partial",
      {
        location: locateInText(file, text, { path }),
        hint: "look at the scanner's own output in its step (toolExecutionNotifications in the log) and fix the run",
      },
    );
  }
  const findings: VulnFinding[] = [];
  let suppressed = 0;
  let notFailures = 0;
  const notSecurity = new Map<string, number>();
  log.runs.forEach((run, runIndex) => {
    run.results.forEach((result, resultIndex) => {
      // Only kind "fail" (the default) is a problem; pass/review/informational are not findings.
      if ((result.kind !== undefined && result.kind !== "fail") || result.baselineState === "absent") {
        notFailures += 1;
        return;
      }
      if (result.suppressions?.some((s) => s.status === undefined || s.status === "accepted")) {
        suppressed += 1;
        return;
      }
      const rule = ruleOf(run, result);
      const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id;
      if (!ruleId) {
        throw malformedReport(file, label, `runs[${runIndex}].results[${resultIndex}] has no ruleId`);
      }
      if (!isSecurityResult(result, rule)) {
        const key = `${run.tool.driver.name ?? "the tool"}'s ${ruleId}`;
        notSecurity.set(key, (notSecurity.get(key) ?? 0) + 1);
        return;
      }
      const { severity, reported } = severityOf(result, rule);
      const location = result.locations?.[0]?.physicalLocation;
      const uri = location?.artifactLocation?.uri;
      const line = location?.region?.startLine;
      const title = rule?.shortDescription?.text ?? result.message?.text?.split("\n")[0];
      findings.push({
        id: ruleId,
        aliases: [],
        severity,
        reportedSeverity: reported,
        ...(title && { title }),
        ...(rule?.helpUri && { url: rule.helpUri }),
        ...(uri && { target: line ? `${uri}:${line}` : uri }),
      });
    });
  });
  const notes: string[] = [];
  if (suppressed > 0)
    notes.push(`${suppressed} result${plural(suppressed)} suppressed in the SARIF log not counted`);
  if (notFailures > 0) {
    notes.push(
      `${notFailures} result${plural(notFailures)} that are not failures (kind pass/review, or absent) not counted`,
    );
  }
  if (notSecurity.size > 0) notes.push(notSecurityNote(notSecurity));
  return { kind: "vulns", format: id, file, findings, notes };
}

/** The rule a result points at: by index into its tool component (CodeQL's extensions), else by id. */
function ruleOf(run: Run, result: Result): Rule | undefined {
  const componentIndex = result.rule?.toolComponent?.index;
  const component = componentIndex === undefined ? run.tool.driver : run.tool.extensions?.[componentIndex];
  const index = result.ruleIndex ?? result.rule?.index;
  if (index !== undefined && component?.rules?.[index]) return component.rules[index];
  const id = result.ruleId ?? result.rule?.id;
  if (id === undefined) return undefined;
  for (const c of [run.tool.driver, ...(run.tool.extensions ?? [])]) {
    const found = c.rules?.find((r) => r.id === id);
    if (found) return found;
  }
  return undefined;
}

/** `security-severity` (a CVSS score, as GitHub reads it) wins; the SARIF level is the fallback. */
function severityOf(result: Result, rule: Rule | undefined): { severity: VulnSeverity; reported: string } {
  const raw = result.properties?.["security-severity"] ?? rule?.properties?.["security-severity"];
  const score = raw === undefined ? undefined : cvss(raw);
  if (score !== undefined)
    return { severity: severityFromCvss(score), reported: `security-severity ${score}` };
  const level = result.level ?? rule?.defaultConfiguration?.level ?? "warning";
  return { severity: LEVEL_SEVERITY[level] ?? "medium", reported: `level ${level}` };
}

function cvss(raw: number | string): number | undefined {
  const score = typeof raw === "number" ? raw : raw.trim() === "" ? Number.NaN : Number(raw);
  return score >= 0 && score <= 10 ? score : undefined;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

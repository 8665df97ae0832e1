import { type JobScriptLine, jobScriptLines, scriptOffset, shellCommands } from "../classify.js";
import { appendToMap } from "../fix.js";
import { lastMentions } from "../last-mention.js";
import { memoByObject } from "../memo.js";
import type { Job, Step } from "../model/workflow.js";
import { defineRule, type Report, type RuleContext } from "../types.js";

/** Scanner actions, by repository (or repository/path), and the tool they run. */
const SCAN_ACTIONS: Array<[RegExp, string]> = [
  [/^aquasecurity\/trivy-action$/, "trivy"],
  [/^snyk\/actions(\/|$)/, "snyk"],
  [/^anchore\/scan-action$/, "grype"],
  [/^github\/codeql-action\/analyze$/, "codeql"],
  [/^(semgrep|returntocorp)\/semgrep-action$/, "semgrep"],
  [/^zaproxy\/action-(baseline|full-scan|api-scan)$/, "zap"],
  [/^gitleaks\/gitleaks-action$/, "gitleaks"],
  [/^trufflesecurity\/trufflehog$/, "trufflehog"],
  [/^pypa\/gh-action-pip-audit$/, "pip-audit"],
  [/^pyupio\/safety-action$/, "safety"],
  [/^google\/osv-scanner-action(\/|$)/, "osv-scanner"],
];

/** Scanner commands in scripts, and the tool they run. */
const SCAN_COMMANDS: Array<[RegExp, string]> = [
  [
    /\btrivy(?::\S+)?(?:\s+--?[\w-]+(?:=\S+)?)*\s+(?:image|fs|filesystem|repo|repository|config|rootfs|sbom|k8s|vm)\b/g,
    "trivy",
  ],
  [/\bsnyk\s+(?:(?:container|code|iac)\s+)?test\b/g, "snyk"],
  [/\bnpm\s+audit\b(?!\s+fix)/g, "npm audit"],
  [/\bpnpm\s+audit\b(?!.*--fix)/g, "pnpm audit"],
  [/\byarn\s+(?:npm\s+)?audit\b/g, "yarn audit"],
  [/\bpip-audit\b/g, "pip-audit"],
  [/\bsafety\s+(?:check|scan)\b/g, "safety"],
  [/\bgitleaks(?::\S+)?\s+(?:detect|protect|git|dir|stdin)\b/g, "gitleaks"],
  [/\btrufflehog(?::\S+)?\s/g, "trufflehog"],
  [/\bgrype(?::\S+)?\s/g, "grype"],
  [/\bcodeql\s+database\s+analyze\b/g, "codeql"],
  [/\bsemgrep(?::\S+)?\s+(?:scan|ci|--config)\b/g, "semgrep"],
  [/\bzap-(?:baseline|full-scan|api-scan)(?:\.py)?\b/g, "zap"],
  [/\bosv-scanner\b/g, "osv-scanner"],
  [/\bcargo\s+audit\b/g, "cargo audit"],
  [/\bgovulncheck\b/g, "govulncheck"],
];

/** A word every pattern of SCAN_COMMANDS contains: lines without one need no closer look. */
const SCAN_WORD =
  /trivy|snyk|audit|safety|gitleaks|trufflehog|grype|codeql|semgrep|zap-|osv-scanner|govulncheck/;

/**
 * `|| true`, `|| :`, `|| exit 0`, `|| echo …` after the scan: its failure becomes success.
 * (`scan; true` is not one: GitHub's default shells run with -e and stop at the scan.)
 */
const SWALLOW = /\|\|\s*(true\b|:(?=\s|$)|exit\s+0\b|echo\b|printf\b)/;

/** trivy-action output formats that produce a report for another system to gate on, not a verdict. */
const REPORT_FORMATS = /^(sarif|cyclonedx|spdx|spdx-json|github)$/i;

interface Scan {
  tool: string;
  blocking: boolean;
  /** What to report when nothing else in the job blocks on the same tool. */
  report?: Report;
}

export const scanCannotFail = defineRule({
  meta: {
    id: "scan-cannot-fail",
    name: "Security scan that cannot fail the build",
    severity: "error",
    confidence: "high",
    category: "security",
    description:
      "Reports security scans whose findings can never fail the job: Trivy without an exit code (`exit-code` input, `--exit-code` flag), `continue-on-error: true` on a scan with no blocking scan of the same tool in the job, and `|| true`-style fallbacks after a scan command.",
    fixable: true,
  },
  job(job, ctx) {
    const lines = jobScriptLines(job, ctx.workflow.source.text);
    const linesOf = new Map<Step, JobScriptLine[]>();
    for (const line of lines) {
      const own = linesOf.get(line.step);
      if (own) own.push(line);
      else linesOf.set(line.step, [line]);
    }
    const scans = job.steps.flatMap((step) => [
      ...actionScan(step, job, ctx),
      ...commandScans(step, job, linesOf.get(step) ?? [], lines, ctx),
    ]);
    // A warn-then-block pair (report high, fail on critical) is a deliberate policy.
    const blocking = new Set(scans.flatMap((scan) => (scan.blocking ? [scan.tool] : [])));
    const seen = new Set<string>();
    for (const scan of scans) {
      if (scan.blocking || !scan.report) continue;
      if (blocking.has(scan.tool)) continue;
      if (seen.has(scan.report.key!)) continue;
      seen.add(scan.report.key!);
      ctx.report(scan.report);
    }
  },
});

function continuesOnError(step: Step): boolean {
  return step.continueOnError?.value === "true";
}

function stepLabel(step: Step): string {
  return step.name ?? step.id ?? step.uses?.raw ?? `step ${step.index + 1}`;
}

function continueReport(step: Step, job: Job, tool: string): Report {
  return {
    node: step.continueOnError!.node,
    key: `${job.id}: ${stepLabel(step)}: continue-on-error`,
    message: `continue-on-error: true turns a failed ${tool} scan into a green step, and no other step of job "${job.id}" runs ${tool} as a blocking gate: remove continue-on-error, or keep it and add a step that fails on the severities you will not ship (e.g. warn on high, fail on critical)`,
  };
}

function actionScan(step: Step, job: Job, ctx: RuleContext): Scan[] {
  const path = step.uses?.raw.split("@")[0]?.toLowerCase() ?? "";
  const tool = SCAN_ACTIONS.find(([re]) => re.test(path))?.[1];
  if (!tool) return [];
  if (continuesOnError(step))
    return [
      {
        tool,
        blocking: false,
        report: uploadsSarifLater(step, job) ? undefined : continueReport(step, job, tool),
      },
    ];
  if (tool !== "trivy") return [{ tool, blocking: true }];
  const format = step.with.get("format")?.value ?? "";
  const output = `${step.with.get("output")?.value ?? ""} ${step.with.get("template")?.value ?? ""}`;
  // Code scanning (SARIF) or an SBOM is the gate, not the step; a trivy.yaml may set the exit code.
  if (REPORT_FORMATS.test(format) || /sarif/i.test(output) || step.with.has("trivy-config"))
    return [{ tool, blocking: false }];
  if (step.env.has("TRIVY_EXIT_CODE") || job.env.has("TRIVY_EXIT_CODE")) return [{ tool, blocking: true }];
  const exitCode = step.with.get("exit-code");
  if (exitCode && exitCode.value.trim() !== "0") return [{ tool, blocking: true }];
  const source = ctx.workflow.source;
  const edit =
    !exitCode && step.withNode ? appendToMap(source, step.withNode, ["exit-code: '1'"]) : undefined;
  const hint = step.withNode
    ? "set exit-code: '1' (with severity: CRITICAL,HIGH to choose what blocks)"
    : "add with: exit-code: '1' (and severity: CRITICAL,HIGH to choose what blocks)";
  return [
    {
      tool,
      blocking: false,
      report: {
        node: exitCode ? exitCode.node : step.uses!.node,
        key: `${job.id}: ${stepLabel(step)}: exit-code`,
        message: `trivy-action ${exitCode ? "with exit-code: 0 never fails" : "without exit-code exits 0 whatever it finds"}, so the job stays green with critical findings. ${hint[0]!.toUpperCase()}${hint.slice(1)}`,
        fix: edit
          ? { description: "add exit-code: '1' to the trivy-action inputs", safe: true, edits: [edit] }
          : undefined,
      },
    },
  ];
}

/** `own`: the step's lines; `lines`: the whole job's. */
function commandScans(
  step: Step,
  job: Job,
  own: JobScriptLine[],
  lines: JobScriptLine[],
  ctx: RuleContext,
): Scan[] {
  const found: Array<{ tool: string; line: JobScriptLine; index: number }> = [];
  for (const line of own) {
    if (!SCAN_WORD.test(line.text)) continue;
    for (const [re, tool] of SCAN_COMMANDS) {
      for (const match of line.text.matchAll(re)) found.push({ tool, line, index: match.index });
    }
  }
  if (!found.length) return [];
  if (continuesOnError(step)) {
    // One finding per step, naming a tool that has no blocking twin in the job.
    const tools = [...new Set(found.map((f) => f.tool))];
    const sarif = /sarif/i.test(step.run!.value) && uploadsSarifLater(step, job);
    return tools.map((tool) => ({
      tool,
      blocking: false,
      report: sarif ? undefined : continueReport(step, job, tool),
    }));
  }
  return found.map(({ tool, line, index }) => {
    const command = line.text.slice(index).split(";")[0]!;
    const swallow = SWALLOW.exec(command);
    if (!swallow || /\bexit\s+[1-9]|\bfalse\b/.test(command.slice(swallow.index + swallow[0].length)))
      return tool === "trivy" ? trivyCommand(step, job, line, lines, index, ctx) : { tool, blocking: true };
    if (evaluatedLater(command.slice(0, swallow.index), line, lines, job)) return { tool, blocking: false };
    const source = ctx.workflow.source;
    const needle = command.slice(0, swallow.index + swallow[0].length);
    const at = scriptOffset(source.text, line, needle);
    const node = step.run!.node;
    return {
      tool,
      blocking: false,
      report: {
        node,
        region: at === undefined ? source.regionIn(node, needle) : source.regionOf(at, at + needle.length),
        key: `${job.id}: ${needle.replace(/\s+/g, " ")}`,
        message: `"${swallow[0].replace(/\s+/g, " ")}" after ${tool} turns every finding into success, and no other step of job "${job.id}" runs ${tool} as a blocking gate: drop the fallback, or keep this run as a report and add one that fails on the severities you will not ship`,
      },
    };
  });
}

/**
 * The trivy CLI, like the action, exits 0 whatever it finds unless told otherwise: `--exit-code`,
 * `TRIVY_EXIT_CODE`, or a config file (`--config`). Report formats and files read later are gates
 * elsewhere, as for the action.
 */
function trivyCommand(
  step: Step,
  job: Job,
  line: JobScriptLine,
  lines: JobScriptLine[],
  index: number,
  ctx: RuleContext,
): Scan {
  const command = shellCommands(line.text.slice(index))[0]?.text ?? "";
  const exitCode = /--exit-code[=\s]+["']?(\d+)/.exec(command)?.[1];
  const env =
    step.env.has("TRIVY_EXIT_CODE") ||
    job.env.has("TRIVY_EXIT_CODE") ||
    ctx.workflow.env.has("TRIVY_EXIT_CODE");
  if ((exitCode && exitCode !== "0") || env || /(^|\s)(--config|-c)[=\s]/.test(command))
    return { tool: "trivy", blocking: true };
  if (
    /sarif|(--format|-f)[=\s]+(cyclonedx|spdx|spdx-json|github)\b/i.test(command) ||
    evaluatedLater(command, line, lines, job)
  )
    return { tool: "trivy", blocking: false };
  const source = ctx.workflow.source;
  const at = scriptOffset(source.text, line, command);
  const node = step.run!.node;
  return {
    tool: "trivy",
    blocking: false,
    report: {
      node,
      region: at === undefined ? source.regionIn(node, "trivy") : source.regionOf(at, at + command.length),
      key: `${job.id}: ${command.replace(/\s+/g, " ")}`,
      message: `trivy ${exitCode ? "with --exit-code 0 never fails" : "without --exit-code exits 0 whatever it finds"}, so the job stays green with critical findings. Add --exit-code 1 (with --severity CRITICAL,HIGH to choose what blocks)`,
    },
  };
}

/**
 * A scan kept non-blocking so that its SARIF still reaches code scanning, which then gates the
 * pull request (the pattern of the code-scanning starter workflows).
 */
function uploadsSarifLater(step: Step, job: Job): boolean {
  return lastSarifUpload(job) > step.index;
}

/** The job's SARIF upload steps: found once per job, however many scans ask. */
const sarifUploads = memoByObject((job: Job): Step[] =>
  job.steps.filter((s) => s.uses?.raw.toLowerCase().startsWith("github/codeql-action/upload-sarif")),
);

function lastSarifUpload(job: Job): number {
  return sarifUploads(job).at(-1)?.index ?? -1;
}

/**
 * A scan that writes its results to a file a later script reads (or code scanning uploads) is
 * producing a report for that later gate, not hiding its result.
 */
function evaluatedLater(command: string, line: JobScriptLine, lines: JobScriptLine[], job: Job): boolean {
  const name = outputFile(command);
  if (!name) return false;
  const mentions = laterMentions(lines);
  const position = mentions.position.get(line)!;
  const last = mentions.last.get(name) ?? lastMentionOf(name, lines);
  if (last > position) return true;
  return sarifUploads(job).some(
    (s) => s.index > line.step.index && [...s.with.values()].some((v) => v.value.includes(name)),
  );
}

const OUTPUT =
  /(?:>\s*|(?:-o|--output|--output-file|--json-file-output|--sarif-file-output)[=\s]+)([^\s|&;>]+)/;

/** The file a command writes its results to, if it names one. */
function outputFile(command: string): string | undefined {
  return OUTPUT.exec(command)?.[1]?.replace(/^["']|["']$/g, "");
}

/**
 * Once per job: each line's position, and for every file a line of the job may write, the
 * last line that mentions it, found in one pass (see ../last-mention.ts).
 */
const laterMentions = memoByObject((lines: JobScriptLine[]) => {
  const written = new Set<string>();
  const every = new RegExp(OUTPUT.source, "g");
  for (const { text } of lines) {
    for (const match of text.matchAll(every)) written.add(match[1]!.replace(/^["']|["']$/g, ""));
  }
  return {
    position: new Map(lines.map((l, i) => [l, i])),
    last: lastMentions(
      lines.map((l) => l.text),
      written,
    ),
  };
});

/** A file name the pass above did not collect (a match overlapping another): looked up directly. */
function lastMentionOf(name: string, lines: JobScriptLine[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.text.includes(name)) return i;
  return -1;
}

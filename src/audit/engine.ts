import { mattersToRepositoryRules } from "./classify.js";
import { type AuditSettings, toFinding } from "./finding.js";
import { SourceFile } from "./model/source.js";
import { readWorkflow, type Workflow } from "./model/workflow.js";
import { RULES } from "./rules/index.js";
import { invalidWorkflow } from "./rules/invalid-workflow.js";
import { applySuppressions } from "./suppress.js";
import type { Finding, Report, Rule } from "./types.js";

export type { AuditSettings, RuleSetting } from "./finding.js";

export interface AuditInput {
  path: string;
  text: string;
}

export interface RuleFailure {
  ruleId: string;
  file: string;
  message: string;
}

export interface AuditResult {
  findings: Finding[];
  /** Findings hidden by inline `shipgate-ignore` comments (with their reasons). */
  suppressed: Array<Finding & { reason: string }>;
  /** Rules that threw: reported with their id; the rest of the run is unaffected. */
  failures: RuleFailure[];
  filesAudited: number;
}

/** What the two phases of an audit produce before suppressions and sorting. */
export interface RawAudit {
  findings: Finding[];
  failures: RuleFailure[];
}

interface AuditOptions {
  files: AuditInput[];
  settings?: AuditSettings;
  rules?: Rule[];
}

function enabledRules(options: AuditOptions): Rule[] {
  const settings = options.settings ?? {};
  return (options.rules ?? RULES).filter((r) => settings.rules?.[r.meta.id] !== "off");
}

function collector(settings: AuditSettings) {
  const raw: RawAudit = { findings: [], failures: [] };
  return {
    raw,
    emit: (rule: Rule, workflow: Workflow, report: Report) =>
      raw.findings.push(toFinding(rule, workflow.source, report, settings)),
    guard: (rule: Rule, file: string, run: () => void) => {
      try {
        run();
      } catch (error) {
        raw.failures.push({
          ruleId: rule.meta.id,
          file,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}

/**
 * Phase one: every file on its own. Parses each once and walks it once, calling the
 * workflow, job and step visitors of every enabled rule. A malformed file becomes a finding
 * at its position; the other files are still audited. Files are independent here, so this
 * phase can run on several threads (see ./parallel.ts).
 */
export function auditFiles(options: AuditOptions): RawAudit & { workflows: Workflow[] } {
  const settings = options.settings ?? {};
  const rules = enabledRules(options);
  const { raw, emit, guard } = collector(settings);
  const workflows: Workflow[] = [];
  for (const input of options.files) {
    const source = new SourceFile(input.path, input.text);
    const syntax = invalidWorkflow.syntaxReports(source);
    if (syntax.length) {
      if (settings.rules?.[invalidWorkflow.meta.id] !== "off") {
        for (const report of syntax) raw.findings.push(toFinding(invalidWorkflow, source, report, settings));
      }
      continue;
    }
    const workflow = readWorkflow(source);
    if (!workflow) continue;
    workflows.push(workflow);
    const contexts = new Map(
      rules.map((rule) => [rule, { workflow, report: (r: Report) => emit(rule, workflow, r) }]),
    );
    for (const rule of rules) {
      if (rule.workflow) guard(rule, input.path, () => rule.workflow!(workflow, contexts.get(rule)!));
    }
    for (const job of workflow.jobs) {
      for (const rule of rules)
        if (rule.job) guard(rule, input.path, () => rule.job!(job, contexts.get(rule)!));
      for (const step of job.steps) {
        for (const rule of rules) {
          if (rule.step) guard(rule, input.path, () => rule.step!(step, job, contexts.get(rule)!));
        }
      }
    }
  }
  return { ...raw, workflows };
}

/** Phase two: the rules that judge the repository as a whole, over already-read workflows. */
export function auditRepositoryRules(options: {
  workflows: Workflow[];
  settings?: AuditSettings;
  rules?: Rule[];
}): RawAudit {
  const settings = options.settings ?? {};
  const { raw, emit, guard } = collector(settings);
  for (const rule of enabledRules({ files: [], ...options })) {
    if (!rule.repository) continue;
    guard(rule, "(repository)", () =>
      rule.repository!({
        workflows: options.workflows,
        report: (workflow, report) => emit(rule, workflow, report),
      }),
    );
  }
  return raw;
}

/** Inline suppressions, then a stable order: by file, line, column and rule. */
export function finishAudit(raws: RawAudit[], files: AuditInput[]): AuditResult {
  const sources = new Map(files.map((f) => [f.path, new SourceFile(f.path, f.text)]));
  const { kept, suppressed, extra } = applySuppressions(
    raws.flatMap((r) => r.findings),
    sources,
  );
  return {
    findings: [...kept, ...extra].sort(compareFindings),
    suppressed,
    failures: raws.flatMap((r) => r.failures),
    filesAudited: files.length,
  };
}

/** Audits workflows on this thread: both phases, then suppressions. */
export function auditWorkflows(options: AuditOptions): AuditResult {
  const perFile = auditFiles(options);
  const workflows = perFile.workflows.filter((w) => mattersToRepositoryRules(w.source.path, w.source.text));
  const repository = auditRepositoryRules({ ...options, workflows });
  return finishAudit([perFile, repository], options.files);
}

/** Ordinal, not locale-aware: stable across machines, and much cheaper on thousands of findings. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    ordinal(a.file, b.file) ||
    a.region.startLine - b.region.startLine ||
    a.region.startColumn - b.region.startColumn ||
    ordinal(a.ruleId, b.ruleId)
  );
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

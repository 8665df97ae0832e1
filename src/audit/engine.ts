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

/**
 * Audits workflows: parses each one once, walks it once calling every enabled rule's
 * visitors, then the repository-wide rules. A malformed file becomes a finding at its
 * position; the other files are still audited.
 */
export function auditWorkflows(options: {
  files: AuditInput[];
  settings?: AuditSettings;
  rules?: Rule[];
}): AuditResult {
  const settings = options.settings ?? {};
  const rules = (options.rules ?? RULES).filter((r) => settings.rules?.[r.meta.id] !== "off");
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  const workflows: Workflow[] = [];

  const emit = (rule: Rule, workflow: Workflow, report: Report) => {
    findings.push(toFinding(rule, workflow.source, report, settings));
  };
  const guard = (rule: Rule, file: string, run: () => void) => {
    try {
      run();
    } catch (error) {
      failures.push({
        ruleId: rule.meta.id,
        file,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };

  for (const input of options.files) {
    const source = new SourceFile(input.path, input.text);
    const syntax = invalidWorkflow.syntaxReports(source);
    if (syntax.length) {
      if (settings.rules?.[invalidWorkflow.meta.id] !== "off") {
        for (const report of syntax) findings.push(toFinding(invalidWorkflow, source, report, settings));
      }
      continue;
    }
    const workflow = readWorkflow(source);
    if (!workflow) continue;
    workflows.push(workflow);
    const visit = (rule: Rule) => ({ workflow, report: (r: Report) => emit(rule, workflow, r) });
    const contexts = new Map(rules.map((rule) => [rule, visit(rule)]));
    for (const rule of rules)
      if (rule.workflow) guard(rule, input.path, () => rule.workflow!(workflow, contexts.get(rule)!));
    for (const job of workflow.jobs) {
      for (const rule of rules)
        if (rule.job) guard(rule, input.path, () => rule.job!(job, contexts.get(rule)!));
      for (const step of job.steps) {
        for (const rule of rules)
          if (rule.step) guard(rule, input.path, () => rule.step!(step, job, contexts.get(rule)!));
      }
    }
  }
  for (const rule of rules) {
    if (!rule.repository) continue;
    guard(rule, "(repository)", () =>
      rule.repository!({ workflows, report: (workflow, report) => emit(rule, workflow, report) }),
    );
  }

  const sources = new Map(workflows.map((w) => [w.source.path, w.source]));
  const { kept, suppressed, extra } = applySuppressions(findings, sources);
  const all = [...kept, ...extra].sort(compareFindings);
  return { findings: all, suppressed, failures, filesAudited: options.files.length };
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.region.startLine - b.region.startLine ||
    a.region.startColumn - b.region.startColumn ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

import { mattersToRepositoryRules } from "./classify.js";
import { type AuditSettings, toFinding } from "./finding.js";
import { assertWithinLimits } from "./limits.js";
import { linkLocalCallees, localCalleeFiles, readLocalCallees, selfName } from "./model/local-callees.js";
import { SourceFile } from "./model/source.js";
import { readWorkflow, type Workflow } from "./model/workflow.js";
import { RULES } from "./rules/index.js";
import { invalidWorkflow } from "./rules/invalid-workflow.js";
import { applySuppressions } from "./suppress.js";
import type { Finding, Report, Rule, RuleContext } from "./types.js";

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
  /**
   * The repository's composite actions and reusable workflows, for the steps and jobs that call
   * them; by default those among `files` (a thread of a parallel audit is given the whole
   * repository's).
   */
  callees?: AuditInput[];
}

function enabledRules(options: AuditOptions): Rule[] {
  const settings = options.settings ?? {};
  return (options.rules ?? RULES).filter((r) => settings.rules?.[r.meta.id] !== "off");
}

function failure(rule: Rule, file: string, error: unknown): RuleFailure {
  return { ruleId: rule.meta.id, file, message: error instanceof Error ? error.message : String(error) };
}

/** The context a rule reports through: one per rule and workflow, no closure per visitor call. */
class Context implements RuleContext {
  constructor(
    private readonly rule: Rule,
    readonly workflow: Workflow,
    private readonly settings: AuditSettings,
    private readonly findings: Finding[],
  ) {
    this.repositoryOwner = settings.repositoryOwner;
  }
  readonly repositoryOwner: string | undefined;
  // A property, not a method: rules may pass `ctx.report` on unbound.
  readonly report = (report: Report): void => {
    this.findings.push(toFinding(this.rule, this.workflow.source, report, this.settings));
  };
}

/**
 * Phase one: every file on its own. Parses each once and walks it once, calling the
 * workflow, job and step visitors of every enabled rule. A malformed file becomes a finding
 * at its position; the other files are still audited. Files are independent here, so this
 * phase can run on several threads (see ./parallel.ts). Of the workflows read, it keeps
 * (returns) only those the repository rules look at, so the others' trees can be collected
 * while the audit runs.
 */
export function auditFiles(options: AuditOptions): RawAudit & { workflows: Workflow[] } {
  const settings = options.settings ?? {};
  const rules = enabledRules(options);
  // Indices into `rules` (and each workflow's contexts) of the rules visiting each level.
  const at = (has: (r: Rule) => boolean) => rules.flatMap((r, i) => (has(r) ? [i] : []));
  const workflowRules = at((r) => Boolean(r.workflow));
  const jobRules = at((r) => Boolean(r.job));
  const actionRules = at((r) => Boolean(r.action));
  const stepRules = at((r) => Boolean(r.step));
  const raw: RawAudit = { findings: [], failures: [] };
  const workflows: Workflow[] = [];
  const invalidOff = settings.rules?.[invalidWorkflow.meta.id] === "off";
  const callees = readLocalCallees(options.callees ?? localCalleeFiles(options.files));
  for (const input of options.files) {
    const source = new SourceFile(input.path, input.text);
    const syntax = invalidWorkflow.syntaxReports(source);
    if (syntax.length) {
      if (!invalidOff) {
        for (const report of syntax) raw.findings.push(toFinding(invalidWorkflow, source, report, settings));
      }
      continue;
    }
    const workflow = readWorkflow(source);
    if (!workflow) continue;
    assertWithinLimits(workflow);
    const isWorkflow = workflow.kind === "workflow";
    if (isWorkflow) linkLocalCallees(workflow, callees, selfName(settings));
    if (isWorkflow && mattersToRepositoryRules(input.path, input.text)) workflows.push(workflow);
    const contexts = rules.map((rule) => new Context(rule, workflow, settings, raw.findings));
    // An action has steps but no triggers, jobs or permissions of its own: step rules, and the
    // job-level readings that rules say apply to an action's steps too.
    for (const i of isWorkflow ? workflowRules : []) {
      try {
        rules[i]!.workflow!(workflow, contexts[i]!);
      } catch (error) {
        raw.failures.push(failure(rules[i]!, input.path, error));
      }
    }
    for (const job of workflow.jobs) {
      for (const i of isWorkflow ? jobRules : actionRules) {
        try {
          if (isWorkflow) rules[i]!.job!(job, contexts[i]!);
          else rules[i]!.action!(job, contexts[i]!);
        } catch (error) {
          raw.failures.push(failure(rules[i]!, input.path, error));
        }
      }
      for (const step of job.steps) {
        for (const i of stepRules) {
          try {
            rules[i]!.step!(step, job, contexts[i]!);
          } catch (error) {
            raw.failures.push(failure(rules[i]!, input.path, error));
          }
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
  const raw: RawAudit = { findings: [], failures: [] };
  for (const rule of enabledRules({ files: [], ...options })) {
    if (!rule.repository) continue;
    try {
      rule.repository({
        workflows: options.workflows,
        report: (workflow, report) => raw.findings.push(toFinding(rule, workflow.source, report, settings)),
      });
    } catch (error) {
      raw.failures.push(failure(rule, "(repository)", error));
    }
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
  const repository = auditRepositoryRules({ ...options, workflows: perFile.workflows });
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

import type { Node } from "yaml";
import type { Region } from "./model/source.js";
import type { Job, Step, Workflow } from "./model/workflow.js";

export type Severity = "error" | "warning" | "note";
export type Confidence = "high" | "medium" | "low";
export type Category = "security" | "delivery" | "reliability" | "performance";

/** Replace the bytes [start, end) of the file with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A fix is data: edits to the file, marked safe (applied by --fix) or unsafe (shown only). */
export interface Fix {
  description: string;
  safe: boolean;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  file: string;
  region: Region;
  /** Other places that explain the finding (e.g. the trigger that makes a checkout unsafe). */
  related: Array<{ region: Region; message: string }>;
  fix?: Fix;
  docsUrl: string;
  /** Stable across unrelated edits: what baselines match on. */
  fingerprint: string;
}

export interface RuleMeta {
  /** kebab-case, also the docs page name: docs/rules/<id>.md */
  id: string;
  /** A short title. */
  name: string;
  severity: Severity;
  confidence: Confidence;
  category: Category;
  /** One sentence: what the rule finds. docs/rules/<id>.md must start with the same sentence. */
  description: string;
  /** Whether some of its findings carry a safe fix. */
  fixable: boolean;
}

export interface Report {
  message: string;
  /** The node to point at; its value region is used. */
  node?: Node;
  /** Or an exact region (e.g. one line of a script). */
  region?: Region;
  /** Text that identifies the finding for baselines (defaults to the node's source text). */
  key?: string;
  related?: Array<{ node: Node; message: string }>;
  fix?: Fix;
  severity?: Severity;
}

export interface RuleContext {
  workflow: Workflow;
  /** The GitHub user or organisation that owns the audited repository, when known. */
  repositoryOwner?: string;
  report(report: Report): void;
}

export interface RepositoryContext {
  workflows: Workflow[];
  report(workflow: Workflow, report: Report): void;
}

/**
 * A rule declares the levels it visits; the engine walks every workflow once and calls the
 * visitors of every enabled rule at each level.
 */
export interface Rule {
  meta: RuleMeta & { docsUrl: string };
  workflow?(workflow: Workflow, ctx: RuleContext): void;
  job?(job: Job, ctx: RuleContext): void;
  /**
   * A composite action's steps, read as one job. Job visitors do not see actions (an action has
   * no timeout, permissions or concurrency of its own); a rule whose job-level reading applies
   * inside an action too (its scripts' installs, the images it runs) says so here.
   */
  action?(steps: Job, ctx: RuleContext): void;
  step?(step: Step, job: Job, ctx: RuleContext): void;
  /**
   * Checks that need the repository's workflows at once. It sees every workflow that may
   * deploy, may be a rollback workflow, or is reusable (`mattersToRepositoryRules` in
   * classify.ts); widen that filter if a new repository rule needs other workflows.
   */
  repository?(ctx: RepositoryContext): void;
}

export const DOCS_BASE = "https://github.com/shipgate/shipgate/blob/main/docs/rules";

/** Creates a rule; the docs URL is derived from the id so nobody types it. */
export function defineRule(rule: Omit<Rule, "meta"> & { meta: RuleMeta }): Rule {
  return { ...rule, meta: { ...rule.meta, docsUrl: `${DOCS_BASE}/${rule.meta.id}.md` } };
}

/**
 * Compares the shipgate.yml that `shipgate init` wrote with a repository's label, field by field.
 * Pure functions over text and values, so the judgement is unit-tested without running init
 * (test/bench/corpora/score-init.test.ts).
 *
 * Outcomes:
 * - right:   the value the label gives, or one it accepts (after normalizing spelling).
 * - partly:  close but not it: the right command with extra or missing flags or a runner prefix,
 *            a version of the same major line, overlapping service or variable sets.
 * - wrong:   another value; or a value where the project has none.
 * - missing: shipgate.yml has no key for it (today's schema has no default branch, port, test
 *            environment or setup needs, and one app) or left it out, where the label has a value.
 * - marked:  the tool flagged the field for the user ("Replace", TODO, unsure) where the label is
 *            `unknown` or the project has none: that is the behaviour wanted, so it counts as right.
 */
import { type Document, isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import {
  type AppField,
  type Ecosystem,
  FIELDS,
  type Field,
  type LabelledApp,
  type LabelledField,
  type LabelValue,
  type RepoLabel,
  UNKNOWN,
} from "./corpus.js";

export type Outcome = "right" | "partly" | "wrong" | "missing" | "marked";
export const OUTCOMES: readonly Outcome[] = ["right", "partly", "wrong", "missing", "marked"];

/** What the tool wrote for one field: its value (undefined when absent) and whether it flagged it. */
export interface Observed {
  value: LabelValue | undefined;
  /** The tool marked the field as a placeholder or unsure. */
  marked: boolean;
  /** The value is the schema's default, not a key the tool wrote. */
  defaulted?: boolean;
}

export interface FieldResult {
  field: Field;
  /** Index of the labelled app; -1 for the repository-level defaultBranch. */
  app: number;
  outcome: Outcome;
  expected: LabelValue;
  observed: LabelValue | undefined;
  note?: string;
}

export interface RepoResult {
  id: string;
  ecosystem: Ecosystem;
  fields: FieldResult[];
  /** init's own failure, when it wrote no shipgate.yml. */
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Reading shipgate.yml

/** Words a generated shipgate.yml uses to ask the user to check a value. */
const MARKER =
  /\b(replace|todo|fixme|unsure|not sure|guess(ed)?|placeholder|assumed|could not (find|detect|tell)|couldn't|not (found|detected)|no \w+ (found|detected))\b/i;

/**
 * The comments attached to a node and its pair: beside it, and the paragraph of comment lines
 * directly above it. A comment block separated from the key by a blank line is about something
 * else (a commented-out example, a note on the section) and does not mark the key.
 */
function commentsOf(pair: { key: unknown; value: unknown }): string {
  const parts: string[] = [];
  for (const n of [pair.key, pair.value]) {
    if (n && typeof n === "object") {
      const c = n as { comment?: string | null; commentBefore?: string | null };
      if (c.commentBefore) parts.push(c.commentBefore.split(/\n\s*\n/).pop() ?? "");
      if (c.comment) parts.push(c.comment);
    }
  }
  return parts.join("\n");
}

/**
 * Looks a dotted key path up in a parsed shipgate.yml. Returns undefined when the key is absent;
 * `marked` when the value itself is a placeholder (`<...>`, REPLACE_ME) or a comment on or just
 * above the key says Replace/TODO/unsure.
 */
export function lookup(doc: Document, path: readonly (string | number)[]): Observed {
  let node: unknown = doc.contents;
  let comments = "";
  for (const step of path) {
    if (typeof step === "number") {
      if (!isSeq(node)) return { value: undefined, marked: false };
      node = node.items[step];
      if (node && typeof node === "object") comments = commentsOf({ key: undefined, value: node });
      continue;
    }
    if (!isMap(node)) return { value: undefined, marked: false };
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === step);
    if (!pair) return { value: undefined, marked: false };
    comments = commentsOf(pair);
    node = pair.value;
  }
  const value = plain(node as Node | null);
  const text = Array.isArray(value) ? value.join(" ") : value === null ? "" : String(value);
  const placeholder = /^<.*>$/.test(text.trim()) || /REPLACE|CHANGE_?ME|TODO/.test(text);
  return { value, marked: placeholder || MARKER.test(comments) };
}

function plain(node: Node | null): LabelValue {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === "string" || typeof v === "number") return v;
    return String(v);
  }
  if (isSeq(node)) return node.items.map((i) => String(isScalar(i) ? i.value : i));
  // A mapping such as app.testEnv (name → value) is scored by its names.
  if (isMap(node)) return node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
  return String(node);
}

/** Schema defaults (src/config/schema.ts, docs/configuration.md) that apply when a key is absent. */
const DEFAULTS: Partial<Record<Field, LabelValue>> = {
  path: ".",
  healthPath: "/health",
  services: [],
  dockerfile: "Dockerfile",
};

/** Where each labelled field lives in today's shipgate.yml; fields without a key are `missing`. */
export const SCHEMA_KEYS: Partial<Record<AppField, readonly string[]>> = {
  path: ["path"],
  name: ["name"],
  language: ["language"],
  packageManager: ["packageManager"],
  languageVersion: ["languageVersion"],
  install: ["commands", "install"],
  lint: ["commands", "lint"],
  typecheck: ["commands", "typecheck"],
  test: ["commands", "test"],
  build: ["commands", "build"],
  start: ["start"],
  healthPath: ["healthPath"],
  readyPath: ["readyPath"],
  // Not in today's schema; read if a later schema adds them under app.
  port: ["port"],
  services: ["services"],
  testEnv: ["testEnv"],
  setupNeeds: ["setup"],
};

/** The apps a shipgate.yml describes: today's single `app`, or a later `apps:` list. */
export function appsIn(doc: Document): Array<(string | number)[]> {
  const apps = doc.get("apps");
  if (isSeq(apps)) return apps.items.map((_, i) => ["apps", i]);
  return doc.has("app") ? [["app"]] : [];
}

/** Reads what the tool wrote for one labelled field of one app. */
export function observe(doc: Document, appPath: (string | number)[], field: AppField): Observed {
  if (field === "dockerfile") {
    const type = lookup(doc, ["artifact", "type"]);
    const dockerfile = lookup(doc, ["artifact", "dockerfile"]);
    if (type.value === "tarball" && dockerfile.value === undefined)
      return { value: null, marked: type.marked };
    if (dockerfile.value !== undefined) return dockerfile;
    return doc.has("artifact") || doc.has("app")
      ? { value: DEFAULTS.dockerfile ?? null, marked: false, defaulted: true }
      : dockerfile;
  }
  const keys = SCHEMA_KEYS[field];
  if (!keys) return { value: undefined, marked: false };
  const found = lookup(doc, [...appPath, ...keys]);
  if (found.value === undefined && field in DEFAULTS && doc.hasIn(appPath)) {
    return { value: DEFAULTS[field] ?? null, marked: found.marked, defaulted: true };
  }
  return found;
}

/**
 * The default branch as shipgate.yml implies it: the branch pull requests target (ci.branches,
 * default [main]) or, failing that, the branch that deploys to the first environment.
 */
export function observeDefaultBranch(doc: Document): Observed {
  const branches = lookup(doc, ["ci", "branches"]);
  if (Array.isArray(branches.value) && branches.value.length > 0) {
    return { value: branches.value[0] ?? null, marked: branches.marked };
  }
  const environments = doc.get("environments");
  if (isMap(environments)) {
    for (const pair of environments.items) {
      if (!isScalar(pair.key)) continue;
      const branch = lookup(doc, ["environments", String(pair.key.value), "branch"]);
      if (typeof branch.value === "string") return branch;
    }
  }
  return doc.has("ci") || doc.has("app")
    ? { value: "main", marked: branches.marked, defaulted: true }
    : { value: undefined, marked: false };
}

// ---------------------------------------------------------------------------------------------
// Normalizing and comparing values

/** Same command, spelt the way people commonly vary it. */
export function normalizeCommand(command: string): string {
  let c = command.trim().replace(/\s+/g, " ").replace(/;$/, "");
  c = c.replace(/^\.\/(gradlew|mvnw)\b/, "$1");
  c = c.replace(/^npm run (test|start)\b/, "npm $1");
  c = c.replace(/^npm clean-install\b/, "npm ci");
  c = c.replace(/^(yarn|pnpm|bun) run (\S)/, "$1 $2");
  c = c.replace(/^npm (i)\b/, "npm install");
  c = c.replace(/^yarn$/, "yarn install");
  c = c.replace(/^(yarn|pnpm) i\b/, "$1 install");
  c = c.replace(
    / --(no-audit|no-fund|prefer-offline|no-transfer-progress|no-interaction|no-ansi|quiet)\b/g,
    "",
  );
  c = c.replace(/ -B\b/, "");
  c = c.replace(/["']/g, "");
  return c;
}

/** Runner prefixes that wrap the same tool: `uv run pytest` and `pytest` run the same tests. */
const RUNNERS =
  /^(uv run( --\S+)*|poetry run|pipenv run|pdm run|npx|pnpm exec|yarn exec|bundle exec|python -m) /;

/** The words of a command without flags, runner prefixes or flag values it cannot matter for. */
export function commandCore(command: string): string[] {
  let c = normalizeCommand(command);
  for (let i = 0; i < 3 && RUNNERS.test(c); i++) c = c.replace(RUNNERS, "");
  return c
    .split(/ (?:&&|\|\|) /)[0]!
    .split(" ")
    .filter((w) => w !== "" && !w.startsWith("-"));
}

/** A bare tool name is no command of its own: `yarn` is not a partial `yarn build`. */
const TOOLS = new Set(
  "npm yarn pnpm bun npx node go cargo mvn mvnw gradle gradlew make task just python python3 pip uv poetry java".split(
    " ",
  ),
);

export function compareCommand(expected: string, observed: string): Outcome {
  if (normalizeCommand(expected) === normalizeCommand(observed)) return "right";
  const a = commandCore(expected);
  const b = commandCore(observed);
  if (a.length > 0 && a.join(" ") === b.join(" ")) return "partly";
  // One command is the other followed by arguments (`pytest` and `pytest tests/`), or appears as a
  // step of a chain the other runs.
  const chain = normalizeCommand(observed).split(/ (?:&&|;) /);
  if (chain.length > 1 && chain.some((step) => compareCommand(expected, step) !== "wrong")) return "partly";
  const shorter = a.length <= b.length ? a : b;
  const longer = a.length <= b.length ? b : a;
  const tool = shorter.length === 1 && TOOLS.has(shorter[0]!);
  if (shorter.length >= 1 && !tool && shorter.every((w, i) => longer[i] === w)) return "partly";
  return "wrong";
}

/** "v22.x", ">=22", "^3.10", "~3.12.7" -> their version numbers. */
export function normalizeVersion(version: string | number): string {
  return String(version)
    .trim()
    .replace(/^(>=|<=|\^|~=|~|=|v)+/, "")
    .replace(/(\.x)+$/, "")
    .replace(/,.*$/, "")
    .replace(/\s.*$/, "");
}

export function compareVersion(expected: string | number, observed: string | number): Outcome {
  const a = normalizeVersion(expected);
  const b = normalizeVersion(observed);
  if (a === b) return "right";
  const pa = a.split(".");
  const pb = b.split(".");
  const shorter = pa.length <= pb.length ? pa : pb;
  const longer = pa.length <= pb.length ? pb : pa;
  return shorter.every((p, i) => longer[i] === p) ? "partly" : "wrong";
}

export function normalizePath(path: string): string {
  const p = path.trim().replace(/^\.\//, "").replace(/\/+$/, "");
  return p === "" ? "." : p;
}

function normalizeUrlPath(path: string): string {
  const p = path.trim();
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

export function compareSet(expected: readonly string[], observed: readonly string[]): Outcome {
  const a = new Set(expected.map((s) => s.toLowerCase()));
  const b = new Set(observed.map((s) => s.toLowerCase()));
  if (a.size === b.size && [...a].every((x) => b.has(x))) return "right";
  if ([...a].some((x) => b.has(x))) return "partly";
  return "wrong";
}

function compareName(expected: string, observed: string): Outcome {
  const a = expected.toLowerCase();
  const b = observed.toLowerCase();
  if (a === b) return "right";
  return a.includes(b) || b.includes(a) ? "partly" : "wrong";
}

/** Compares one non-null expected value with one observed value. */
export function compareValue(field: Field, expected: LabelValue, observed: LabelValue): Outcome {
  if (expected === null || observed === null) return expected === observed ? "right" : "wrong";
  switch (field) {
    case "install":
    case "lint":
    case "typecheck":
    case "test":
    case "build":
    case "start":
      return compareCommand(String(expected), String(observed));
    case "languageVersion":
      return compareVersion(String(expected), String(observed));
    case "path":
    case "dockerfile":
      return normalizePath(String(expected)) === normalizePath(String(observed)) ? "right" : "wrong";
    case "healthPath":
    case "readyPath":
      return normalizeUrlPath(String(expected)) === normalizeUrlPath(String(observed)) ? "right" : "wrong";
    case "port":
      return Number(expected) === Number(observed) ? "right" : "wrong";
    case "services":
    case "testEnv":
      return compareSet(list(expected), list(observed));
    case "setupNeeds": {
      // Free text: both empty agrees; both saying something needs a person to read them.
      const a = list(expected).length > 0;
      const b = list(observed).length > 0;
      return a === b ? (a ? "partly" : "right") : "wrong";
    }
    case "name":
      return compareName(String(expected), String(observed));
    default:
      return String(expected).toLowerCase() === String(observed).toLowerCase() ? "right" : "wrong";
  }
}

function list(v: LabelValue): string[] {
  if (v === null) return [];
  return Array.isArray(v) ? v : [String(v)];
}

function isEmpty(v: LabelValue | undefined): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

const RANK: Record<Outcome, number> = { right: 4, marked: 4, partly: 3, wrong: 1, missing: 0 };

/** Scores one field: the label's value and every value it accepts, against what the tool wrote. */
export function scoreField(field: Field, label: LabelledField, observed: Observed): Omit<FieldResult, "app"> {
  const base = { field, expected: label.value, observed: observed.value };
  const fieldless = field === "services" || field === "testEnv" || field === "setupNeeds";
  if (label.value === UNKNOWN) {
    if (observed.marked) return { ...base, outcome: "marked" };
    if (observed.value === undefined) return { ...base, outcome: "missing" };
    return { ...base, outcome: "wrong", note: "the label is unknown: a value should be marked for the user" };
  }
  // The project has none (null, or an empty list for services and variables).
  const none = label.value === null || (fieldless && isEmpty(label.value));
  if (none) {
    if (isEmpty(observed.value) && !observed.defaulted) return { ...base, outcome: "right" };
    if (observed.marked) return { ...base, outcome: "marked" };
    if (isEmpty(observed.value)) return { ...base, outcome: "right" };
  } else if (observed.value === undefined) {
    // Leaving it out is right when the label accepts "none" as well.
    return { ...base, outcome: label.accept.some((a) => isEmpty(a)) ? "right" : "missing" };
  }
  let best: Outcome = "wrong";
  for (const candidate of [label.value, ...label.accept]) {
    const outcome =
      candidate === null || observed.value === null
        ? isEmpty(candidate) && isEmpty(observed.value ?? null)
          ? "right"
          : "wrong"
        : compareValue(field, candidate, observed.value ?? null);
    if (RANK[outcome] > RANK[best]) best = outcome;
  }
  const note = observed.marked && best !== "right" ? "the tool marked this field" : undefined;
  return { ...base, outcome: best, ...(note ? { note } : {}) };
}

// ---------------------------------------------------------------------------------------------
// A repository

/** Pairs the tool's apps with the labelled ones: by path, then by name, else the first label. */
export function matchApps(
  labelApps: readonly LabelledApp[],
  observed: Array<{ path: string; name: string | undefined }>,
): Array<number | undefined> {
  const used = new Set<number>();
  const byLabel: Array<number | undefined> = labelApps.map(() => undefined);
  const assign = (predicate: (label: LabelledApp, o: (typeof observed)[number]) => boolean) => {
    labelApps.forEach((label, li) => {
      if (byLabel[li] !== undefined) return;
      const oi = observed.findIndex((o, i) => !used.has(i) && predicate(label, o));
      if (oi >= 0) {
        byLabel[li] = oi;
        used.add(oi);
      }
    });
  };
  assign((l, o) => normalizePath(String(l.fields.path.value)) === normalizePath(o.path));
  assign((l, o) => o.name !== undefined && String(l.fields.name.value) === o.name);
  // Whatever the tool described first stands for the main app, the label's first.
  if (byLabel[0] === undefined) {
    const oi = observed.findIndex((_, i) => !used.has(i));
    if (oi >= 0) byLabel[0] = oi;
  }
  return byLabel;
}

/** Scores a whole repository from the text of the shipgate.yml init wrote. */
export function scoreRepository(
  label: RepoLabel,
  /** What init wrote: shipgate.yml, then any other app's config init was asked to write. */
  shipgateYml: string | readonly string[] | undefined,
  error?: string,
): RepoResult {
  const fields: FieldResult[] = [];
  const result: RepoResult = {
    id: label.id,
    ecosystem: label.ecosystem,
    fields,
    ...(error ? { error } : {}),
  };
  const nothing: Observed = { value: undefined, marked: false };
  const texts =
    shipgateYml === undefined ? [] : typeof shipgateYml === "string" ? [shipgateYml] : shipgateYml;
  const docs = texts.map((text) => parseDocument(text));
  const doc = docs[0];
  fields.push({
    app: -1,
    ...scoreField("defaultBranch", label.defaultBranch, doc ? observeDefaultBranch(doc) : nothing),
  });
  const appPaths = docs.flatMap((d) => appsIn(d).map((path) => ({ doc: d, path })));
  const observedApps = appPaths.map(({ doc: d, path: p }) => {
    const path = observe(d, p, "path").value;
    const name = lookup(d, [...p, "name"]).value;
    return { path: typeof path === "string" ? path : ".", name: typeof name === "string" ? name : undefined };
  });
  const pairing = matchApps(label.apps, observedApps);
  label.apps.forEach((app, li) => {
    const oi = pairing[li];
    for (const field of FIELDS) {
      if (field === "defaultBranch") continue;
      const at = oi === undefined ? undefined : appPaths[oi];
      const observed = at ? observe(at.doc, at.path, field) : nothing;
      fields.push({ app: li, ...scoreField(field, app.fields[field], observed) });
    }
  });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Accuracy

export type Tally = Record<Outcome, number> & { total: number };

export function emptyTally(): Tally {
  return { right: 0, partly: 0, wrong: 0, missing: 0, marked: 0, total: 0 };
}

/** Right and marked over all scored fields; `lenient` also counts partly. */
export function accuracy(t: Tally): { strict: number; lenient: number } {
  if (t.total === 0) return { strict: 0, lenient: 0 };
  return { strict: (t.right + t.marked) / t.total, lenient: (t.right + t.marked + t.partly) / t.total };
}

export interface Summary {
  overall: Tally;
  byField: Record<string, Tally>;
  byEcosystem: Record<string, Tally>;
  repositories: number;
}

export function summarize(results: readonly RepoResult[]): Summary {
  const overall = emptyTally();
  const byField: Record<string, Tally> = {};
  const byEcosystem: Record<string, Tally> = {};
  for (const repo of results) {
    for (const f of repo.fields) {
      byField[f.field] ??= emptyTally();
      byEcosystem[repo.ecosystem] ??= emptyTally();
      for (const t of [overall, byField[f.field]!, byEcosystem[repo.ecosystem]!]) {
        t[f.outcome]++;
        t.total++;
      }
    }
  }
  return { overall, byField, byEcosystem, repositories: results.length };
}

function pct(n: number): string {
  return `${(n * 100).toFixed(1).padStart(5)}%`;
}

/** The text report: one table per grouping, fields in label order, ecosystems sorted. */
export function formatSummary(summary: Summary): string {
  const header = `${"".padEnd(18)} ${OUTCOMES.map((o) => o.padStart(7)).join(" ")}   strict  lenient`;
  const row = (name: string, t: Tally) => {
    const a = accuracy(t);
    return `${name.padEnd(18)} ${OUTCOMES.map((o) => String(t[o]).padStart(7)).join(" ")}   ${pct(a.strict)}  ${pct(a.lenient)}`;
  };
  const lines = [`init accuracy over ${summary.repositories} repositories`, "", "by field", header];
  for (const field of FIELDS) {
    const t = summary.byField[field];
    if (t) lines.push(row(field, t));
  }
  lines.push("", "by ecosystem", header);
  for (const eco of Object.keys(summary.byEcosystem).sort()) lines.push(row(eco, summary.byEcosystem[eco]!));
  lines.push("", row("overall", summary.overall));
  lines.push("", "strict counts right and marked; lenient also counts partly.");
  return lines.join("\n");
}

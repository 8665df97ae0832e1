import type { ProjectFiles } from "./files.js";
import { isRecord, stringArray } from "./values.js";

/**
 * The CI a repository already runs, flattened into jobs of steps so that detection can take
 * its commands, versions, services and test variables from what is known to work. GitHub
 * Actions workflows are read with their local composite actions inlined and their reusable
 * workflows reached through the callers' triggers; Woodpecker pipelines as one job per step.
 */

export interface CiStep {
  /** A shell script (`run:`, a Woodpecker command). */
  run?: string;
  /** An action (`uses:`), without the version after `@`. */
  uses?: string;
  with: Record<string, string>;
  env: Record<string, string>;
  /** Relative to the repository root. */
  workingDirectory?: string;
}

export interface CiService {
  name: string;
  image: string;
}

export interface CiJob {
  /** Where it is defined, e.g. `.github/workflows/ci.yml`. */
  file: string;
  id: string;
  name: string;
  steps: CiStep[];
  services: CiService[];
  /** Workflow-level then job-level variables. */
  env: Record<string, string>;
  /** The first value of each matrix axis: the one a single local run would take. */
  matrix: Record<string, string>;
  workingDirectory?: string;
  /** Runs for pull requests or pushes (directly, or called by a workflow that does). */
  checksChanges: boolean;
}

export interface CiFacts {
  jobs: CiJob[];
  /** Branches the pull-request and push triggers name, most frequent first. */
  branches: string[];
  /** Whether any CI definition was found at all. */
  found: boolean;
}

const WORKFLOW_DIR = ".github/workflows";
const CHANGE_EVENTS = new Set(["push", "pull_request", "pull_request_target", "merge_group"]);

export async function readCi(files: ProjectFiles): Promise<CiFacts> {
  const workflowFiles = (await files.list(WORKFLOW_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${WORKFLOW_DIR}/${f}`);
  const workflows = new Map<string, Record<string, unknown>>();
  for (const file of workflowFiles) {
    const doc = await files.yaml(file);
    if (isRecord(doc)) workflows.set(file, doc);
  }

  const branchCount = new Map<string, number>();
  const reached = new Set<string>();
  for (const [file, doc] of workflows) {
    const events = triggers(doc);
    if ([...events.keys()].some((e) => CHANGE_EVENTS.has(e))) reached.add(file);
    for (const [event, config] of events) {
      if (!CHANGE_EVENTS.has(event) || !isRecord(config)) continue;
      for (const branch of stringArray(config.branches)) {
        if (!/[*!]/.test(branch)) branchCount.set(branch, (branchCount.get(branch) ?? 0) + 1);
      }
    }
  }
  // Reusable workflows run for the events of the workflows that call them.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, doc] of workflows) {
      if (!reached.has(file)) continue;
      for (const job of Object.values(isRecord(doc.jobs) ? doc.jobs : {})) {
        const called = isRecord(job) && typeof job.uses === "string" ? localPath(job.uses) : null;
        if (called && workflows.has(called) && !reached.has(called)) {
          reached.add(called);
          changed = true;
        }
      }
    }
  }

  const jobs: CiJob[] = [];
  for (const [file, doc] of workflows) {
    const workflowEnv = stringMap(doc.env);
    for (const [id, raw] of Object.entries(isRecord(doc.jobs) ? doc.jobs : {})) {
      if (!isRecord(raw) || !Array.isArray(raw.steps)) continue;
      const matrix = firstOfMatrix(isRecord(raw.strategy) ? raw.strategy.matrix : undefined);
      const defaults = isRecord(raw.defaults) && isRecord(raw.defaults.run) ? raw.defaults.run : {};
      const steps: CiStep[] = [];
      for (const step of raw.steps) {
        if (isRecord(step)) steps.push(...(await expandStep({ files, step, depth: 0 })));
      }
      jobs.push({
        file,
        id,
        name: typeof raw.name === "string" ? raw.name : id,
        steps: steps.map((s) => substituteMatrix(s, matrix)),
        services: services(raw.services),
        env: { ...workflowEnv, ...stringMap(raw.env) },
        matrix,
        workingDirectory:
          typeof defaults["working-directory"] === "string" ? defaults["working-directory"] : undefined,
        checksChanges: reached.has(file),
      });
    }
  }
  jobs.push(...(await woodpeckerJobs(files)));

  const branches = [...branchCount].sort((a, b) => b[1] - a[1]).map(([b]) => b);
  return { jobs, branches, found: workflows.size > 0 || jobs.length > 0 };
}

/** `on:` as a map of event → its configuration (null when it has none). */
function triggers(doc: Record<string, unknown>): Map<string, unknown> {
  // YAML 1.1 readers turn a bare `on` key into true; the yaml package keeps it a string.
  const on = doc.on ?? doc.true;
  const events = new Map<string, unknown>();
  if (typeof on === "string") {
    events.set(on, null);
  } else if (Array.isArray(on)) {
    for (const e of on) if (typeof e === "string") events.set(e, null);
  } else if (isRecord(on)) {
    for (const [e, config] of Object.entries(on)) events.set(e, config);
  }
  return events;
}

/** `./.github/workflows/test.yml` → `.github/workflows/test.yml`; remote references → null. */
function localPath(uses: string): string | null {
  return uses.startsWith("./") ? uses.slice(2).replace(/\/+$/, "") : null;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}

function firstOfMatrix(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [axis, values] of Object.entries(value)) {
    if (axis === "include" || axis === "exclude" || !Array.isArray(values)) continue;
    const first = values[0];
    if (typeof first === "string" || typeof first === "number") out[axis] = String(first);
  }
  return out;
}

function substituteMatrix(step: CiStep, matrix: Record<string, string>): CiStep {
  const sub = (text: string) =>
    text.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (whole, axis: string) => matrix[axis] ?? whole);
  const withSub = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, sub(v)]));
  return { ...step, ...(step.run ? { run: sub(step.run) } : {}), with: withSub };
}

function services(value: unknown): CiService[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([name, service]) => {
    const image = typeof service === "string" ? service : isRecord(service) ? service.image : undefined;
    return typeof image === "string" ? [{ name, image }] : [];
  });
}

/** A step as one or more steps: a local composite action is replaced by its own steps. */
async function expandStep(options: {
  files: ProjectFiles;
  step: Record<string, unknown>;
  depth: number;
}): Promise<CiStep[]> {
  const { files, step } = options;
  const base: CiStep = {
    with: stringMap(step.with),
    env: stringMap(step.env),
    ...(typeof step["working-directory"] === "string" ? { workingDirectory: step["working-directory"] } : {}),
  };
  if (typeof step.run === "string") return [{ ...base, run: step.run }];
  if (typeof step.uses !== "string") return [];
  const local = localPath(step.uses);
  if (!local || options.depth > 3) return [{ ...base, uses: step.uses.replace(/@.*$/, "") }];
  const action = (await files.yaml(`${local}/action.yml`)) ?? (await files.yaml(`${local}/action.yaml`));
  const runs = isRecord(action) && isRecord(action.runs) ? action.runs : null;
  if (!runs || !Array.isArray(runs.steps)) return [];
  const inputs = isRecord(action) && isRecord(action.inputs) ? action.inputs : {};
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const given = base.with[name];
    const fallback = isRecord(input) && input.default !== undefined ? String(input.default) : undefined;
    const value = given ?? fallback;
    if (value !== undefined) values[name] = value;
  }
  const sub = (text: string) =>
    text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  const out: CiStep[] = [];
  for (const inner of runs.steps) {
    if (!isRecord(inner)) continue;
    for (const expanded of await expandStep({ files, step: inner, depth: options.depth + 1 })) {
      out.push({
        ...expanded,
        ...(expanded.run ? { run: sub(expanded.run) } : {}),
        with: Object.fromEntries(Object.entries(expanded.with).map(([k, v]) => [k, sub(v)])),
      });
    }
  }
  return out;
}

/** Woodpecker: `.woodpecker.yml` or `.woodpecker/*.yml`, each step a job of its commands. */
async function woodpeckerJobs(files: ProjectFiles): Promise<CiJob[]> {
  const paths = [
    ...((await files.exists(".woodpecker.yml")) ? [".woodpecker.yml"] : []),
    ...((await files.exists(".woodpecker.yaml")) ? [".woodpecker.yaml"] : []),
    ...(await files.list(".woodpecker")).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.woodpecker/${f}`),
  ];
  const jobs: CiJob[] = [];
  for (const file of paths) {
    const doc = await files.yaml(file);
    if (!isRecord(doc)) continue;
    const shared = services(doc.services);
    const steps = Array.isArray(doc.steps)
      ? doc.steps.map(
          (s, i) => [isRecord(s) && typeof s.name === "string" ? s.name : `step-${i}`, s] as const,
        )
      : Object.entries(isRecord(doc.steps) ? doc.steps : isRecord(doc.pipeline) ? doc.pipeline : {});
    for (const [id, step] of steps) {
      if (!isRecord(step)) continue;
      const commands = stringArray(step.commands ?? step.command);
      if (!commands.length) continue;
      jobs.push({
        file,
        id,
        name: id,
        steps: commands.map((run) => ({ run, with: {}, env: {} })),
        services: shared,
        env: stringMap(step.environment),
        matrix: {},
        checksChanges: true,
      });
    }
  }
  return jobs;
}

import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { memoByObject } from "../memo.js";
import { type SourceFile, scalarString } from "./source.js";

/**
 * A GitHub Actions workflow read for auditing: the parts rules look at, each with the YAML
 * node it came from so every finding can point at a line and column. Nothing here fails on
 * unexpected shapes; a part that is not what GitHub expects is simply absent.
 */

export interface Value<T> {
  value: T;
  node: Node;
  /** The key node, for findings that point at `key:` rather than its value. */
  key?: Node;
}

export interface UsesRef {
  /** `owner/repo`, `owner/repo/path`, `./local/path` or `docker://image` as written. */
  raw: string;
  kind: "action" | "local" | "docker" | "reusable-workflow";
  /** `owner/repo` for remote actions and reusable workflows. */
  repository?: string;
  /** The part after `@`. */
  ref?: string;
  node: Scalar;
}

export interface Step {
  index: number;
  node: YAMLMap;
  name?: string;
  id?: string;
  uses?: UsesRef;
  run?: Value<string>;
  with: Map<string, Value<string>>;
  /** The `with:` mapping itself, for fixes that add an input. */
  withNode?: YAMLMap;
  env: Map<string, Value<string>>;
  if?: Value<string>;
  continueOnError?: Value<string>;
  /**
   * The steps of the repository's composite action this step uses (`uses: ./…`), when the
   * audit read that action (see ./local-callees.ts).
   */
  localSteps?: readonly Step[];
}

export interface Job {
  id: string;
  key: Node;
  node: YAMLMap;
  name?: string;
  runsOn?: Value<string>;
  permissions?: Value<unknown>;
  environment?: Value<string>;
  needs: string[];
  /** A reusable-workflow call (`jobs.<id>.uses`). */
  uses?: UsesRef;
  /** The inputs a reusable-workflow call passes (`jobs.<id>.with`), as strings. */
  with: Map<string, Value<string>>;
  /** The repository's own workflow this job calls, when the audit read it (see ./local-callees.ts). */
  callee?: Workflow;
  secretsInherit?: Node;
  timeoutMinutes?: Value<string>;
  concurrency?: Value<unknown>;
  if?: Value<string>;
  env: Map<string, Value<string>>;
  steps: Step[];
  /** Images of `container:` and `services:` */
  images: Array<Value<string>>;
}

export interface Workflow {
  /**
   * A workflow, or a composite action (`action.yml`) read as one job named `runs` holding its
   * steps: step rules judge both; workflow, job and repository rules only workflows.
   */
  kind: "workflow" | "action";
  source: SourceFile;
  root: YAMLMap;
  name?: string;
  /** Trigger events by name (`on: push`, `on: [push]` and `on: { push: ... }` alike). */
  on: Map<string, Value<unknown>>;
  onNode?: Node;
  permissions?: Value<unknown>;
  concurrency?: Value<unknown>;
  env: Map<string, Value<string>>;
  jobs: Job[];
  jobsNode?: YAMLMap;
}

function get(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item as Pair<Node, Node>;
  }
  return undefined;
}

function value<T = unknown>(map: YAMLMap, key: string): Value<T> | undefined {
  const pair = get(map, key);
  if (!pair || pair.value === null || pair.value === undefined) {
    return pair ? { value: null as T, node: pair.key, key: pair.key } : undefined;
  }
  const node = pair.value;
  return { value: (isScalar(node) ? node.value : node.toJSON()) as T, node, key: pair.key };
}

/** The plain value (what toJSON gives) under `key`, without building the whole mapping's. */
export function plainValue(map: YAMLMap, key: string): unknown {
  return value(map, key)?.value;
}

function stringValue(map: YAMLMap, key: string): Value<string> | undefined {
  const pair = get(map, key);
  if (!pair?.value) return undefined;
  const text = scalarString(pair.value);
  return text === undefined ? undefined : { value: text, node: pair.value, key: pair.key };
}

function stringMap(map: YAMLMap, key: string): Map<string, Value<string>> {
  const out = new Map<string, Value<string>>();
  const node = get(map, key)?.value;
  if (!isMap(node)) return out;
  for (const item of node.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const text = scalarString(item.value);
    if (text !== undefined)
      out.set(String(item.key.value), { value: text, node: item.value as Node, key: item.key as Node });
  }
  return out;
}

export function parseUses(node: Scalar): UsesRef | undefined {
  const raw = scalarString(node);
  if (!raw) return undefined;
  // A folder under .github/workflows holding an action.yml is a local action; only a .yml file
  // there is a reusable workflow.
  if (raw.startsWith("./"))
    return {
      raw,
      kind: /\.github\/workflows\/[^@]+\.ya?ml$/.test(raw) ? "reusable-workflow" : "local",
      node,
    };
  if (raw.startsWith("docker://")) return { raw, kind: "docker", node, ref: raw.slice("docker://".length) };
  const at = raw.lastIndexOf("@");
  const path = at >= 0 ? raw.slice(0, at) : raw;
  const [owner, repo] = path.split("/");
  return {
    raw,
    kind: path.includes("/.github/workflows/") ? "reusable-workflow" : "action",
    repository: owner && repo ? `${owner}/${repo}` : path,
    ref: at >= 0 ? raw.slice(at + 1) : undefined,
    node,
  };
}

function parseStep(node: YAMLMap, index: number): Step {
  const usesPair = get(node, "uses");
  const withPair = get(node, "with");
  return {
    index,
    node,
    name: stringValue(node, "name")?.value,
    id: stringValue(node, "id")?.value,
    uses: isScalar(usesPair?.value) ? parseUses(usesPair.value) : undefined,
    run: stringValue(node, "run"),
    with: stringMap(node, "with"),
    withNode: isMap(withPair?.value) ? withPair.value : undefined,
    env: stringMap(node, "env"),
    if: stringValue(node, "if"),
    continueOnError: stringValue(node, "continue-on-error"),
  };
}

function images(node: YAMLMap): Array<Value<string>> {
  const out: Array<Value<string>> = [];
  const container = get(node, "container")?.value;
  if (isScalar(container)) {
    const text = scalarString(container);
    if (text) out.push({ value: text, node: container });
  } else if (isMap(container)) {
    const image = stringValue(container, "image");
    if (image) out.push(image);
  }
  const services = get(node, "services")?.value;
  if (isMap(services)) {
    for (const item of services.items) {
      if (isPair(item) && isMap(item.value)) {
        const image = stringValue(item.value, "image");
        if (image) out.push(image);
      }
    }
  }
  return out;
}

function parseJob(pair: Pair<Node, Node>): Job | undefined {
  if (!isScalar(pair.key) || !isMap(pair.value)) return undefined;
  const node = pair.value;
  const stepsNode = get(node, "steps")?.value;
  const steps = isSeq(stepsNode)
    ? stepsNode.items.flatMap((item, i) => (isMap(item) ? [parseStep(item, i)] : []))
    : [];
  const envNode = get(node, "environment")?.value;
  const environment = isMap(envNode) ? stringValue(envNode, "name") : stringValue(node, "environment");
  const needsNode = get(node, "needs")?.value;
  const needs = isSeq(needsNode)
    ? needsNode.items.flatMap((n) => (scalarString(n) ? [scalarString(n)!] : []))
    : scalarString(needsNode)
      ? [scalarString(needsNode)!]
      : [];
  const usesPair = get(node, "uses");
  const secretsPair = get(node, "secrets");
  return {
    id: String(pair.key.value),
    key: pair.key,
    node,
    name: stringValue(node, "name")?.value,
    runsOn: stringValue(node, "runs-on"),
    permissions: value(node, "permissions"),
    environment,
    needs,
    uses: isScalar(usesPair?.value) ? parseUses(usesPair.value) : undefined,
    with: stringMap(node, "with"),
    secretsInherit: scalarString(secretsPair?.value) === "inherit" ? (secretsPair?.value as Node) : undefined,
    timeoutMinutes: stringValue(node, "timeout-minutes"),
    concurrency: value(node, "concurrency"),
    if: stringValue(node, "if"),
    env: stringMap(node, "env"),
    steps,
    images: images(node),
  };
}

function triggers(root: YAMLMap): { on: Map<string, Value<unknown>>; node?: Node } {
  const pair = get(root, "on") ?? get(root, "true"); // YAML 1.1 readers turn `on` into true
  const on = new Map<string, Value<unknown>>();
  const node = pair?.value;
  if (!node) return { on };
  if (isScalar(node)) {
    on.set(String(node.value), { value: null, node });
  } else if (isSeq(node)) {
    for (const item of node.items)
      if (isScalar(item)) on.set(String(item.value), { value: null, node: item });
  } else if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key)) {
        on.set(String(item.key.value), {
          value: isMap(item.value) || isSeq(item.value) ? item.value.toJSON() : null,
          node: (item.value as Node) ?? item.key,
          key: item.key as Node,
        });
      }
    }
  }
  return { on, node };
}

/** `action.yml` / `action.yaml`, wherever it is: an action's metadata, not a workflow. */
export function isActionPath(path: string): boolean {
  return /(^|\/)action\.ya?ml$/.test(path);
}

/**
 * Reads an action's metadata. A composite action's steps become the steps of one job; a
 * JavaScript or Docker action has no steps to judge and reads as an action with no jobs.
 */
function readAction(source: SourceFile, root: YAMLMap): Workflow {
  const runsPair = get(root, "runs");
  const runs = runsPair?.value;
  const jobs: Job[] = [];
  if (isMap(runs) && scalarString(get(runs, "using")?.value)?.trim() === "composite") {
    const stepsNode = get(runs, "steps")?.value;
    jobs.push({
      id: "runs",
      key: runsPair!.key,
      node: runs,
      needs: [],
      with: new Map(),
      env: new Map(),
      steps: isSeq(stepsNode)
        ? stepsNode.items.flatMap((item, i) => (isMap(item) ? [parseStep(item, i)] : []))
        : [],
      images: [],
    });
  }
  return {
    kind: "action",
    source,
    root,
    name: stringValue(root, "name")?.value,
    on: new Map(),
    env: new Map(),
    jobs,
  };
}

/** The inputs an action declares, or a workflow's dispatch and call inputs, by name. */
export function declaredInputs(workflow: Workflow): Record<string, unknown> {
  if (workflow.kind === "action") {
    const inputs = get(workflow.root, "inputs")?.value;
    return isMap(inputs) ? (inputs.toJSON() as Record<string, unknown>) : {};
  }
  return { ...triggerInputs(workflow, "workflow_call"), ...triggerInputs(workflow, "workflow_dispatch") };
}

/**
 * The whole job as JSON text, for readings that look for a reference anywhere in it (an input,
 * an output): serialized once per job, however many rules ask.
 */
export const jobText = memoByObject((job: Job): string => JSON.stringify(job.node.toJSON()));

/** The inputs one trigger of a workflow declares, by name. */
export function triggerInputs(
  workflow: Workflow,
  trigger: "workflow_dispatch" | "workflow_call",
): Record<string, unknown> {
  const inputs = (workflow.on.get(trigger)?.value as { inputs?: unknown } | null)?.inputs;
  return inputs && typeof inputs === "object" ? (inputs as Record<string, unknown>) : {};
}

/** Whether a declared input takes free text: a string (or untyped) input without options. */
export function isFreeTextInput(spec: unknown): boolean {
  if (spec === undefined) return false;
  const input = spec as { type?: unknown; options?: unknown } | null;
  const type = typeof input?.type === "string" ? input.type : "string";
  return type === "string" && !Array.isArray(input?.options);
}

/** Reads a workflow or an action; returns undefined when the document is not a mapping at all. */
export function readWorkflow(source: SourceFile): Workflow | undefined {
  const root = source.doc.contents;
  if (!isMap(root)) return undefined;
  if (isActionPath(source.path)) return readAction(source, root);
  const jobsPair = get(root, "jobs");
  const jobs = isMap(jobsPair?.value)
    ? jobsPair.value.items.flatMap((p) => {
        const job = isPair(p) ? parseJob(p as Pair<Node, Node>) : undefined;
        return job ? [job] : [];
      })
    : [];
  const { on, node: onNode } = triggers(root);
  return {
    kind: "workflow",
    source,
    root,
    name: stringValue(root, "name")?.value,
    on,
    onNode,
    permissions: value(root, "permissions"),
    concurrency: value(root, "concurrency"),
    env: stringMap(root, "env"),
    jobs,
    jobsNode: isMap(jobsPair?.value) ? jobsPair.value : undefined,
  };
}

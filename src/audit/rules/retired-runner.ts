import { isMap, isScalar, isSeq, type Node } from "yaml";
import { scalarString } from "../model/source.js";
import type { Job } from "../model/workflow.js";
import { defineRule } from "../types.js";

/**
 * GitHub-hosted runner images GitHub has retired, with the month the last brownout ended and
 * the label to move to. A job asking for one waits for a runner that never comes and fails.
 */
const RETIRED: Record<string, { retired: string; use: string }> = {
  "ubuntu-16.04": { retired: "September 2021", use: "ubuntu-24.04" },
  "ubuntu-18.04": { retired: "April 2023", use: "ubuntu-24.04" },
  "ubuntu-20.04": { retired: "April 2025", use: "ubuntu-24.04" },
  "macos-10.15": { retired: "December 2022", use: "macos-15" },
  "macos-11": { retired: "June 2024", use: "macos-15" },
  "macos-12": { retired: "December 2024", use: "macos-15" },
  "macos-13": { retired: "December 2025", use: "macos-15 (or macos-15-intel for x86_64)" },
  "macos-13-large": { retired: "December 2025", use: "macos-15-large" },
  "macos-13-xlarge": { retired: "December 2025", use: "macos-15-xlarge" },
  "windows-2016": { retired: "March 2022", use: "windows-2025" },
  "windows-2019": { retired: "June 2025", use: "windows-2025" },
};

/** Every scalar label `runs-on` can resolve to, with a `${{ matrix.x }}` read from the matrix. */
function labels(job: Job): Node[] {
  const out: Node[] = [];
  const visit = (node: unknown): void => {
    if (isScalar(node)) {
      const text = scalarString(node) ?? "";
      const key = /^\s*\$\{\{\s*matrix\.([\w-]+)\s*\}\}\s*$/.exec(text)?.[1];
      if (key) out.push(...matrixValues(job, key));
      else out.push(node);
    } else if (isSeq(node)) for (const item of node.items) visit(item);
    else if (isMap(node)) visit(node.get("labels", true));
  };
  visit(job.node.get("runs-on", true));
  return out;
}

/** The values a matrix key takes: its list and the `include` entries that set it. */
function matrixValues(job: Job, key: string): Node[] {
  const strategy = job.node.get("strategy", true);
  const matrix = isMap(strategy) ? strategy.get("matrix", true) : undefined;
  if (!isMap(matrix)) return [];
  const out: Node[] = [];
  const list = matrix.get(key, true);
  if (isSeq(list)) for (const item of list.items) if (isScalar(item)) out.push(item);
  const include = matrix.get("include", true);
  if (isSeq(include)) {
    for (const entry of include.items) {
      const value: unknown = isMap(entry) ? entry.get(key, true) : undefined;
      if (isScalar(value)) out.push(value);
      // `os: [ubuntu-20.04, ...]` inside include is a list too.
      else if (isSeq(value)) for (const item of value.items) if (isScalar(item)) out.push(item);
    }
  }
  return out;
}

export const retiredRunner = defineRule({
  meta: {
    id: "retired-runner",
    name: "Retired runner image",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports jobs whose `runs-on` (directly or through the matrix) asks for a GitHub-hosted runner image GitHub has retired, such as `ubuntu-20.04`, `macos-13` or `windows-2019`.",
    fixable: false,
  },
  job(job, ctx) {
    if (job.uses) return;
    const all = labels(job);
    // Self-hosted runners and runner groups carry the labels their owners gave them.
    const runsOn = job.node.get("runs-on", true);
    if (isMap(runsOn) && runsOn.has("group")) return;
    if (all.some((n) => (scalarString(n) ?? "").trim().toLowerCase() === "self-hosted")) return;
    for (const node of all) {
      const label = (scalarString(node) ?? "").trim().toLowerCase();
      const retired = RETIRED[label];
      if (!retired) continue;
      ctx.report({
        node,
        key: `${job.id} ${label}`,
        message: `job "${job.id}" runs on ${label}, which GitHub retired in ${retired.retired}: the job waits for a runner that no longer exists and fails without running a step. Move to ${retired.use}, and check the tools the job expects on the new image`,
      });
    }
  },
});

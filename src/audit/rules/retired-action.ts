import type { UsesRef } from "../model/workflow.js";
import { defineRule } from "../types.js";

/**
 * Major versions of GitHub's own actions that GitHub has shut down: the service behind them is
 * gone, so a step that uses one fails. Each with when it stopped working and what replaces it.
 */
const ARTIFACTS = "artifact names must be unique within a run, and v4 downloads only what v4 uploaded";
const RETIRED: Record<string, { majors: readonly number[]; retired: string; use: string }> = {
  "actions/upload-artifact": {
    majors: [1, 2, 3],
    retired: "January 2025 (v1 and v2 in June 2024)",
    use: `v4 or later, with download-artifact of the same major (${ARTIFACTS})`,
  },
  "actions/download-artifact": {
    majors: [1, 2, 3],
    retired: "January 2025 (v1 and v2 in June 2024)",
    use: `v4 or later, with upload-artifact of the same major (${ARTIFACTS})`,
  },
  "actions/cache": {
    majors: [1, 2],
    retired: "February 2025",
    use: "v4 or later, which takes the same inputs",
  },
};

/** The major version a reference names (`v3`, `v3.1.2`, `3`), or none for a SHA or a branch. */
function major(uses: UsesRef): number | undefined {
  const m = /^v?(\d+)(\.\d+)*$/.exec(uses.ref ?? "");
  return m ? Number(m[1]) : undefined;
}

export const retiredAction = defineRule({
  meta: {
    id: "retired-action",
    name: "Retired action version",
    severity: "error",
    confidence: "high",
    category: "reliability",
    description:
      "Reports steps that use a major version of a GitHub action whose service GitHub has shut down, such as `actions/upload-artifact@v3`, `actions/download-artifact@v3` or `actions/cache@v2`.",
    fixable: false,
  },
  step(step, job, ctx) {
    const uses = step.uses;
    if (uses?.kind !== "action" || !uses.repository) return;
    // `actions/cache/save@v2` is the same action as `actions/cache@v2`.
    const retired = RETIRED[uses.repository.toLowerCase()];
    const version = major(uses);
    if (!retired || version === undefined || !retired.majors.includes(version)) return;
    ctx.report({
      node: uses.node,
      key: `${job.id}:${uses.raw}`,
      message: `${uses.raw} was shut down by GitHub in ${retired.retired}: the step fails every run, and so does the job. Move to ${retired.use}`,
    });
  },
});

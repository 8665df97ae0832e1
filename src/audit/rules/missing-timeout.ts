import { defineRule } from "../types.js";

export const missingTimeout = defineRule({
  meta: {
    id: "missing-timeout",
    name: "Job without timeout-minutes",
    severity: "warning",
    confidence: "high",
    category: "reliability",
    description:
      "Reports jobs without `timeout-minutes`, which otherwise run (and bill, and block deploy queues) for up to six hours.",
    fixable: false,
  },
  job(job, ctx) {
    if (job.uses || job.timeoutMinutes) return; // reusable-workflow calls take the called jobs' timeouts
    ctx.report({
      node: job.key,
      message: `job "${job.id}" has no timeout-minutes: a hung step holds the runner (and any deploy queue behind it) for 6 hours`,
      key: job.id,
    });
  },
});

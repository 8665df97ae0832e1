import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // @actions/workflow-parser imports JSON without import attributes; let vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    testTimeout: 30_000,
    // Most of the suite's time is spent waiting on real processes (the control plane,
    // Prometheus scrapes, canary steps held for their seconds), not on the CPU, so two files
    // run at once even on a two-core machine, where vitest's default would run one.
    maxWorkers: 2,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // @actions/workflow-parser imports JSON without import attributes; let vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    testTimeout: 30_000,
  },
});

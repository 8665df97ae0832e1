import { resolve } from "node:path";
import type { RegisterCommand } from "./index.js";

export const registerPlan: RegisterCommand = (program, ctx) => {
  program
    .command("plan")
    .description("print the pipeline design document: stages, quality gates, strategies, rollback plan")
    .option("--config <file>", "config file", "shipgate.yml")
    .option("--dir <path>", "repository root", ".")
    .option("--json", "print the pipeline model as JSON instead of Markdown")
    .action(async (opts: { config: string; dir: string; json?: boolean }) => {
      const [{ loadConfig }, { buildPipeline }, { renderPlan }] = await Promise.all([
        import("../../config/load.js"),
        import("../../pipeline/build.js"),
        import("../../plan/index.js"),
      ]);
      const { config } = await loadConfig({ path: resolve(ctx.io.cwd, opts.dir, opts.config) });
      const model = buildPipeline({ config });
      ctx.io.stdout.write(opts.json ? `${JSON.stringify(model, null, 2)}\n` : renderPlan(model));
    });
};

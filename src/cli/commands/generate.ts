import { resolve } from "node:path";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

const SYMBOL: Record<string, string> = {
  create: "created",
  update: "updated",
  unchanged: "unchanged",
  overwrite: "overwritten",
  conflict: "edited by hand",
};

export const registerGenerate: RegisterCommand = (program, ctx) => {
  program
    .command("generate")
    .description("render the pipeline's workflow files from shipgate.yml")
    .option("--platform <platform>", "CI platform to render for", "github")
    .option("--config <file>", "config file", "shipgate.yml")
    .option("--dir <path>", "repository root", ".")
    .option("--check", "write nothing; exit 1 when the files differ from what the config gives")
    .option("--force", "replace generated files that were edited by hand")
    .option("--json", "print the result as JSON")
    .action(
      async (opts: {
        platform: string;
        config: string;
        dir: string;
        check?: boolean;
        force?: boolean;
        json?: boolean;
      }) => {
        const { generatePipeline, repositoryRoot } = await import("../../generate/index.js");
        const root = await repositoryRoot({ dir: resolve(ctx.io.cwd, opts.dir), configPath: opts.config });
        if (root !== resolve(ctx.io.cwd, opts.dir) && !opts.json) {
          ctx.io.stdout.write(`Repository root: ${root} (workflows are read from its .github/workflows)\n`);
        }
        const result = await generatePipeline({
          root,
          configPath: opts.config,
          platform: opts.platform,
          check: opts.check,
          force: opts.force,
        });
        if (opts.json) {
          ctx.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          for (const file of result.files) {
            const label = opts.check && file.action !== "unchanged" ? "differs" : SYMBOL[file.action];
            ctx.io.stdout.write(`${label?.padEnd(15)} ${file.path}\n`);
          }
          if (opts.check) {
            ctx.io.stdout.write(
              result.drift
                ? "\nThe workflows differ from shipgate.yml: run `shipgate generate` and commit the result.\n"
                : "\nThe workflows match shipgate.yml.\n",
            );
          }
        }
        ctx.exitCode = opts.check && result.drift ? EXIT_FAILED : EXIT_OK;
      },
    );
};

import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command("demo")
    .description(
      "the whole loop on the bundled sample service: init, generate, then v1, v2 by canary, v3 rolled back",
    )
    .option("--keep", "keep the working directory instead of removing it")
    .action(async (opts: { keep?: boolean }) => {
      const { runDemo } = await import("../../demo/index.js");
      ctx.io.stdout.write("shipgate demo: the bundled sample service, end to end, on this machine\n\n");
      const result = await runDemo({
        keep: opts.keep,
        color: ctx.io.color,
        log: (line) => ctx.io.stdout.write(`${line}\n`),
      });
      if (opts.keep) ctx.io.stdout.write(`\nkept: ${result.workDir}\n`);
      ctx.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
    });
};

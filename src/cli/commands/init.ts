import { relative, resolve } from "node:path";
import type { InitAnswers } from "../../init/index.js";
import { EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

const DEFAULT_TARGET = "ecs";

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command("init")
    .description("detect the repository and write a commented shipgate.yml")
    .option("-y, --yes", "take the detected defaults without asking")
    .option("--target <type>", "deploy target: ecs, kubernetes or local")
    .option("--force", "overwrite an existing shipgate.yml")
    .option("--dir <path>", "repository root (default: the current directory)")
    .action(async (opts: { yes?: boolean; target?: string; force?: boolean; dir?: string }) => {
      const { io } = ctx;
      const init = await import("../../init/index.js");
      // Bad flags and an existing file fail before any question is asked.
      const flagTarget = opts.target === undefined ? undefined : init.parseTarget({ value: opts.target });
      const root = resolve(io.cwd, opts.dir ?? ".");
      await init.assertCanWrite({ root, force: opts.force });

      const { detectProject } = await import("../../detect/index.js");
      const detection = await detectProject({ root });
      let target = flagTarget ?? init.parseTarget({ value: DEFAULT_TARGET });
      let answers: InitAnswers = {};
      if (!opts.yes && io.interactive) {
        io.stdout.write(`${init.describeDetection(detection).join("\n")}\n\n`);
        ({ target, answers } = await init.promptAnswers({
          input: process.stdin,
          output: io.stdout,
          detection,
          target: flagTarget,
          defaultTarget: target,
        }));
        io.stdout.write("\n");
      } else {
        if (!opts.yes)
          io.stdout.write("Not a terminal: using the detected defaults (pass --yes to say so).\n");
        io.stdout.write(`${init.describeDetection(detection).join("\n")}\n`);
      }

      const result = await init.initProject({ root, target, force: opts.force, answers, detection });
      const shown = relative(io.cwd, result.path) || result.path;
      io.stdout.write(
        `${result.written ? "wrote" : "unchanged"}: ${shown.startsWith("..") ? result.path : shown} (target: ${result.target})\n`,
      );
      io.stdout.write('Replace the values its comments mark "Replace", then\nnext: shipgate generate\n');
      ctx.exitCode = EXIT_OK;
    });
};

import { relative, resolve } from "node:path";
import type { InitAnswers } from "../../init/index.js";
import { EXIT_OK } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";

const DEFAULT_TARGET = "ecs";

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command("init")
    .description("detect the repository and write a commented shipgate.yml at its root")
    .option("-y, --yes", "take the detected defaults without asking")
    .option("--target <type>", "deploy target: ecs, kubernetes or local")
    .option("--force", "overwrite an existing shipgate.yml")
    .option("--dir <path>", "a folder of the repository (default: the current directory)")
    .option("--app <path>", "the app's folder, relative to the repository root (default: the one detected)")
    .option(
      "--language <name>",
      "of several deployables in the app's folder, the one in this language: node, python, go, rust or java",
    )
    .option(
      "--config <file>",
      "config file to write at the repository root, e.g. shipgate.worker.yml for a second app",
    )
    .action(
      async (opts: {
        yes?: boolean;
        target?: string;
        force?: boolean;
        dir?: string;
        app?: string;
        language?: string;
        config?: string;
      }) => {
        const { io } = ctx;
        const init = await import("../../init/index.js");
        // Bad flags and an existing file fail before any question is asked.
        const flagTarget = opts.target === undefined ? undefined : init.parseTarget({ value: opts.target });
        const language =
          opts.language === undefined ? undefined : init.parseLanguage({ value: opts.language });
        const { root, app } = await init.locateRepository({
          dir: resolve(io.cwd, opts.dir ?? "."),
          app: opts.app,
        });
        await init.assertCanWrite({ root, force: opts.force, configFile: opts.config });
        if (root !== resolve(io.cwd, opts.dir ?? ".")) {
          io.stdout.write(`Repository root: ${root} (the config and .github/workflows go there)\n`);
        }

        const { detectProject } = await import("../../detect/index.js");
        const detection = await detectProject({ root, app, language });
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

        const result = await init.initProject({
          root,
          app,
          configFile: opts.config,
          target,
          force: opts.force,
          answers,
          detection,
        });
        const shown = relative(io.cwd, result.path) || result.path;
        io.stdout.write(
          `${result.written ? "wrote" : "unchanged"}: ${shown.startsWith("..") ? result.path : shown} (target: ${result.target})\n`,
        );
        if (detection.apps.length > 1 && app === undefined && language === undefined) {
          const others = detection.apps.filter(
            (a) =>
              a.path !== detection.appPath || a.name !== detection.name || a.language !== detection.language,
          );
          // Several modules of one root build share its path; each is chosen by its own folder.
          io.stdout.write(
            `\nChose ${detection.name} (${detection.appPath}) among ${detection.apps.length} deployables. For another one:\n`,
          );
          for (const other of others.slice(0, 5)) {
            // A folder holding two deployables (a Go service and its front end) needs the language too.
            const shared = detection.apps.some((a) => a !== other && a.select === other.select);
            const pick = shared ? `${other.select} --language ${other.language}` : other.select;
            io.stdout.write(`  shipgate init --app ${pick} --config shipgate.${other.name}.yml\n`);
          }
        }
        if (result.workflowPrefix.prefix) {
          io.stdout.write(
            `\nWorkflows will be written as ${result.workflowPrefix.prefix}ci.yml and so on: ${result.workflowPrefix.reason}.\n`,
          );
        }
        if (result.unsure.length) {
          io.stdout.write('\nReplace before generating (each is marked "Replace" in the file):\n');
          const width = Math.max(...result.unsure.map((u) => u.key.length));
          for (const u of result.unsure) io.stdout.write(`  ${u.key.padEnd(width)}  ${u.why}\n`);
        }
        io.stdout.write(`\nnext: shipgate generate${opts.config ? ` --config ${opts.config}` : ""}\n`);
        ctx.exitCode = EXIT_OK;
      },
    );
};

import { Command, CommanderError } from "commander";
import { ShipgateError } from "../errors.js";
import { VERSION } from "../version.js";
import { COMMANDS } from "./commands/index.js";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";
import { renderError } from "./render-error.js";
import { safeIo } from "./safe-text.js";

export interface CliContext {
  io: CliIo;
  /** Set by a command's action; the entry point returns it. */
  exitCode: number;
}

/**
 * The entry point: parses argv, runs one command and returns its exit code.
 * It never calls process.exit, so it also runs in-process in tests.
 */
export async function main(argv: string[], terminal: CliIo = processIo()): Promise<number> {
  // Commands print file contents, report fields and server answers: nothing reaches the
  // terminal without passing through safeText.
  const io = safeIo(terminal);
  const ctx: CliContext = { io, exitCode: EXIT_OK };
  const program = createProgram(ctx);

  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    io.stderr.write(`${renderError(error, io.color)}\n`);
    return error instanceof ShipgateError ? error.exitCode : EXIT_USAGE;
  }
}

/** The command tree; also read by the CLI reference generator (docs/cli.md). */
export function createProgram(ctx: CliContext): Command {
  const { io } = ctx;
  const program = new Command("shipgate")
    .description("Generate, audit and run production delivery pipelines from one shipgate.yml.")
    .version(VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

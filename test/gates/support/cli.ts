import { Command, CommanderError } from "commander";
import { registerGate } from "../../../src/cli/commands/gate.js";
import { EXIT_OK, EXIT_USAGE } from "../../../src/cli/exit-codes.js";
import type { CliContext } from "../../../src/cli/main.js";
import { renderError } from "../../../src/cli/render-error.js";
import { ShipgateError } from "../../../src/errors.js";

export interface GateCliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `shipgate gate …` in-process the way src/cli/main.ts runs any command (exitOverride,
 * errors rendered once, ShipgateError → its exit code), on a program that has only the gate
 * command: the command is registered in the real program by the integrator.
 */
export async function runGateCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<GateCliRun> {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: options.cwd,
      env: options.env ?? {},
      interactive: false,
      color: false,
    },
    exitCode: EXIT_OK,
  };
  const program = new Command("shipgate")
    .exitOverride()
    .configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  registerGate(program, ctx);
  try {
    await program.parseAsync(args, { from: "user" });
    return { code: ctx.exitCode, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) {
      return { code: error.exitCode === 0 ? EXIT_OK : EXIT_USAGE, stdout, stderr };
    }
    stderr += `${renderError(error, false)}\n`;
    return { code: error instanceof ShipgateError ? error.exitCode : EXIT_USAGE, stdout, stderr };
  }
}

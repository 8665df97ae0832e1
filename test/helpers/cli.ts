import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, as a non-interactive, colourless terminal (unless `color`). */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; interactive?: boolean; color?: boolean } = {
    cwd: process.cwd(),
  },
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    interactive: options.interactive ?? false,
    color: options.color ?? false,
  });
  return { code, stdout, stderr };
}

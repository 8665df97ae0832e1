import { type CliRun, runCli } from "../../helpers/cli.js";

/**
 * Runs `shipgate gate …` in-process through the real entry point. $GITHUB_STEP_SUMMARY is
 * unset unless a test sets it, so a CI run's own job summary is never written to.
 */
export function runGateCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return runCli(args, { cwd: options.cwd, env: { GITHUB_STEP_SUMMARY: undefined, ...options.env } });
}

/**
 * Exit codes, documented in one place (docs/cli.md repeats this table):
 * - 0: success, nothing to report
 * - 1: a check, finding, gate or rollout failed
 * - 2: bad usage or bad input (unknown flag, invalid shipgate.yml, unreadable file)
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILED | typeof EXIT_USAGE;

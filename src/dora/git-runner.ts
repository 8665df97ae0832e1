import { spawn } from "node:child_process";

/**
 * Runs git for the history walk. Unlike src/deliver/git.ts it can feed stdin (`git patch-id`
 * reads a diff) and it resolves to undefined on failure: a commit missing from this clone is
 * an expected condition here, counted in the report, not an error.
 */
export function tryGit(
  args: string[],
  options: { cwd: string; input?: string },
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "ignore"],
    });
    const out: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.on("error", () => resolve(undefined));
    child.on("close", (code) => resolve(code === 0 ? Buffer.concat(out).toString("utf8") : undefined));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

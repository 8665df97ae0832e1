import { spawn } from "node:child_process";

export interface CommandResult {
  exitCode: number | null;
  timedOut: boolean;
  /** The last lines of stdout and stderr, interleaved as they came. */
  tail: string[];
}

/** Output kept per command: enough for the last lines of any realistic failure. */
const KEEP_BYTES = 64 * 1024;

/**
 * Runs one command the way a GitHub Actions `run:` step on ubuntu does (`bash --noprofile
 * --norc -eo pipefail`), in its own process group so a time limit stops everything it started.
 */
export function runCommand(options: {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  tailLines: number;
}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", options.command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let kept = "";
    const keep = (chunk: Buffer) => {
      kept += chunk.toString("utf8");
      if (kept.length > KEEP_BYTES * 2) kept = kept.slice(-KEEP_BYTES);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 5000).unref();
    }, options.timeoutMs);
    const finish = (exitCode: number | null) => {
      clearTimeout(timer);
      // Whatever the command left running in the background does not outlive its step.
      killGroup("SIGKILL");
      resolve({ exitCode, timedOut, tail: lastLines(kept, options.tailLines) });
    };
    child.on("error", (error) => {
      kept += `\n${error.message}\n`;
      finish(127);
    });
    child.on("close", (code) => finish(timedOut ? null : code));
  });
}

export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.slice(-count);
}

/** Runs a short helper (git, a version query) and returns its output; null when it cannot run. */
export function capture(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string } | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

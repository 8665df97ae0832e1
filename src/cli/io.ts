export interface OutputStream {
  write(chunk: string): unknown;
}

/** Everything a command touches outside the library, so commands run in-process in tests. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdin and stdout are an interactive terminal (prompts, colour, progress). */
  interactive: boolean;
  color: boolean;
}

export function processIo(): CliIo {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    interactive,
    color,
  };
}

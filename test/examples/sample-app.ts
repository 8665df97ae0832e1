import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const SAMPLE_APP_DIR = fileURLToPath(new URL("../../examples/sample-app/", import.meta.url));

export interface SampleApp {
  baseUrl: string;
  child: ChildProcess;
  /** Everything the process printed on stdout so far (its JSON log lines). */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts examples/sample-app/server.js on a free loopback port; stopped after the test. */
export async function startSampleApp(options: { env?: Record<string, string> } = {}): Promise<SampleApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.js"], {
    cwd: SAMPLE_APP_DIR,
    env: { PATH: process.env.PATH, ...options.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (stdout.includes('"msg":"listening"')) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`sample app exited with ${code}: ${stderr}`));
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    output: () => stdout,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** The port a listener got from the OS, released again; env PORT=0 would hide the real port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

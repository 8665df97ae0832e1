import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { LoadSummary } from "../../../src/deliver/load.js";

export const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
export const CLI = new URL("./cli-process.ts", import.meta.url).pathname;
const LOAD = new URL("./load-process.ts", import.meta.url).pathname;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a process of its own, from the sources. */
export function runCliProcess(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child);
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Traffic from a second process; `stop()` ends it and returns what it counted. */
export async function startLoadProcess(url: string, rps: number) {
  const child = spawn(process.execPath, ["--import", TSX, LOAD, url, String(rps)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const done = collect(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("flowing")) resolve();
    });
    child.on("exit", () => reject(new Error("the load process ended before its traffic flowed")));
  });
  return {
    async stop(): Promise<LoadSummary> {
      child.kill("SIGTERM");
      const run = await done;
      if (child.exitCode !== 0 && child.exitCode !== null) await once(child, "exit");
      return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as LoadSummary;
    },
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import type { Ledger } from "../../src/ledger/types.js";

/**
 * A worker script in its own Node process, for the tests that need real concurrency between
 * processes. The script prints `ready` once set up, waits for a line on stdin (`go()`), does
 * its work and exits 0; anything else it prints is kept in `stdout()`.
 */
export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  go(): void;
  stdout(): string;
}

export function startWorker(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Worker {
  const label = `${script} ${args.join(" ")}`;
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, script), ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env,
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready")) resolve();
    });
    child.once("exit", () => reject(new Error(`worker ${label} exited before ready: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${label} exited with ${code}: ${stderr}`)),
    );
  });
  // Observed here so that a worker failing before the test awaits it is not an unhandled rejection.
  ready.catch(() => undefined);
  exited.catch(() => undefined);
  return { child, ready, exited, go: () => child.stdin?.write("go\n"), stdout: () => stdout };
}

/**
 * Tells the workers to go, then verifies `reader`'s chain over and over while they run,
 * expecting no problems in any snapshot. Resolves with the number of verifications once every
 * worker has exited; rejects if one failed.
 */
export async function verifyWhileRunning(reader: Ledger, workers: readonly Worker[]): Promise<number> {
  for (const worker of workers) worker.go();
  let running = true;
  const exited = Promise.all(workers.map((w) => w.exited)).finally(() => {
    running = false;
  });
  let reads = 0;
  while (running) {
    expect((await reader.verifyChain()).problems).toEqual([]);
    reads++;
    await sleep(5);
  }
  await exited;
  return reads;
}

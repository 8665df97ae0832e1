import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ShipgateError } from "../../../errors.js";
import type { EnvironmentState } from "../types.js";
import { type AgentInfo, ensureAgentDir, readAgentInfo, removeAgentInfo } from "./agent-info.js";
import { ControlClient } from "./control-client.js";
import { type AgentPaths, agentPaths } from "./paths.js";
import { isPidAlive } from "./process-group.js";

export interface RunningAgent {
  client: ControlClient;
  pid: number;
  controlPort: number;
  /** Whether this call started it. */
  started: boolean;
}

export interface EnsureAgentOptions {
  stateDir: string;
  /** How long a new agent may take to answer. Default 20 s. */
  timeoutMs?: number;
}

/**
 * The agent of `stateDir`, started if none answers. An agent.json whose pid is dead, or whose
 * agent does not answer, is stale and replaced. A lock file keeps two callers from starting
 * two agents at once.
 */
export async function ensureAgent(options: EnsureAgentOptions): Promise<RunningAgent> {
  const stateDir = resolve(options.stateDir);
  const paths = agentPaths(stateDir);
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const running = await connect(paths);
  if (running) return running;
  await ensureAgentDir(paths);
  while (!(await takeSpawnLock(paths))) {
    if (Date.now() > deadline) throw startFailed(paths, "another caller is starting it and did not finish");
    await sleep(50);
    const other = await connect(paths);
    if (other) return other;
  }
  try {
    const other = await connect(paths);
    if (other) return other;
    await removeAgentInfo(paths);
    const pid = spawnAgent(stateDir, paths);
    while (Date.now() < deadline) {
      await sleep(40);
      const info = await readAgentInfo(paths);
      if (info?.pid === pid) {
        const agent = await connect(paths);
        if (agent) return { ...agent, started: true };
      }
      if (!isPidAlive(pid)) throw startFailed(paths, "it exited during start-up");
    }
    throw startFailed(paths, "it did not answer in time");
  } finally {
    await rm(paths.spawnLock, { force: true });
  }
}

export interface StopAgentResult {
  stopped: boolean;
  pid?: number;
  message: string;
}

/** Drains every environment and stops the agent; a no-op (with a message) when none runs. */
export async function stopAgent(options: { stateDir: string; timeoutMs?: number }): Promise<StopAgentResult> {
  const paths = agentPaths(resolve(options.stateDir));
  const agent = await connect(paths);
  if (!agent) {
    const info = await readAgentInfo(paths);
    if (info && isPidAlive(info.pid)) {
      // Not ours to kill blindly: the pid may have been reused by an unrelated process.
      return {
        stopped: false,
        pid: info.pid,
        message: `agent.json names pid ${info.pid}, which is alive but does not answer; see ${paths.logFile}`,
      };
    }
    await removeAgentInfo(paths);
    return { stopped: false, message: `no agent runs for ${options.stateDir}` };
  }
  await agent.client.shutdown();
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (isPidAlive(agent.pid)) {
    if (Date.now() > deadline) {
      return { stopped: false, pid: agent.pid, message: `agent ${agent.pid} drained but has not exited yet` };
    }
    await sleep(25);
  }
  return { stopped: true, pid: agent.pid, message: `agent ${agent.pid} drained and stopped` };
}

export interface AgentStatus {
  running: boolean;
  pid?: number;
  controlPort?: number;
  startedAt?: string;
  /** agent.json names a process that is gone or does not answer. */
  stale?: boolean;
  environments: EnvironmentState[];
}

/** What runs for `stateDir`, without starting anything. Never includes the token. */
export async function agentStatus(options: { stateDir: string }): Promise<AgentStatus> {
  const paths = agentPaths(resolve(options.stateDir));
  const info = await readAgentInfo(paths);
  const agent = await connect(paths);
  if (!agent) return { running: false, ...(info && { stale: true, pid: info.pid }), environments: [] };
  const health = await agent.client.health();
  const environments = await Promise.all(health.environments.map((env) => agent.client.state(env)));
  return {
    running: true,
    pid: agent.pid,
    controlPort: agent.controlPort,
    startedAt: health.startedAt,
    environments,
  };
}

/** A client for the agent agent.json names, if that agent is alive and answers as itself. */
export async function connect(paths: AgentPaths): Promise<RunningAgent | undefined> {
  const info: AgentInfo | undefined = await readAgentInfo(paths);
  if (!info || !isPidAlive(info.pid)) return undefined;
  const client = new ControlClient({ port: info.controlPort, token: info.token });
  try {
    const health = await client.health(3_000);
    if (health.pid !== info.pid) return undefined;
  } catch {
    return undefined;
  }
  return { client, pid: info.pid, controlPort: info.controlPort, started: false };
}

/**
 * Spawns `agent-main` detached, in its own session, with its output in agent.log, and lets
 * this process exit without it. From the built package that is `node agent-main.js`; from
 * the TypeScript sources (vitest, tsx) it is `node --import <tsx loader> agent-main.ts`, the
 * loader given as an absolute URL so it resolves whatever the agent's working directory.
 */
function spawnAgent(stateDir: string, paths: AgentPaths): number {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith(".ts");
  const entry = join(dirname(here), fromSource ? "agent-main.ts" : "agent-main.js");
  const loader = fromSource ? ["--import", pathToFileURL(createRequire(here).resolve("tsx")).href] : [];
  const fd = openSync(paths.logFile, "a", 0o600);
  try {
    const child = spawn(process.execPath, [...loader, entry, "--state-dir", stateDir], {
      cwd: stateDir,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: process.env,
    });
    child.unref();
    if (child.pid === undefined) throw startFailed(paths, "it could not be spawned");
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Exclusive create; a lock left by a dead or long-gone caller is removed. */
async function takeSpawnLock(paths: AgentPaths): Promise<boolean> {
  try {
    const handle = await open(paths.spawnLock, "wx", 0o600);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = Number(await readFile(paths.spawnLock, "utf8").catch(() => ""));
  const age = await stat(paths.spawnLock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  // An empty lock is one being written right now, unless it has been empty for a while.
  const abandoned = Number.isInteger(owner) && owner > 0 ? !isPidAlive(owner) : age > 1_000;
  if (abandoned || age > 30_000) {
    await rm(paths.spawnLock, { force: true });
  }
  return false;
}

function startFailed(paths: AgentPaths, why: string): ShipgateError {
  return new ShipgateError(
    {
      code: "local/agent-start-failed",
      message: `the shipgate agent did not start: ${why}`,
      hint: `see ${paths.logFile}`,
    },
    { exitCode: 1 },
  );
}

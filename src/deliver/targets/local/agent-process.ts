import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ShipgateError } from "../../../errors.js";
import type { EnvironmentState } from "../types.js";
import { ensureAgentDir, readAgentInfo, removeAgentInfo } from "./agent-info.js";
import { lockHolder } from "./agent-lock.js";
import { ControlClient } from "./control-client.js";
import { type AgentPaths, agentPaths } from "./paths.js";
import { isPidAlive, processStartTime } from "./process-group.js";

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

/** What is known of a state directory's agent: whether one holds the lock, and whether it answers. */
export type AgentLookup =
  | { state: "running"; agent: RunningAgent }
  | { state: "none" }
  /** The lock is held but agent.json does not name the holder yet: it is starting. */
  | { state: "starting"; pid?: number }
  /** The lock is held and the holder does not answer: paused, overloaded or out of descriptors. */
  | { state: "unresponsive"; pid?: number };

/**
 * The agent of `stateDir`, started if there is none. One that holds the agent lock but does
 * not answer is reported (`local/agent-unresponsive`), never replaced: a second agent would
 * stop the first one's instances and fight it for the ports.
 */
export async function ensureAgent(options: EnsureAgentOptions): Promise<RunningAgent> {
  const stateDir = resolve(options.stateDir);
  const paths = agentPaths(stateDir);
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  await ensureAgentDir(paths);
  let spawned: number | undefined;
  for (;;) {
    const found = await lookUpAgent(stateDir);
    if (found.state === "running") return { ...found.agent, started: found.agent.pid === spawned };
    // One this call just started may be slow to answer on a loaded machine: it is waited for
    // until the deadline. One that was already there is reported at once.
    if (found.state === "unresponsive" && (spawned === undefined || found.pid !== spawned)) {
      throw unresponsive(paths, found.pid);
    }
    if (found.state === "none") {
      if (spawned !== undefined && !isPidAlive(spawned))
        throw startFailed(paths, "it exited during start-up");
      if (spawned === undefined && (await takeSpawnLock(paths))) {
        try {
          // Another caller may have started one while this one waited for the spawn lock.
          if ((await lookUpAgent(stateDir)).state === "none") spawned = spawnAgent(stateDir, paths);
        } finally {
          await rm(paths.spawnLock, { force: true });
        }
      }
    }
    if (Date.now() > deadline) {
      throw found.state === "starting"
        ? startFailed(paths, `pid ${found.pid ?? "?"} holds the agent lock but did not finish starting`)
        : startFailed(paths, "it did not answer in time");
    }
    await sleep(40);
  }
}

export interface StopAgentResult {
  stopped: boolean;
  pid?: number;
  message: string;
}

/**
 * Drains every environment and stops the agent; a no-op (with a message) when none runs.
 * `force` kills an agent that holds the lock but does not answer: its instances keep running
 * and the next agent adopts them.
 */
export async function stopAgent(options: {
  stateDir: string;
  timeoutMs?: number;
  force?: boolean;
}): Promise<StopAgentResult> {
  const stateDir = resolve(options.stateDir);
  const paths = agentPaths(stateDir);
  const found = await lookUpAgent(stateDir);
  if (found.state === "none") {
    await removeAgentInfo(paths);
    return { stopped: false, message: `no agent runs for ${options.stateDir}` };
  }
  if (found.state !== "running") {
    const pid = found.pid;
    const info = await readAgentInfo(paths);
    // Only the process agent.json names, and only if it is still that process (pid and start time).
    const killable = pid !== undefined && info?.pid === pid && sameProcess(info);
    if (!options.force || !killable) {
      return {
        stopped: false,
        ...(pid !== undefined && { pid }),
        message: `the agent${pid ? ` (pid ${pid})` : ""} holds the lock of ${options.stateDir} but does not answer; see ${paths.logFile}; \`shipgate agent stop --force\` kills it (its instances keep serving and the next agent adopts them)`,
      };
    }
    process.kill(pid, "SIGKILL");
    await waitUntil(() => !isPidAlive(pid), options.timeoutMs ?? 15_000);
    return {
      stopped: true,
      pid,
      message: `agent ${pid} did not answer and was killed; its instances keep running`,
    };
  }
  const { agent } = found;
  await agent.client.shutdown();
  if (!(await waitUntil(() => !isPidAlive(agent.pid), options.timeoutMs ?? 15_000))) {
    return { stopped: false, pid: agent.pid, message: `agent ${agent.pid} drained but has not exited yet` };
  }
  return { stopped: true, pid: agent.pid, message: `agent ${agent.pid} drained and stopped` };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

export interface AgentStatus {
  running: boolean;
  pid?: number;
  controlPort?: number;
  startedAt?: string;
  /** agent.json names a process that is gone. */
  stale?: boolean;
  /** An agent holds the lock but does not answer. */
  unresponsive?: boolean;
  environments: EnvironmentState[];
}

/** What runs for `stateDir`, without starting anything. Never includes the token. */
export async function agentStatus(options: { stateDir: string }): Promise<AgentStatus> {
  const stateDir = resolve(options.stateDir);
  const found = await lookUpAgent(stateDir);
  if (found.state !== "running") {
    const info = await readAgentInfo(agentPaths(stateDir));
    if (found.state === "unresponsive" || found.state === "starting") {
      return {
        running: false,
        unresponsive: true,
        ...(found.pid !== undefined && { pid: found.pid }),
        environments: [],
      };
    }
    return { running: false, ...(info && { stale: true, pid: info.pid }), environments: [] };
  }
  const { agent } = found;
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

/** How long an agent that holds the lock may take to answer before it counts as unresponsive. */
const ANSWER_MS = 3_000;

/** Looks the agent of `stateDir` up by its lock, then asks it who it is. */
export async function lookUpAgent(stateDir: string): Promise<AgentLookup> {
  const paths = agentPaths(stateDir);
  const holder = await lockHolder(stateDir);
  if (holder === "free") return { state: "none" };
  const info = await readAgentInfo(paths);
  if (holder === "unknown") {
    // No kernel lock on this platform: a live pid that answers as itself is the agent.
    if (!info || !isPidAlive(info.pid)) return { state: "none" };
  } else if (typeof holder === "number" && info?.pid !== holder) {
    return { state: "starting", pid: holder };
  } else if (!info || !sameProcess(info)) {
    // The lock is held, but agent.json is missing or names a process that is gone: the
    // holder is a new agent that has not published itself yet.
    return { state: "starting" };
  }
  const client = new ControlClient({ port: info.controlPort, token: info.token });
  try {
    const health = await client.health(ANSWER_MS);
    if (health.pid === info.pid) {
      return {
        state: "running",
        agent: { client, pid: info.pid, controlPort: info.controlPort, started: false },
      };
    }
  } catch {
    // No answer in time.
  }
  return holder === "unknown" ? { state: "none" } : { state: "unresponsive", pid: info.pid };
}

/** Whether agent.json's pid is still the process that wrote it (same start time, where known). */
function sameProcess(info: { pid: number; startTime?: number | undefined }): boolean {
  if (!isPidAlive(info.pid)) return false;
  return info.startTime === undefined || processStartTime(info.pid) === info.startTime;
}

/** A client for the agent of `paths`, if one runs and answers. */
export async function connect(paths: AgentPaths): Promise<RunningAgent | undefined> {
  const found = await lookUpAgent(dirname(paths.dir));
  return found.state === "running" ? found.agent : undefined;
}

function unresponsive(paths: AgentPaths, pid: number | undefined): ShipgateError {
  return new ShipgateError(
    {
      code: "local/agent-unresponsive",
      message: `the shipgate agent${pid ? ` (pid ${pid})` : ""} holds the agent lock but did not answer within ${ANSWER_MS / 1000} s: it is paused, overloaded or out of file descriptors`,
      hint: `see ${paths.logFile}; if it does not recover, \`shipgate agent stop --force\` kills it and the next command's agent adopts its instances`,
    },
    { exitCode: 1 },
  );
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
      env: agentEnvironment(),
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

/**
 * The variables an agent is started with. It lives long after the command that started it,
 * and everything in its environment stays readable in /proc for as long: cloud keys, CI
 * tokens and webhook URLs of that command must not be among them. `RUNNER_TRACKING_ID` in
 * particular would let the GitHub runner kill the agent when the job that started it ends.
 * Instances get a smaller set still, plus the app's own configured variables.
 */
export const AGENT_ENVIRONMENT = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
];

export function agentEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of AGENT_ENVIRONMENT) if (from[name] !== undefined) env[name] = from[name];
  return env;
}

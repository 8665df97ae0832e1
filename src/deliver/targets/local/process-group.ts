import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Process liveness and process-group signalling.
 *
 * Instances run as `sh -c <start>` in their own process group (the shell is the leader and
 * does not exec its last command), so signals go to the group: the shell and whatever it
 * started get them together.
 *
 * "Alive" means running, not a zombie: when the shell dies first its children are adopted
 * by pid 1, and a pid 1 that does not reap (as in many containers) leaves them as zombies,
 * which `kill(pid, 0)` still reports. On Linux the state is read from /proc for that reason.
 */
const HAS_PROC = process.platform === "linux";

export function isPidAlive(pid: number): boolean {
  if (HAS_PROC) {
    const stat = readStat(pid);
    return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether any process of the group is still running. */
export function groupAlive(pgid: number): boolean {
  if (HAS_PROC) {
    let pids: string[];
    try {
      pids = readdirSync("/proc");
    } catch {
      pids = [];
    }
    for (const name of pids) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const stat = readStat(Number(name));
      if (stat && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Resolves true once no process of the group is left, false after `timeoutMs`. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/** When the process started, in clock ticks since boot (Linux); with the pid it names a process. */
export function processStartTime(pid: number): number | undefined {
  return HAS_PROC ? readStat(pid)?.startTime : undefined;
}

function readStat(pid: number): { state: string; pgrp: number; startTime: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", pgrp: Number(fields[2]), startTime: Number(fields[19]) };
}

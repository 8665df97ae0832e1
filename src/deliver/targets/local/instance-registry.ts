import { readFile, rm } from "node:fs/promises";
import { writeFileAtomic } from "../../../fs/atomic-write.js";
import type { AgentLog } from "./agent-log.js";
import { groupAlive, processStartTime, signalGroup } from "./process-group.js";

/** A process group leader by pid and start time: the pair names one process for good. */
interface RecordedGroup {
  pgid: number;
  startTime: number;
}

/**
 * The instances' process groups, kept on disk while they run. An agent killed outright
 * (SIGKILL, out of memory) cannot stop its instances, and they run in groups of their own, so
 * nothing else would; the next agent reads this file and stops them (see `reapLeftovers`).
 */
export class InstanceRegistry {
  private readonly groups = new Map<number, RecordedGroup>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  add(pgid: number): void {
    const startTime = processStartTime(pgid);
    if (startTime === undefined) return;
    this.groups.set(pgid, { pgid, startTime });
    this.save();
  }

  remove(pgid: number): void {
    if (this.groups.delete(pgid)) this.save();
  }

  /** Resolves once every change so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const text = `${JSON.stringify([...this.groups.values()])}\n`;
    this.writing = this.writing
      .then(() => writeFileAtomic(this.file, text, { mode: 0o600 }))
      .catch(() => undefined);
  }
}

/** Kills the instance groups a previous agent recorded and left running; returns how many. */
export async function reapLeftovers(file: string, log: AgentLog): Promise<number> {
  let groups: RecordedGroup[];
  try {
    groups = JSON.parse(await readFile(file, "utf8")) as RecordedGroup[];
  } catch {
    return 0;
  }
  let reaped = 0;
  for (const group of Array.isArray(groups) ? groups : []) {
    if (!leftOver(group)) continue;
    signalGroup(group.pgid, "SIGKILL");
    reaped++;
  }
  if (reaped > 0) log("warn", "stopped instances a previous agent left running", { groups: reaped });
  await rm(file, { force: true });
  return reaped;
}

function leftOver(group: RecordedGroup): boolean {
  if (!Number.isInteger(group?.pgid) || group.pgid <= 1) return false;
  const leaderStart = processStartTime(group.pgid);
  // The leader lives: it must be the same process, not a later one given the same pid.
  if (leaderStart !== undefined) return leaderStart === group.startTime && groupAlive(group.pgid);
  // The leader is gone but the group lives on: a pid is never handed out while a group of
  // that id exists, so these are still the instance's processes.
  return groupAlive(group.pgid);
}

import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../../fs/atomic-write.js";
import type { AgentPaths } from "./paths.js";

/** `agent.json`: how a client finds and authenticates to the agent of a state directory. */
export const AgentInfoSchema = z.object({
  pid: z.number().int().positive(),
  controlPort: z.number().int().min(1).max(65535),
  token: z.string().min(16),
  startedAt: z.string(),
  /** The process's start time (Linux clock ticks): with the pid it names the agent for good. */
  startTime: z.number().optional(),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

export async function writeAgentInfo(paths: AgentPaths, info: AgentInfo): Promise<void> {
  await ensureAgentDir(paths);
  await writeFileAtomic(paths.infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** The agent directory holds the token: only its owner may list or read it. */
export async function ensureAgentDir(paths: AgentPaths): Promise<void> {
  // Only the agent directory is private; the state directory is the ledger's too.
  await mkdir(dirname(paths.dir), { recursive: true });
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
}

/** `undefined` when there is no agent.json or it cannot be read as one. */
export async function readAgentInfo(paths: AgentPaths): Promise<AgentInfo | undefined> {
  let text: string;
  try {
    text = await readFile(paths.infoFile, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = AgentInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function removeAgentInfo(paths: AgentPaths, pid?: number): Promise<void> {
  // A newer agent may have replaced the file; only remove our own.
  if (pid !== undefined) {
    const current = await readAgentInfo(paths);
    if (current && current.pid !== pid) return;
  }
  await rm(paths.infoFile, { force: true });
}

import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../../fs/atomic-write.js";
import { IdSchema, ReleaseSpecBody } from "./protocol.js";

/**
 * What an agent serves, kept on disk (owner-only) as it changes: each environment's port,
 * each release's spec, instance count, weight and scheduled stop, and each running instance's
 * process group (pid and start time, which together name one process for good) and port.
 *
 * Instances run in process groups of their own and outlive an agent that is killed. The next
 * agent reads this file before it answers anything and adopts them: the same routers on the
 * same ports, the same weights, the surviving instances routed again once their health checks
 * pass, missing ones started anew. Traffic is interrupted only while no agent runs.
 */

const InstanceRecord = z.object({
  id: z.string(),
  index: z.number().int().positive(),
  pgid: z.number().int().positive(),
  startTime: z.number(),
  port: z.number().int().min(1).max(65535),
});
export type InstanceRecord = z.infer<typeof InstanceRecord>;

const ReleaseRecord = z.object({
  spec: ReleaseSpecBody,
  desired: z.number().int().min(0),
  weight: z.number().min(0).max(100),
  retireAt: z.string().optional(),
  instances: z.array(InstanceRecord),
});
export type ReleaseRecord = z.infer<typeof ReleaseRecord>;

const EnvironmentRecord = z.object({
  port: z.number().int().min(1).max(65535),
  releaseHeader: z.boolean(),
  releases: z.array(ReleaseRecord),
});
export type EnvironmentRecord = z.infer<typeof EnvironmentRecord>;

export const AgentStateSchema = z.object({
  version: z.literal(1),
  environments: z.record(IdSchema, EnvironmentRecord),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

/** The state file, or undefined when there is none or it cannot be read as one. */
export async function readAgentState(file: string): Promise<AgentState | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = AgentStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the agent's state whenever it changes, one write at a time: a change during a write
 * is written right after it, from the state as it is then (so bursts cost two writes, not one
 * per change).
 */
export class AgentStateFile<Content = AgentState> {
  private writing: Promise<void> | undefined;
  private dirty = false;
  private held = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => Content,
    /** Owner-only by default: the state names every process the agent supervises. */
    private readonly mode = 0o600,
  ) {}

  changed(): void {
    this.dirty = true;
    if (!this.held) this.writing ??= this.drain();
  }

  /**
   * Runs `work` with writes held back, then writes once. While an agent takes a previous one's
   * state over, the file must keep the whole old state: a write half-way through would drop
   * the releases not yet taken over, and their instances would be left to no one.
   */
  async holding<T>(work: () => Promise<T>): Promise<T> {
    this.held = true;
    try {
      return await work();
    } finally {
      this.held = false;
      this.changed();
    }
  }

  /** Resolves once every change so far is on disk. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const text = `${JSON.stringify(this.snapshot())}\n`;
      await writeFileAtomic(this.file, text, { mode: this.mode }).catch(() => undefined);
    }
    this.writing = undefined;
  }
}

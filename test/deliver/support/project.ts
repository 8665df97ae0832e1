import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRelease } from "../../../src/deliver/build.js";
import { type DeployOptions, deploy } from "../../../src/deliver/deploy.js";
import type { EngineEvent } from "../../../src/deliver/events.js";
import { generateLoad, type LoadSummary } from "../../../src/deliver/load.js";
import { stopAgent } from "../../../src/deliver/targets/local/index.js";
import {
  commitSampleRelease,
  createSampleRepo,
  type SampleRelease,
  sampleConfig,
} from "../../../src/demo/sample-repo.js";
import { freePort } from "../../../src/net/free-port.js";

export const ENV = "production";

export interface SampleProject {
  dir: string;
  stateDir: string;
  port: number;
  url: string;
  /** Commits and builds a release of the sample service; returns the artifact id. */
  release(release: SampleRelease): Promise<string>;
  deploy(artifact: string, options?: Partial<DeployOptions>): ReturnType<typeof deploy>;
  /** Steady traffic to the environment for `forMs`, counted. */
  traffic(rps: number, forMs: number): Promise<LoadSummary>;
  events: EngineEvent[];
  /** Stops the project's agent (every release drained) and removes the directory. */
  cleanup(): Promise<void>;
}

/** A git repository of the sample service with a shipgate.yml for the local target. */
export async function sampleProject(options: {
  strategy: string;
  instances?: number;
  analysis?: string;
  timeoutSeconds?: number;
  extra?: string;
}): Promise<SampleProject> {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-deliver-"));
  const port = await freePort();
  await createSampleRepo({ dir, config: sampleConfig({ port, timeoutSeconds: 5, ...options }) });
  const events: EngineEvent[] = [];
  return {
    dir,
    stateDir: join(dir, ".shipgate"),
    port,
    url: `http://127.0.0.1:${port}`,
    events,
    async release(release) {
      await commitSampleRelease({ dir, release });
      return (await buildRelease({ cwd: dir })).artifact.id;
    },
    deploy(artifact, extra = {}) {
      return deploy({
        env: ENV,
        artifact,
        cwd: dir,
        requestedBy: "test",
        pollMs: 100,
        onEvent: (e) => events.push(e),
        ...extra,
      });
    },
    traffic(rps, forMs) {
      return generateLoad({
        url: `http://127.0.0.1:${port}`,
        rps,
        maxDurationMs: forMs,
        signal: AbortSignal.timeout(forMs),
      });
    },
    async cleanup() {
      await stopAgent({ stateDir: join(dir, ".shipgate") }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The ledger event types a deployment went through, in order. */
export function eventTypes(events: EngineEvent[], deploymentId: string): string[] {
  return events
    .filter((e) => e.type === "ledger" && e.event.deploymentId === deploymentId)
    .map((e) => (e.type === "ledger" ? e.event.type : ""));
}

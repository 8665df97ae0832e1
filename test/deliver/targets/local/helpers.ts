import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { readAgentInfo } from "../../../../src/deliver/targets/local/agent-info.js";
import { createLocalTarget, ensureAgent, stopAgent } from "../../../../src/deliver/targets/local/index.js";
import { agentPaths } from "../../../../src/deliver/targets/local/paths.js";
import { isPidAlive, signalGroup } from "../../../../src/deliver/targets/local/process-group.js";
import type { EnvironmentState, ReleaseSpec, Target } from "../../../../src/deliver/targets/types.js";
import { freePort } from "../../../../src/net/free-port.js";

export const SAMPLE_APP = fileURLToPath(new URL("../../../../examples/sample-app", import.meta.url));

export function sampleRelease(id: string, overrides: Partial<ReleaseSpec> = {}): ReleaseSpec {
  return {
    id,
    artifactId: `artifact-${id}`,
    source: SAMPLE_APP,
    workdir: ".",
    start: "node server.js",
    instances: 1,
    healthPath: "/health",
    readyPath: "/ready",
    env: { APP_VERSION: id, DRAIN_TIMEOUT_MS: "3000" },
    ...overrides,
  };
}

export async function tempStateDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "shipgate-agent-")), ".shipgate");
}

export interface EnvironmentOptions {
  /** The router names the answering release in x-shipgate-release (for exact attribution). */
  releaseHeader?: boolean;
}

export interface SharedAgent {
  readonly stateDir: string;
  /** A prepared environment on a free port and its router's base URL. */
  environment(env: string, options?: EnvironmentOptions): Promise<{ target: Target; url: string }>;
}

/**
 * One agent for a whole test file, started before its tests and stopped after them, with
 * `agentEnv` in the environment it inherits.
 */
export function useSharedAgent(agentEnv: Record<string, string> = {}): SharedAgent {
  let dir = "";
  beforeAll(async () => {
    dir = await tempStateDir();
    const saved = Object.keys(agentEnv).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, agentEnv);
    try {
      await ensureAgent({ stateDir: dir });
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
  afterAll(() => cleanUpAgent(dir));
  return {
    get stateDir() {
      return dir;
    },
    environment: (env, options) => prepareEnvironment(dir, env, options),
  };
}

/** A local target for `env` of `stateDir` on a free port, prepared, and its router's base URL. */
export async function prepareEnvironment(
  stateDir: string,
  env: string,
  options: EnvironmentOptions = {},
): Promise<{ target: Target; url: string }> {
  // A port found free can be taken by another test file's process before the router binds it
  // (two files run at once); the target refuses it with local/port-in-use, so take another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const target = createLocalTarget({ stateDir, env, port, ...options });
    try {
      await target.prepare();
      return { target, url: `http://127.0.0.1:${port}` };
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== "local/port-in-use") throw error;
    }
  }
}

/** Stops the agent of `stateDir` and makes sure nothing it started is left, then removes the dir. */
export async function cleanUpAgent(stateDir: string): Promise<void> {
  const info = await readAgentInfo(agentPaths(stateDir));
  await stopAgent({ stateDir }).catch(() => undefined);
  if (info && isPidAlive(info.pid)) process.kill(info.pid, "SIGKILL");
  await rm(join(stateDir, ".."), { recursive: true, force: true });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the release has `healthy` healthy instances (and, by default, no others). */
export function waitHealthy(target: Target, id: string, healthy: number): Promise<EnvironmentState> {
  return waitFor(`${id} to have ${healthy} healthy instances`, async () => {
    const state = await target.state();
    const release = state.releases.find((r) => r.id === id);
    return release?.healthy === healthy && release.instances.length === healthy ? state : undefined;
  });
}

export interface Answer {
  status: number;
  /**
   * Which release answered: the router's x-shipgate-release where the environment turned it
   * on, else the sample service's x-app-version, which sampleRelease sets to the release id.
   */
  release: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function get(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          release: (res.headers["x-shipgate-release"] ?? res.headers["x-app-version"]) as string | undefined,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export interface LoadResult {
  sent: number;
  ok: number;
  /** Anything that was not a 2xx: `status <n>` or the connection error's message. */
  failures: string[];
  byRelease: Map<string, number>;
}

/** Continuous keep-alive GETs from `concurrency` loops until `stop()` is called. */
export function startLoad(url: string, concurrency = 6): { stop: () => Promise<LoadResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { sent: 0, ok: 0, failures: [], byRelease: new Map() };
  let running = true;
  const loop = async () => {
    while (running) {
      result.sent++;
      try {
        const answer = await get(url, agent);
        if (answer.status >= 200 && answer.status < 300) result.ok++;
        else result.failures.push(`status ${answer.status}`);
        if (answer.release)
          result.byRelease.set(answer.release, (result.byRelease.get(answer.release) ?? 0) + 1);
      } catch (error) {
        result.failures.push((error as Error).message);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/** pids of every live process in the group (Linux /proc), for checking that none is left. */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export { isPidAlive, signalGroup };

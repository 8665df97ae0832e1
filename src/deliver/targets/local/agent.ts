import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { inputError } from "../../../errors.js";
import type { ReleaseCounters } from "../../analysis/types.js";
import type { EnvironmentState } from "../types.js";
import { ensureAgentDir, removeAgentInfo, writeAgentInfo } from "./agent-info.js";
import { takeAgentLock } from "./agent-lock.js";
import { type AgentLog, createAgentLog } from "./agent-log.js";
import { type AgentState, AgentStateFile, type InstanceRecord, readAgentState } from "./agent-state.js";
import { createControlServer } from "./control-server.js";
import { DEFAULT_SUPERVISION, type SupervisionSettings } from "./instance.js";
import { type AgentPaths, agentPaths } from "./paths.js";
import { groupAlive, isPidAlive, processStartTime, signalGroup } from "./process-group.js";
import { emptyCounters } from "./release-traffic.js";
import { Router } from "./router.js";
import { type ScrapeTargetGroup, scrapeTargets } from "./scrape-targets.js";
import { EnvironmentSupervisor } from "./supervisor.js";

interface Environment {
  port: number;
  router: Router;
  supervisor: EnvironmentSupervisor;
}

/**
 * The agent of one state directory: several environments, each a router on its own port and
 * the releases behind it. The control server is its only interface.
 */
export class Agent {
  readonly startedAt = new Date().toISOString();
  private readonly environments = new Map<string, Environment>();
  private readonly pending = new Map<string, Promise<Environment>>();
  private stopping: Promise<void> | undefined;

  /** What runs, on disk as it changes, for the next agent to adopt if this one is killed. */
  readonly stateFile: AgentStateFile;
  /** The running instances, for a Prometheus that scrapes them (file-based service discovery). */
  readonly scrapeTargetsFile: AgentStateFile<ScrapeTargetGroup[]>;

  constructor(
    readonly paths: AgentPaths,
    private readonly log: AgentLog,
    private readonly settings: SupervisionSettings = DEFAULT_SUPERVISION,
  ) {
    this.stateFile = new AgentStateFile(paths.stateFile, () => this.snapshot());
    this.scrapeTargetsFile = new AgentStateFile(
      paths.scrapeTargetsFile,
      () => scrapeTargets(this.snapshot()),
      0o644,
    );
  }

  /** Something that runs changed: both files follow. */
  private changed(): void {
    this.stateFile.changed();
    this.scrapeTargetsFile.changed();
  }

  /** Everything a later agent needs to take this one's environments over. */
  snapshot(): AgentState {
    const environments: AgentState["environments"] = {};
    for (const [name, e] of this.environments) {
      environments[name] = {
        port: e.port,
        releaseHeader: e.router.releaseHeader,
        releases: e.supervisor.records(),
      };
    }
    return { version: 1, environments };
  }

  /**
   * Takes over what a previous agent left: its environments on their ports, its releases and
   * weights, its surviving instances. Instances it cannot take over (their environment's port
   * is taken) are stopped, since nothing would route to them.
   */
  async restore(state: AgentState): Promise<void> {
    for (const [env, record] of Object.entries(state.environments)) {
      try {
        await this.ensureEnvironment(env, record.port, { releaseHeader: record.releaseHeader });
      } catch (error) {
        this.log("error", "cannot take the environment over: stopping its instances", {
          env,
          error: error instanceof Error ? error.message : String(error),
        });
        for (const release of record.releases) for (const i of release.instances) killLeftover(i);
        continue;
      }
      const supervisor = this.environment(env);
      await Promise.all(record.releases.map((release) => supervisor.restoreRelease(release, adoptable)));
      const weights = Object.fromEntries(record.releases.map((r) => [r.spec.id, r.weight]));
      if (Object.values(weights).some((w) => w > 0)) supervisor.setWeights(weights);
    }
  }

  get environmentNames(): string[] {
    return [...this.environments.keys()];
  }

  /** Creates the environment and its router; the same call again is a no-op. */
  async ensureEnvironment(
    env: string,
    port: number,
    options: { releaseHeader?: boolean } = {},
  ): Promise<EnvironmentState> {
    const existing = this.environments.get(env) ?? (await this.pending.get(env));
    if (existing) {
      existing.router.releaseHeader = options.releaseHeader ?? false;
      if (existing.port !== port) {
        throw inputError(
          "local/port-conflict",
          `environment ${env} already serves on port ${existing.port}, not ${port}`,
          { hint: "stop the agent (shipgate agent stop) to move an environment to another port" },
        );
      }
      return this.state(env);
    }
    const taken = [...this.environments.entries()].find(([, e]) => e.port === port);
    if (taken) {
      throw inputError("local/port-in-use", `port ${port} is already the router of environment ${taken[0]}`);
    }
    const creating = this.createEnvironment(env, port, options.releaseHeader ?? false);
    this.pending.set(env, creating);
    try {
      this.environments.set(env, await creating);
    } finally {
      this.pending.delete(env);
    }
    return this.state(env);
  }

  environment(env: string): EnvironmentSupervisor {
    return this.get(env).supervisor;
  }

  state(env: string): EnvironmentState {
    const found = this.get(env);
    return found.supervisor.state(`http://127.0.0.1:${found.port}`);
  }

  metrics(env: string, releaseIds: readonly string[]): Record<string, ReleaseCounters> {
    const table = this.get(env).router.table;
    const out: Record<string, ReleaseCounters> = {};
    for (const id of releaseIds) out[id] = table.knownTraffic(id)?.counters() ?? emptyCounters();
    return out;
  }

  /** Routers stop taking requests and finish theirs, then every instance drains and exits. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.log("info", "agent stopping", { environments: this.environmentNames });
      const environments = [...this.environments.values()];
      await Promise.all(environments.map((e) => e.router.close(this.settings.drainTimeoutMs)));
      await Promise.all(environments.map((e) => e.supervisor.stopAll()));
      await this.stateFile.flushed();
      await this.scrapeTargetsFile.flushed();
      await rm(this.paths.stateFile, { force: true });
      await rm(this.paths.scrapeTargetsFile, { force: true });
      this.log("info", "agent stopped", {});
    })();
    return this.stopping;
  }

  /**
   * Synchronous, for `process.on("exit")`: an agent that dies must not leave instances running
   * unsupervised (they are in process groups of their own, so nothing else would stop them).
   */
  killAllNow(): void {
    for (const e of this.environments.values()) e.supervisor.killAllNow();
  }

  private get(env: string): Environment {
    const found = this.environments.get(env);
    if (!found) {
      throw inputError("local/unknown-environment", `no environment ${env} on this agent`, {
        hint: "prepare the environment first",
      });
    }
    return found;
  }

  private async createEnvironment(env: string, port: number, releaseHeader: boolean): Promise<Environment> {
    const router = new Router({ port, releaseHeader });
    await router.listen();
    const supervisor = new EnvironmentSupervisor({
      env,
      router,
      paths: this.paths,
      settings: this.settings,
      log: this.log,
      changed: () => this.changed(),
    });
    this.changed();
    this.log("info", "environment ready", { env, url: `http://127.0.0.1:${port}` });
    return { port, router, supervisor };
  }
}

export interface RunAgentOptions {
  stateDir: string;
  log?: AgentLog;
  settings?: SupervisionSettings;
}

/** How often the agent checks that its control file still exists. */
const ORPHAN_CHECK_MS = 2_000;

/**
 * Runs the agent in this process until it is told to stop (control API or SIGTERM/SIGINT):
 * listens on a random loopback port, then publishes pid, port and a fresh token in agent.json.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const paths = agentPaths(options.stateDir);
  const log = options.log ?? createAgentLog(process.stdout);
  await ensureAgentDir(paths);
  const attempt = await takeAgentLock(options.stateDir);
  if (!attempt.acquired) {
    throw inputError(
      "local/agent-running",
      `an agent already runs for ${options.stateDir}${attempt.holder ? ` (pid ${attempt.holder})` : ""}`,
      { hint: "stop it first: shipgate agent stop (with --force if it does not answer)" },
    );
  }
  const agent = new Agent(paths, log, options.settings);
  // Before anything is answered: whatever a previous agent left running is taken over.
  const previous = await readAgentState(paths.stateFile);
  if (previous) await agent.stateFile.holding(() => agent.restore(previous));
  const token = randomBytes(32).toString("base64url");
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const stop = async () => {
    await agent.shutdown();
    await removeAgentInfo(paths, process.pid);
    resolveStopped();
  };
  const server = createControlServer({ agent, token, log, onShutdown: stop });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const startTime = processStartTime(process.pid);
  await writeAgentInfo(paths, {
    pid: process.pid,
    controlPort: port,
    token,
    startedAt: agent.startedAt,
    ...(startTime !== undefined && { startTime }),
  });
  log("info", "agent listening", { pid: process.pid, controlPort: port, stateDir: options.stateDir });

  const onExit = () => agent.killAllNow();
  process.once("exit", onExit);
  const onSignal = (signal: NodeJS.Signals) => {
    log("info", "signal received", { signal });
    void stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // An agent whose control file is gone (the state directory was deleted) can never be
  // reached again: it drains and stops instead of serving on as an orphan.
  const orphanCheck = setInterval(() => {
    if (existsSync(paths.infoFile)) return;
    log("warn", "agent.json is gone: stopping", { stateDir: options.stateDir });
    clearInterval(orphanCheck);
    void stop();
  }, ORPHAN_CHECK_MS);
  orphanCheck.unref();
  await stopped;
  await attempt.lock.release();
  clearInterval(orphanCheck);
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  process.off("exit", onExit);
  // Let the shutdown answer reach the client before the control server goes.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}

/** A recorded instance that is still the process it was: same pid, same start time, running. */
function adoptable(record: InstanceRecord): boolean {
  return processStartTime(record.pgid) === record.startTime && isPidAlive(record.pgid);
}

/** Stops a recorded instance no agent will route to, if it is still the process recorded. */
function killLeftover(record: InstanceRecord): void {
  const leaderStart = processStartTime(record.pgid);
  // A live leader must be the same process; a gone leader leaves its group to its children
  // (no new process gets a pid while a group of that id exists).
  if (leaderStart === undefined ? groupAlive(record.pgid) : leaderStart === record.startTime) {
    signalGroup(record.pgid, "SIGKILL");
  }
}

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { inputError } from "../../../errors.js";
import type { ReleaseCounters } from "../../analysis/types.js";
import type { EnvironmentState } from "../types.js";
import { ensureAgentDir, removeAgentInfo, writeAgentInfo } from "./agent-info.js";
import { type AgentLog, createAgentLog } from "./agent-log.js";
import { connect } from "./agent-process.js";
import { createControlServer } from "./control-server.js";
import { DEFAULT_SUPERVISION, type SupervisionSettings } from "./instance.js";
import { InstanceRegistry, reapLeftovers } from "./instance-registry.js";
import { type AgentPaths, agentPaths } from "./paths.js";
import { emptyCounters } from "./release-traffic.js";
import { Router } from "./router.js";
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

  readonly registry: InstanceRegistry;

  constructor(
    readonly paths: AgentPaths,
    private readonly log: AgentLog,
    private readonly settings: SupervisionSettings = DEFAULT_SUPERVISION,
  ) {
    this.registry = new InstanceRegistry(paths.instancesFile);
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
      await this.registry.flushed();
      await rm(this.paths.instancesFile, { force: true });
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
      registry: this.registry,
    });
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
  const running = await connect(paths);
  if (running) {
    throw inputError(
      "local/agent-running",
      `an agent already runs for ${options.stateDir} (pid ${running.pid})`,
      {
        hint: "stop it first: shipgate agent stop",
      },
    );
  }
  await ensureAgentDir(paths);
  // Only now, with no live agent for this directory, are recorded instances leftovers.
  await reapLeftovers(paths.instancesFile, log);
  const agent = new Agent(paths, log, options.settings);
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
  await writeAgentInfo(paths, { pid: process.pid, controlPort: port, token, startedAt: agent.startedAt });
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

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { freePort } from "../../../net/free-port.js";
import type { InstanceState } from "../types.js";
import type { AgentLog } from "./agent-log.js";
import { probe } from "./health-check.js";
import { isPidAlive, processStartTime, signalGroup, waitGroupGone } from "./process-group.js";
import type { Upstream } from "./route-table.js";
import type { Router } from "./router.js";

export interface SupervisionSettings {
  /** Between checks of an instance that is starting or out of routing: how soon it can serve. */
  healthIntervalMs: number;
  /**
   * Between checks of a healthy instance. Longer: a crash is seen at once from the process
   * exit and a refused connection is retried elsewhere, so these checks only catch an
   * instance that hangs or reports itself sick, and every probe is a new connection that
   * the instance and the router pay for while they serve.
   */
  healthyIntervalMs: number;
  healthTimeoutMs: number;
  /** Consecutive failed checks that take a healthy instance out of routing. */
  unhealthyAfter: number;
  restartInitialMs: number;
  restartMaxMs: number;
  /** An instance healthy this long has its back-off reset. */
  restartResetMs: number;
  /** How long an instance may take to finish its requests and exit before SIGKILL. */
  drainTimeoutMs: number;
}

export const DEFAULT_SUPERVISION: SupervisionSettings = {
  healthIntervalMs: 250,
  healthyIntervalMs: 1_000,
  healthTimeoutMs: 1_000,
  unhealthyAfter: 3,
  restartInitialMs: 250,
  restartMaxMs: 10_000,
  restartResetMs: 10_000,
  drainTimeoutMs: 10_000,
};

export interface InstanceLaunch {
  releaseId: string;
  /** `<release>-<n>`. */
  id: string;
  index: number;
  start: string;
  cwd: string;
  env: Record<string, string>;
  healthPath: string;
  readyPath?: string;
  logFile: string;
}

/** The shell running an instance's start command, which leads the instance's process group. */
interface LeaderProcess {
  readonly pgid: number;
  /** When it started (Linux clock ticks): with the pid, it names this process for good. */
  readonly startTime: number | undefined;
  /** Resolves, saying how, once the leader has exited. */
  readonly exited: Promise<string>;
  running(): boolean;
}

/** A leader this agent started: its exit is the child's exit event. */
function spawnedLeader(child: ChildProcess & { pid: number }): LeaderProcess {
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve(signal ? `exited on ${signal}` : `exited with code ${code}`),
    );
  });
  return {
    pgid: child.pid,
    startTime: processStartTime(child.pid),
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
  };
}

/**
 * A leader a previous agent started: not our child, so its exit is noticed by looking (the
 * same pid with the same start time, still running).
 */
function adoptedLeader(pgid: number, startTime: number, pollMs: number): LeaderProcess {
  const running = () => processStartTime(pgid) === startTime && isPidAlive(pgid);
  const exited = new Promise<string>((resolve) => {
    const timer = setInterval(() => {
      if (running()) return;
      clearInterval(timer);
      resolve("exited (adopted from a previous agent; status unknown)");
    }, pollMs);
    timer.unref();
  });
  return { pgid, startTime, exited, running };
}

/** What a later agent needs to adopt the instance: its process group and port. */
export interface AdoptableInstance {
  pgid: number;
  startTime: number;
  port: number;
}

/**
 * One supervised instance: its process (restarted with back-off when it dies), its health
 * checks (which decide whether the router may use it) and its graceful stop.
 */
export class Instance {
  state: InstanceState["state"] = "starting";
  restarts = 0;
  lastError: string | undefined;
  port: number | undefined;
  private leader: LeaderProcess | undefined;
  private upstream: Upstream | undefined;
  private failures = 0;
  private crashStreak = 0;
  private healthySince: number | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly launch: InstanceLaunch,
    private readonly router: Router,
    private readonly settings: SupervisionSettings,
    private readonly log: AgentLog,
    /** Called whenever what a later agent would need to adopt it changes. */
    private readonly changed: () => void,
  ) {}

  get id(): string {
    return this.launch.id;
  }

  /** The process-group leader (the `sh` running the start command). */
  get pid(): number | undefined {
    return this.leader?.running() ? this.leader.pgid : undefined;
  }

  /** Where its process group runs, while it runs. */
  adoptable(): AdoptableInstance | undefined {
    const leader = this.leader;
    if (!leader?.running() || leader.startTime === undefined || this.port === undefined) return undefined;
    return { pgid: leader.pgid, startTime: leader.startTime, port: this.port };
  }

  snapshot(): InstanceState {
    return {
      id: this.id,
      ...(this.port !== undefined && { port: this.port }),
      ...(this.pid !== undefined && { pid: this.pid }),
      state: this.state,
      restarts: this.restarts,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  async run(): Promise<void> {
    if (this.stopping) return;
    const port = await freePort();
    if (this.stopping) return;
    this.port = port;
    mkdirSync(dirname(this.launch.logFile), { recursive: true });
    const fd = openSync(this.launch.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn("sh", ["-c", this.launch.start], {
        cwd: this.launch.cwd,
        env: { ...baseEnvironment(), ...this.launch.env, PORT: String(port), HOST: "127.0.0.1" },
        stdio: ["ignore", fd, fd],
        // Its own process group, so stopping signals the shell and everything it started; and
        // so it outlives an agent that is killed, for the next agent to adopt.
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      const failed = await new Promise<string>((resolve) => child.once("error", (e) => resolve(e.message)));
      this.lastError = failed;
      this.onExit(undefined);
      return;
    }
    child.on("error", () => {});
    this.watch(spawnedLeader(child as ChildProcess & { pid: number }), port);
    this.log("info", "instance started", { instance: this.id, pid: child.pid, port });
  }

  /** Takes over an instance a previous agent started and left running (see agent-state.ts). */
  adopt(running: AdoptableInstance): void {
    this.port = running.port;
    this.watch(adoptedLeader(running.pgid, running.startTime, this.settings.healthIntervalMs), running.port);
    this.log("info", "instance adopted", { instance: this.id, pid: running.pgid, port: running.port });
  }

  private watch(leader: LeaderProcess, port: number): void {
    this.leader = leader;
    this.state = "starting";
    this.failures = 0;
    void leader.exited.then((how) => {
      if (this.leader !== leader) return;
      this.lastError = how;
      this.onExit(leader.pgid);
    });
    this.upstream = this.router.addUpstream(this.launch.releaseId, this.id, port);
    this.changed();
    this.scheduleCheck();
  }

  /** Drains and stops; resolves once no process of the instance is left. */
  stop(): Promise<void> {
    this.stopping ??= this.drainAndStop();
    return this.stopping;
  }

  /** Last resort when the agent itself dies: no drain, nothing awaited. */
  killNow(): void {
    clearTimeout(this.healthTimer);
    clearTimeout(this.restartTimer);
    const pid = this.pid;
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
  }

  private async drainAndStop(): Promise<void> {
    clearTimeout(this.healthTimer);
    clearTimeout(this.restartTimer);
    const leader = this.leader;
    const upstream = this.upstream;
    if (leader?.running()) {
      this.state = "draining";
      if (upstream) await this.router.drainUpstream(upstream, this.settings.drainTimeoutMs);
      const pgid = leader.pgid;
      signalGroup(pgid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        leader.exited.then(() => waitGroupGone(pgid, this.settings.drainTimeoutMs)),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(resolve, this.settings.drainTimeoutMs, false);
        }),
      ]);
      clearTimeout(timer);
      if (!gone) {
        this.log("warn", "instance did not stop in time, killing it", { instance: this.id });
        signalGroup(pgid, "SIGKILL");
        await leader.exited;
        await waitGroupGone(pgid, 2_000);
      }
    }
    this.leader = undefined;
    if (upstream) this.router.removeUpstream(upstream);
    this.upstream = undefined;
    this.state = "stopped";
    this.changed();
    this.log("info", "instance stopped", { instance: this.id });
  }

  private onExit(pgid: number | undefined): void {
    clearTimeout(this.healthTimer);
    if (this.stopping) return;
    // The shell died: take what it left behind with it, and the instance out of routing.
    if (pgid !== undefined) signalGroup(pgid, "SIGKILL");
    this.leader = undefined;
    if (this.upstream) this.router.removeUpstream(this.upstream);
    this.upstream = undefined;
    this.changed();
    if (this.healthySince !== undefined && Date.now() - this.healthySince >= this.settings.restartResetMs) {
      this.crashStreak = 0;
    }
    this.healthySince = undefined;
    const delay = Math.min(
      this.settings.restartInitialMs * 2 ** this.crashStreak,
      this.settings.restartMaxMs,
    );
    this.crashStreak++;
    this.state = "unhealthy";
    this.log("warn", "instance exited, restarting", {
      instance: this.id,
      reason: this.lastError,
      restartInMs: delay,
    });
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      this.run().catch((error: Error) => {
        this.lastError = error.message;
        this.log("error", "instance restart failed", { instance: this.id, error: error.message });
      });
    }, delay);
  }

  private scheduleCheck(): void {
    const interval =
      this.state === "healthy" ? this.settings.healthyIntervalMs : this.settings.healthIntervalMs;
    this.healthTimer = setTimeout(() => void this.check(), interval);
  }

  private async check(): Promise<void> {
    const upstream = this.upstream;
    const port = this.port;
    if (!upstream || port === undefined || this.stopping) return;
    const { healthPath, readyPath } = this.launch;
    const timeout = this.settings.healthTimeoutMs;
    let failure = await probe(port, healthPath, timeout);
    if (failure === undefined && readyPath !== undefined) failure = await probe(port, readyPath, timeout);
    // The process may have died or been stopped while the probe ran.
    if (upstream !== this.upstream || this.stopping) return;
    if (failure === undefined) {
      this.failures = 0;
      if (this.state !== "healthy") {
        this.state = "healthy";
        this.healthySince ??= Date.now();
        this.lastError = undefined;
        this.router.setRoutable(upstream, true);
        this.log("info", "instance healthy", { instance: this.id });
      }
    } else {
      this.failures++;
      if (this.state === "healthy" && this.failures >= this.settings.unhealthyAfter) {
        this.state = "unhealthy";
        this.lastError = failure;
        this.healthySince = undefined;
        this.router.setRoutable(upstream, false);
        this.log("warn", "instance unhealthy", { instance: this.id, reason: failure });
      } else if (this.state === "starting") this.lastError = failure;
    }
    this.scheduleCheck();
  }
}

/**
 * What an instance inherits from the agent: only what finding programs and basic locale
 * need. The agent's own environment is whatever the command that first started it had
 * (possibly credentials), and a release must not depend on which command that was.
 */
const INHERITED = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ", "TMPDIR"];

function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

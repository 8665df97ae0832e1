import { join } from "node:path";

/** Where one state directory's agent keeps its files. */
export interface AgentPaths {
  /** `<stateDir>/agent`, mode 0700: it holds the token. */
  dir: string;
  /** `agent.json`: pid, control port, token, start time (mode 0600). */
  infoFile: string;
  /** The agent's own stdout and stderr. */
  logFile: string;
  /** `logs/<env>/<release>-<n>.log`: one file per instance. */
  logsDir: string;
  /** What the agent serves and the process groups of its instances, for the next agent to adopt. */
  stateFile: string;
  /** Held while one caller spawns the agent, so two callers do not start two agents. */
  spawnLock: string;
  /**
   * `<stateDir>/scrape-targets.json`: every running instance for Prometheus's file-based service
   * discovery. Outside the private agent directory, so a Prometheus running as another user can
   * read it; it holds ports and release ids, nothing secret.
   */
  scrapeTargetsFile: string;
}

export function agentPaths(stateDir: string): AgentPaths {
  const dir = join(stateDir, "agent");
  return {
    dir,
    infoFile: join(dir, "agent.json"),
    logFile: join(dir, "agent.log"),
    logsDir: join(dir, "logs"),
    spawnLock: join(dir, "spawn.lock"),
    stateFile: join(dir, "state.json"),
    scrapeTargetsFile: join(stateDir, "scrape-targets.json"),
  };
}

export function instanceLogFile(paths: AgentPaths, env: string, instanceId: string): string {
  return join(paths.logsDir, env, `${instanceId}.log`);
}

import { AGENT_ENVIRONMENT } from "./agent-process.js";

export interface SystemdUnitOptions {
  /** Absolute state directory the agent serves. */
  stateDir: string;
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of shipgate's CLI entry (bin/shipgate.js). */
  cli: string;
  /** A user unit (`systemctl --user`) rather than a system one. */
  user?: boolean;
  /** The system unit's account; default the owner of the state directory, which the caller resolves. */
  account?: string;
  /** Values of AGENT_ENVIRONMENT variables to set (PATH above all: the app's commands need it). */
  environment?: Record<string, string | undefined>;
}

/**
 * A systemd unit that runs a state directory's agent for production use: started at boot,
 * restarted a second after it dies. `KillMode=process` is what makes a restart cost no
 * instance: systemd signals only the agent, whose instances run in process groups of their
 * own; a crashed agent leaves them serving and the restarted one adopts them, and a stopped
 * one drains them itself on SIGTERM. Values are quoted for systemd, never interpreted.
 */
export function systemdUnit(options: SystemdUnitOptions): string {
  if (/[\n\r]/.test(options.stateDir))
    throw new Error("a state directory with a line break cannot go in a unit");
  if (options.account !== undefined && !/^[a-z_][a-z0-9_-]{0,31}\$?$/i.test(options.account)) {
    throw new Error(`"${options.account}" is not a user name systemd accepts`);
  }
  const environment = AGENT_ENVIRONMENT.flatMap((name) => {
    const value = options.environment?.[name];
    return value === undefined ? [] : [`Environment=${quote(`${name}=${value}`)}`];
  });
  return [
    "[Unit]",
    `Description=shipgate agent for ${options.stateDir.replace(/%/g, "%%")}`,
    "After=network.target",
    // Never give up restarting: a deploy command may have started an agent meanwhile, and this
    // one then waits (failing to start) until that one ends.
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${[options.node, options.cli, "agent", "run", "--state-dir", options.stateDir].map(quote).join(" ")}`,
    // A path setting takes the rest of the line as it is (spaces too); only specifiers expand.
    `WorkingDirectory=${options.stateDir.replace(/%/g, "%%")}`,
    ...(options.user || !options.account ? [] : [`User=${options.account}`]),
    ...environment,
    "Restart=always",
    "RestartSec=1",
    "KillMode=process",
    // Draining every release may take each instance's own drain time.
    "TimeoutStopSec=90",
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    `WantedBy=${options.user ? "default.target" : "multi-user.target"}`,
    "",
  ].join("\n");
}

/** A systemd word: double-quoted, with `\`, `"`, `$` and `%` escaped (systemd expands `$` and `%`). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&").replace(/\$/g, "$$$$").replace(/%/g, "%%")}"`;
}

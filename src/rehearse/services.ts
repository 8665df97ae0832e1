import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdir, mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceKind } from "../config/schema.js";
import { freePort } from "../net/free-port.js";
import { SERVICE_CONTAINERS } from "../pipeline/defaults.js";
import type { ServiceAddress } from "../pipeline/service-values.js";
import { capture } from "./run.js";
import type { ServiceReport } from "./types.js";

export interface RunningService {
  report: ServiceReport;
  address: ServiceAddress | null;
  stop: () => Promise<void>;
}

const HOST = "127.0.0.1";

/** Finds an executable on PATH, or in the given folders. */
export function findBinary(name: string, env: NodeJS.ProcessEnv, extra: string[] = []): string | null {
  for (const dir of [...(env.PATH ?? "").split(":"), ...extra]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** PostgreSQL's server binaries: Debian keeps them out of PATH, one folder per major version. */
function postgresBinDirs(): string[] {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(base, v, "bin"));
}

function waitForPort(port: number, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  return new Promise((resolve) => {
    const attempt = () => {
      const socket = connect({ host: HOST, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > until) resolve(false);
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function missing(kind: ServiceKind, binary: string): RunningService {
  return {
    report: {
      kind,
      status: "missing",
      address: null,
      detail: `${kind} is not installed here (no ${binary})`,
    },
    address: null,
    stop: async () => {},
  };
}

function failed(kind: ServiceKind, detail: string, stop: () => Promise<void>): RunningService {
  return { report: { kind, status: "failed", address: null, detail }, address: null, stop };
}

/** The address a service answers on: the CI container's credentials, a loopback port of its own. */
function addressOf(kind: ServiceKind, port: number): ServiceAddress {
  return { ...SERVICE_CONTAINERS[kind].address, host: HOST, port };
}

/**
 * Starts a throwaway local instance of a service the tests need, in `dir`, on a free loopback
 * port, with the credentials the CI service container has. A binary that is not installed is
 * reported as missing, never replaced by anything.
 */
export async function startService(
  kind: ServiceKind,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningService> {
  await mkdir(dir, { recursive: true });
  switch (kind) {
    case "postgres":
      return startPostgres(dir, env);
    case "redis":
      return startDaemon(kind, "redis-server", env, (port) => [
        "--port",
        String(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ]);
    case "mongodb":
      return startDaemon(kind, "mongod", env, (port) => [
        "--dbpath",
        dir,
        "--port",
        String(port),
        "--bind_ip",
        HOST,
      ]);
    case "mysql":
      return startMysql(dir, env);
  }
}

async function startDaemon(
  kind: ServiceKind,
  binaryName: string,
  env: NodeJS.ProcessEnv,
  args: (port: number) => string[],
): Promise<RunningService> {
  const binary = findBinary(binaryName, env);
  if (!binary) return missing(kind, binaryName);
  const port = await freePort();
  const child = spawn(binary, args(port), { stdio: "ignore", env });
  const stop = () => stopChild(child);
  if (!(await waitForPort(port, 30_000))) {
    await stop();
    return failed(kind, `${binaryName} did not answer on ${HOST}:${port} within 30 s`, stop);
  }
  return {
    report: {
      kind,
      status: "started",
      address: { host: HOST, port },
      detail: `${binary} on ${HOST}:${port}`,
    },
    address: addressOf(kind, port),
    stop,
  };
}

/**
 * PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user and
 * every server command runs as that user through runuser.
 */
async function startPostgres(folder: string, env: NodeJS.ProcessEnv): Promise<RunningService> {
  let dir = folder;
  const bins = postgresBinDirs();
  // The server's own folder first: initdb, pg_ctl and createdb must be of one version.
  const pg = (name: string) => findBinary(name, { PATH: [...bins, env.PATH ?? ""].join(":") });
  const initdb = pg("initdb");
  const pgCtl = pg("pg_ctl");
  const createdb = pg("createdb");
  if (!initdb || !pgCtl || !createdb) return missing("postgres", "initdb, pg_ctl and createdb");
  const asRoot = process.getuid?.() === 0;
  const runuser = asRoot ? findBinary("runuser", env, ["/usr/sbin", "/sbin"]) : null;
  if (asRoot && !runuser) {
    return failed(
      "postgres",
      "running as root and runuser is not installed: PostgreSQL refuses root",
      async () => {},
    );
  }
  if (asRoot) {
    // The postgres user cannot enter the rehearsal's private folder: the cluster gets its own.
    dir = await mkdtemp(join(tmpdir(), "shipgate-rehearse-postgres-"));
  }
  const data = join(dir, "data");
  await mkdir(data, { recursive: true });
  const removeDir = asRoot ? () => rm(dir, { recursive: true, force: true }) : async () => {};
  if (asRoot) {
    const ids = await capture("id", ["-u", "postgres"]);
    const gids = await capture("id", ["-g", "postgres"]);
    if (ids?.code !== 0 || !gids) {
      return failed(
        "postgres",
        "running as root and there is no postgres user to run the server as",
        async () => {},
      );
    }
    await chown(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    await chown(data, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const run = (binary: string, args: string[]) =>
    asRoot && runuser
      ? capture(runuser, ["-u", "postgres", "--", binary, ...args], { env, timeoutMs: 120_000 })
      : capture(binary, args, { env, timeoutMs: 120_000 });

  const { user, password, database } = SERVICE_CONTAINERS.postgres.address;
  const init = await run(initdb, ["-D", data, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8"]);
  if (init?.code !== 0) {
    await removeDir();
    return failed(
      "postgres",
      `initdb failed: ${init?.stderr.trim().split("\n").pop() ?? "did not run"}`,
      async () => {},
    );
  }
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=${HOST} -k ${dir} -c fsync=off -c full_page_writes=off`;
  const start = await run(pgCtl, [
    "-D",
    data,
    "-o",
    options,
    "-l",
    join(dir, "server.log"),
    "-w",
    "-t",
    "60",
    "start",
  ]);
  const stop = async () => {
    await run(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
    await removeDir();
  };
  if (start?.code !== 0) {
    await stop();
    return failed(
      "postgres",
      `pg_ctl start failed: ${start?.stderr.trim().split("\n").pop() ?? "did not run"}`,
      stop,
    );
  }
  const created = await run(createdb, ["-h", HOST, "-p", String(port), "-U", user, database]);
  if (created?.code !== 0) {
    await stop();
    return failed("postgres", `createdb failed: ${created?.stderr.trim() ?? "did not run"}`, stop);
  }
  return {
    report: {
      kind: "postgres",
      status: "started",
      address: { host: HOST, port },
      detail: `${pgCtl} (throwaway cluster, user ${user}, database ${database}${password ? ", any password" : ""}) on ${HOST}:${port}`,
    },
    address: addressOf("postgres", port),
    stop,
  };
}

/** MySQL: a throwaway data directory initialised without a root password, then the CI user. */
async function startMysql(dir: string, env: NodeJS.ProcessEnv): Promise<RunningService> {
  const mysqld = findBinary("mysqld", env, ["/usr/sbin"]);
  const client = findBinary("mysql", env);
  if (!mysqld || !client) return missing("mysql", "mysqld and mysql");
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ["--user=root"] : [];
  const init = await capture(
    mysqld,
    ["--no-defaults", "--initialize-insecure", `--datadir=${data}`, ...userArgs],
    {
      env,
      timeoutMs: 180_000,
    },
  );
  if (init?.code !== 0) {
    return failed(
      "mysql",
      `mysqld --initialize-insecure failed: ${init?.stderr.trim().split("\n").pop() ?? ""}`,
      async () => {},
    );
  }
  const port = await freePort();
  const socket = join(dir, "mysqld.sock");
  const child = spawn(
    mysqld,
    [
      "--no-defaults",
      `--datadir=${data}`,
      `--port=${port}`,
      `--bind-address=${HOST}`,
      `--socket=${socket}`,
      "--mysqlx=OFF",
      ...userArgs,
    ],
    { stdio: "ignore", env },
  );
  const stop = () => stopChild(child);
  if (!(await waitForPort(port, 60_000))) {
    await stop();
    return failed("mysql", `mysqld did not answer on ${HOST}:${port} within 60 s`, stop);
  }
  const { user, password, database } = SERVICE_CONTAINERS.mysql.address;
  const sql = [
    `CREATE DATABASE IF NOT EXISTS \`${database}\`;`,
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}';`,
    `GRANT ALL ON *.* TO '${user}'@'%';`,
  ].join(" ");
  const setup = await capture(client, ["--socket", socket, "-uroot", "-e", sql], { env });
  if (setup?.code !== 0) {
    await stop();
    return failed("mysql", `creating the test user failed: ${setup?.stderr.trim() ?? ""}`, stop);
  }
  return {
    report: {
      kind: "mysql",
      status: "started",
      address: { host: HOST, port },
      detail: `${mysqld} on ${HOST}:${port}`,
    },
    address: addressOf("mysql", port),
    stop,
  };
}

/**
 * Entry point: reads the environment, listens, and drains on SIGTERM/SIGINT so a rolling,
 * canary or blue-green deploy never cuts a request in half.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createApp } from "./app.js";
import { createMetrics } from "./metrics.js";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  log("error", "invalid configuration", { error: error.message });
  process.exit(2);
}

const metrics = createMetrics({ version: config.version });
const app = createApp({ version: config.version, faults: config.faults, metrics });
const server = createServer(app.handle);

server.listen(config.port, config.host, () => {
  const address = server.address();
  log("info", "listening", { host: address.address, port: address.port, version: config.version });
  const startup = setTimeout(() => {
    app.markStarted();
    log("info", "ready", {});
  }, config.startupDelayMs);
  // A pending startup timer must not keep a draining process alive.
  startup.unref();
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (stopping) {
      // A second signal means the operator does not want to wait.
      log("warn", "second signal, exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    drain(signal);
  });
}

function drain(signal) {
  log("info", "draining", { signal, inFlight: app.state.inFlight, timeoutMs: config.drainTimeoutMs });
  app.startDraining();
  const force = setTimeout(() => {
    log("warn", "drain timeout, closing open connections", { inFlight: app.state.inFlight });
    server.closeAllConnections();
    process.exit(1);
  }, config.drainTimeoutMs);
  force.unref();
  // close() stops accepting and calls back once every open connection has ended; idle
  // keep-alive connections are closed now, busy ones after their response (connection: close).
  server.close(() => {
    log("info", "drained", {});
    process.exit(0);
  });
  server.closeIdleConnections();
}

/**
 * Defaults for the FAULT_* variables may be committed as faults.json beside this file, so a
 * release can carry its own bug: what the delivery demos deploy and roll back. The
 * environment still wins over the file.
 */
function readFaultFile() {
  const url = new URL("./faults.json", import.meta.url);
  if (!existsSync(url)) return {};
  const faults = JSON.parse(readFileSync(url, "utf8"));
  const pick = (key, name) => (faults[key] === undefined ? {} : { [name]: String(faults[key]) });
  return {
    ...pick("errorRate", "FAULT_ERROR_RATE"),
    ...pick("latencyMs", "FAULT_LATENCY_MS"),
    ...pick("health", "FAULT_HEALTH"),
  };
}

function readConfig(processEnv) {
  const env = { ...readFaultFile(), ...processEnv };
  return {
    host: env.HOST || "127.0.0.1",
    port: integer(env, "PORT", 3000, 0, 65535),
    version: env.APP_VERSION || pkg.version,
    startupDelayMs: integer(env, "STARTUP_DELAY_MS", 0, 0, 600_000),
    drainTimeoutMs: integer(env, "DRAIN_TIMEOUT_MS", 5000, 0, 600_000),
    faults: {
      errorRate: number(env, "FAULT_ERROR_RATE", 0, 0, 1),
      latencyMs: integer(env, "FAULT_LATENCY_MS", 0, 0, 600_000),
      healthFails: parseHealthFault(env.FAULT_HEALTH),
    },
  };
}

function number(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function integer(env, name, fallback, min, max) {
  const value = number(env, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got "${env[name]}"`);
  return value;
}

function parseHealthFault(raw) {
  if (raw === undefined || raw === "" || raw === "ok") return false;
  if (raw === "fail") return true;
  throw new Error(`FAULT_HEALTH must be "fail" or unset, got "${raw}"`);
}

/** One JSON object per line on stdout, the shape log collectors expect. */
function log(level, msg, fields) {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

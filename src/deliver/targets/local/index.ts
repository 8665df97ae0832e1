import { isShipgateError } from "../../../errors.js";
import type { MetricProvider } from "../../analysis/types.js";
import type { EnvironmentState, ReleaseSpec, Target, TargetCapabilities } from "../types.js";
import { ensureAgent, type RunningAgent } from "./agent-process.js";
import type { ControlClient } from "./control-client.js";

export { type AgentStatus, agentStatus, ensureAgent, type RunningAgent, stopAgent } from "./agent-process.js";
export { ControlClient } from "./control-client.js";

export interface LocalTargetOptions {
  /** `<project>/.shipgate`: one agent serves every environment of it. */
  stateDir: string;
  env: string;
  /** The environment's router port on 127.0.0.1. */
  port: number;
  /** Name the release that answered in `x-shipgate-release` (for debugging; default off). */
  releaseHeader?: boolean;
  /**
   * Where the analysis reads its counts when not from the router: a configured provider (a
   * Prometheus that scrapes the instances, listed for it in `<stateDir>/scrape-targets.json`).
   */
  metrics?: MetricProvider;
}

export const LOCAL_CAPABILITIES: TargetCapabilities = { trafficSplit: true, directAddress: true };

/** Errors after which the agent is looked up (and if need be started) again. */
const RECONNECT_CODES = new Set(["local/agent-unreachable", "local/unknown-environment"]);

/**
 * Releases run as processes supervised by the state directory's agent, behind its router on
 * `port`. The agent is started on the first call that needs it. An agent that went away is
 * replaced and the environment re-created once per call (every operation is idempotent).
 */
export function createLocalTarget(options: LocalTargetOptions): Target {
  const { env, port } = options;
  const environment = { releaseHeader: options.releaseHeader ?? false };
  let agent: Promise<RunningAgent> | undefined;
  const connect = (): Promise<RunningAgent> => {
    agent ??= ensureAgent({ stateDir: options.stateDir }).catch((error: unknown) => {
      agent = undefined;
      throw error;
    });
    return agent;
  };
  const call = async <T>(operation: (client: ControlClient) => Promise<T>): Promise<T> => {
    const { client } = await connect();
    try {
      return await operation(client);
    } catch (error) {
      if (!isShipgateError(error) || !RECONNECT_CODES.has(error.code)) throw error;
      agent = undefined;
      const fresh = (await connect()).client;
      await fresh.ensureEnvironment(env, port, environment);
      return operation(fresh);
    }
  };

  const routerMetrics: MetricProvider = {
    id: "local-router",
    async measure(releaseIds) {
      try {
        const { client } = await connect();
        const body = await client.metrics(env, releaseIds);
        return { ok: true, at: body.at, releases: body.releases };
      } catch (error) {
        return { ok: false, at: Date.now(), error: error instanceof Error ? error.message : String(error) };
      }
    },
  };

  return {
    type: "local",
    capabilities: LOCAL_CAPABILITIES,
    metrics: options.metrics ?? routerMetrics,
    async prepare() {
      await call((client) => client.ensureEnvironment(env, port, environment));
    },
    state: (): Promise<EnvironmentState> => call((client) => client.state(env)),
    async startRelease(spec: ReleaseSpec) {
      await call((client) => client.startRelease(env, spec));
    },
    async scaleRelease(id, instances) {
      await call((client) => client.scaleRelease(env, id, instances));
    },
    async setWeights(weights) {
      await call((client) => client.setWeights(env, weights));
    },
    async directUrl(id) {
      const state = await call((client) => client.state(env));
      const release = state.releases.find((r) => r.id === id);
      const instance = release?.instances.find((i) => i.state === "healthy" && i.port !== undefined);
      return instance ? `http://127.0.0.1:${instance.port}` : undefined;
    },
    async stopRelease(id, stopOptions) {
      await call((client) => client.stopRelease(env, id, stopOptions?.afterMs));
    },
  };
}

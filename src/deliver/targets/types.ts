import type { MetricProvider } from "../analysis/types.js";

/**
 * What the engine asks of a place releases run in. The engine knows no target: it calls these
 * methods from its steps and owns retries, deadlines and rollback. Every call is idempotent,
 * so a step re-run after a crash does no harm.
 */
export interface ReleaseSpec {
  /** Release id, unique within the environment, e.g. the deployment id. */
  id: string;
  artifactId: string;
  /** Directory holding the unpacked artifact (local target) or the image reference. */
  source: string;
  /** The command that starts one instance; it receives PORT. */
  start: string;
  /** Directory inside `source` the command runs in (app.path). */
  workdir: string;
  instances: number;
  healthPath: string;
  readyPath?: string;
  env?: Record<string, string>;
}

export interface InstanceState {
  id: string;
  port?: number;
  pid?: number;
  /** `starting` until the health path answers 2xx, `healthy`, `unhealthy` after failed checks, `stopped`. */
  state: "starting" | "healthy" | "unhealthy" | "draining" | "stopped";
  restarts: number;
  lastError?: string;
}

export interface ReleaseState {
  id: string;
  artifactId: string;
  desired: number;
  healthy: number;
  /** Share of the environment's traffic, 0–100. */
  weight: number;
  instances: InstanceState[];
  /** Set when the release is scheduled to stop (blue-green keeps the old set for a while). */
  retireAt?: string;
  /**
   * Set when the target knows the release cannot become healthy, such as a Kubernetes rollout
   * past its progress deadline: the health step fails at once instead of waiting out its time.
   */
  failure?: string;
}

export interface EnvironmentState {
  env: string;
  /** Where the environment serves, e.g. http://127.0.0.1:8080. */
  url: string;
  releases: ReleaseState[];
}

export interface TargetCapabilities {
  /** Can split traffic between releases by weight (canary). */
  trafficSplit: boolean;
  /** Can address one release directly, before it takes traffic (smoke before switch). */
  directAddress: boolean;
  /**
   * What a release runs: a `tarball` shipgate built and unpacks (default), or a container
   * `image` the platform pulls, named by its reference.
   */
  artifact?: "tarball" | "image";
}

export interface Target {
  readonly type: string;
  readonly capabilities: TargetCapabilities;
  /** The measurements the canary analysis reads. */
  readonly metrics: MetricProvider;

  /** Makes sure the environment exists and serves (starts the agent and router for local). */
  prepare(): Promise<void>;
  state(): Promise<EnvironmentState>;

  /** Starts a release's instances (no traffic yet); a second call with the same id is a no-op. */
  startRelease(spec: ReleaseSpec): Promise<void>;
  /** Changes the number of instances; new ones start, removed ones drain first. */
  scaleRelease(id: string, instances: number): Promise<void>;
  /** Sets the traffic split; releases not named get 0. Weights sum to 100. */
  setWeights(weights: Record<string, number>): Promise<void>;
  /** Base URL of one healthy instance of the release, for smoke checks before it takes traffic. */
  directUrl(id: string): Promise<string | undefined>;
  /** Drains and stops a release now, or after `afterMs` (kept for instant rollback). */
  stopRelease(id: string, options?: { afterMs?: number }): Promise<void>;
}

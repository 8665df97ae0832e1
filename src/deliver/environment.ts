import { userInfo } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { didYouMean } from "../config/did-you-mean.js";
import { loadConfig } from "../config/load.js";
import type { EnvironmentConfig, ShipgateConfig } from "../config/schema.js";
import { inputError } from "../errors.js";
import { openLedger } from "../ledger/index.js";
import type { Ledger } from "../ledger/types.js";
import { createMetricProvider } from "./analysis/providers/index.js";
import type { MetricProvider } from "./analysis/types.js";
import { artifactRuntime, unpackArtifact } from "./artifact.js";
import { gitText } from "./git.js";
import { imageOfArtifact, isImageArtifact } from "./image-artifact.js";
import { strategyId } from "./strategies/index.js";
import { TARGETS } from "./targets/index.js";
import type { ReleaseSpec, Target } from "./targets/types.js";
import { LedgerTrust } from "./trust.js";

/** Everything a delivery command needs about one environment, opened once. */
export interface EnvironmentContext {
  config: ShipgateConfig;
  configDir: string;
  stateDir: string;
  env: string;
  envConfig: EnvironmentConfig;
  ledger: Ledger;
  /** Checks rows against the hash chain before they are acted on. */
  trust: LedgerTrust;
  target: Target;
  releaseSpec: (release: string, artifactId: string, instances: number) => Promise<ReleaseSpec>;
  close(): Promise<void>;
}

export interface OpenEnvironmentOptions {
  /** Path of shipgate.yml; default `<cwd>/shipgate.yml`. */
  configPath?: string;
  cwd?: string;
  /** Measures the canary analysis reads instead of the target's own (a library caller's provider). */
  metrics?: MetricProvider;
  env: string;
}

export async function openProject(options: { configPath?: string; cwd?: string }) {
  const path = resolve(options.cwd ?? process.cwd(), options.configPath ?? "shipgate.yml");
  const { config } = await loadConfig({ path });
  const configDir = dirname(path);
  return { config, configDir, stateDir: stateDirFor({ configDir }) };
}

/**
 * Where the ledger, artifacts and the local agent live: `SHIPGATE_STATE_DIR` (relative to
 * shipgate.yml's directory) or `.shipgate/` beside shipgate.yml.
 */
export function stateDirFor(options: { configDir: string; env?: NodeJS.ProcessEnv }): string {
  const named = (options.env ?? process.env).SHIPGATE_STATE_DIR;
  return named ? resolve(options.configDir, named) : join(options.configDir, ".shipgate");
}

/**
 * A local target's state must outlive the jobs that use it. In a GitHub Actions job the
 * checkout is cleaned by the next job's actions/checkout (`git clean -ffdx`), which would
 * delete the ledger, the artifacts and the agent's files under a running environment.
 */
export function requireDurableState(options: { stateDir: string; env?: NodeJS.ProcessEnv }): void {
  const env = options.env ?? process.env;
  const workspace = env.GITHUB_WORKSPACE;
  if (env.GITHUB_ACTIONS !== "true" || !workspace) return;
  const inside = relative(resolve(workspace), options.stateDir);
  if (inside.startsWith("..") || isAbsolute(inside)) return;
  throw inputError(
    "deploy/state-in-checkout",
    `shipgate's state directory ${options.stateDir} is inside the checkout, which actions/checkout cleans at the start of every job: the local target's ledger, artifacts and agent would be deleted`,
    {
      hint: 'set SHIPGATE_STATE_DIR to a directory outside it, as the generated workflows do: echo "SHIPGATE_STATE_DIR=${XDG_STATE_HOME:-$HOME/.local/state}/shipgate/$GITHUB_REPOSITORY" >> "$GITHUB_ENV"',
    },
  );
}

export async function openEnvironment(options: OpenEnvironmentOptions): Promise<EnvironmentContext> {
  const { config, configDir, stateDir } = await openProject(options);
  const envConfig = config.environments[options.env];
  if (!envConfig) {
    const names = Object.keys(config.environments);
    const guess = didYouMean({ input: options.env, candidates: names });
    throw inputError("deploy/unknown-environment", `shipgate.yml has no environment "${options.env}"`, {
      hint: guess ? `did you mean "${guess}"?` : `environments: ${names.join(", ") || "none"}`,
    });
  }
  if (envConfig.target.type === "local") requireDurableState({ stateDir });
  // A library caller's provider, else the configured one (analysis.provider), else the target's own.
  const provider = envConfig.analysis.provider;
  const metrics =
    options.metrics ??
    (provider &&
      createMetricProvider(provider, { env: options.env, app: config.app.name, target: envConfig.target }));
  const target = targetFor({ env: options.env, envConfig, stateDir, ...(metrics && { metrics }) });
  const ledger = await openLedger({ stateDir });
  const trust = new LedgerTrust(ledger);
  const releaseSpec = async (
    release: string,
    artifactId: string,
    instances: number,
  ): Promise<ReleaseSpec> => {
    const recorded = await ledger.getArtifact(artifactId);
    if (!recorded) throw inputError("deploy/unknown-artifact", `no artifact "${artifactId}" in the ledger`);
    // Its start command and directory come from the row: only as the build recorded them.
    const artifact = await trust.artifact(recorded);
    if (isImageArtifact(artifact)) {
      // The platform pulls and starts the image; the health paths are the environment's own.
      return {
        id: release,
        artifactId,
        source: imageOfArtifact(artifact),
        start: "",
        workdir: ".",
        instances,
        healthPath: envConfig.verify.healthPath ?? config.app.healthPath,
      };
    }
    const runtime = artifactRuntime(artifact);
    const source = await unpackArtifact({ artifact, stateDir });
    const cwd = resolve(source, runtime.workdir);
    if (cwd !== source && !cwd.startsWith(`${source}${sep}`)) {
      throw inputError(
        "deploy/workdir-outside",
        `artifact ${artifactId} runs from ${runtime.workdir}, outside it`,
        {
          hint: "its manifest was changed after the build: build the commit again",
        },
      );
    }
    return {
      id: release,
      artifactId,
      source,
      start: runtime.start,
      workdir: runtime.workdir,
      instances,
      healthPath: envConfig.verify.healthPath ?? runtime.healthPath,
      ...((envConfig.verify.readyPath ?? runtime.readyPath) && {
        readyPath: envConfig.verify.readyPath ?? runtime.readyPath,
      }),
      env: {
        ...config.app.env,
        ...envConfig.env,
        SHIPGATE_ENV: options.env,
        SHIPGATE_RELEASE: release,
        SHIPGATE_COMMIT: artifact.commit,
      },
    };
  };
  return {
    config,
    configDir,
    stateDir,
    env: options.env,
    envConfig,
    ledger,
    trust,
    target,
    releaseSpec,
    close: () => ledger.close(),
  };
}

function targetFor(options: {
  env: string;
  envConfig: EnvironmentConfig;
  stateDir: string;
  metrics?: MetricProvider;
}): Target {
  const { env, envConfig, stateDir } = options;
  const t = envConfig.target;
  if (t.type === "local") {
    return TARGETS.local.create({
      stateDir,
      env,
      port: t.port,
      releaseHeader: t.releaseHeader,
      ...(options.metrics && { metrics: options.metrics }),
    });
  }
  if (t.type === "kubernetes") {
    return TARGETS.kubernetes.create({
      env,
      namespace: t.namespace,
      deployment: t.deployment,
      container: t.container,
      ...(t.service && { service: t.service }),
      traffic: t.traffic,
      ...(t.context && { context: t.context }),
      ...(t.serviceUrl && { serviceUrl: t.serviceUrl }),
      retryBudgetMs: t.apiRetrySeconds * 1000,
      ...(envConfig.url && { url: envConfig.url }),
      strategy: strategyId(envConfig),
      rolloutTimeoutMs: envConfig.verify.timeoutSeconds * 1000,
      ...(options.metrics && { metrics: options.metrics }),
    });
  }
  throw inputError(
    "deploy/target-unsupported",
    `shipgate deploy drives the local target; environment "${env}" uses ${t.type}`,
    {
      hint: `the generated workflows deploy ${t.type} with the platform's own rollout and "shipgate verify"`,
    },
  );
}

/** Who is asking: `--as`, then GITHUB_ACTOR in CI, then git's user.email, then the OS user. */
export async function resolveActor(options: { as?: string; env?: NodeJS.ProcessEnv; cwd: string }) {
  if (options.as) return options.as;
  const actor = (options.env ?? process.env).GITHUB_ACTOR;
  if (actor) return actor;
  try {
    const email = await gitText(["config", "user.email"], { cwd: options.cwd });
    if (email) return email;
  } catch {
    // No git identity: fall through to the OS user.
  }
  return userInfo().username;
}

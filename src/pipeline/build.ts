import type { EnvironmentConfig, ShipgateConfig } from "../config/schema.js";
import { inputError } from "../errors.js";
import { VERSION } from "../version.js";
import {
  coverageFormat,
  coverageReportOf,
  DEFAULT_PACKAGE_MANAGER,
  INSTALL_COMMANDS,
  SERVICE_CONTAINERS,
} from "./defaults.js";
import { qualityGates } from "./gates.js";
import type { CheckId, CiCheck, CliPlan, EnvironmentPlan, PipelineModel } from "./model.js";
import { resolveTestEnv } from "./service-values.js";

const CHECK_NAMES: Readonly<Record<CheckId, string>> = {
  lint: "Lint",
  typecheck: "Typecheck",
  test: "Test",
  build: "Build",
};

export interface BuildPipelineOptions {
  config: ShipgateConfig;
  /** Defaults to this package's version; tests pin it so snapshots do not move on release. */
  shipgateVersion?: string;
}

/** Turns a validated shipgate.yml into the platform-neutral pipeline every renderer reads. */
export function buildPipeline({ config, shipgateVersion = VERSION }: BuildPipelineOptions): PipelineModel {
  const { app } = config;
  const packageManager = app.packageManager ?? DEFAULT_PACKAGE_MANAGER[app.language];
  const checks: CiCheck[] = (["lint", "typecheck", "test", "build"] as const).flatMap((id) => {
    const command = app.commands[id];
    return command ? [{ id, name: CHECK_NAMES[id], command }] : [];
  });
  const report = config.ci.coverage.report ?? coverageReportOf(app.language, app.commands.test);
  const container = config.artifact.type === "container";

  const model: Omit<PipelineModel, "gates"> = {
    app: { name: app.name, path: app.path, buildRoot: app.buildRoot ?? app.path },
    toolchain: {
      language: app.language,
      packageManager,
      version: app.languageVersion ?? null,
      versionFile: app.versionFile ?? null,
      path: app.buildRoot ?? app.path,
      setup: app.setup,
      install: app.commands.install ?? INSTALL_COMMANDS[packageManager],
    },
    ci: {
      branches: config.ci.branches,
      pathsIgnore: config.ci.pathsIgnore,
      timeoutMinutes: config.ci.timeoutMinutes,
      checks,
      services: app.services,
      testEnv: ciTestEnv(config),
      submodules: config.ci.submodules,
      coverage: {
        minimum: config.ci.coverage.minimum,
        report,
        format: report ? coverageFormat(report) : null,
      },
      audit: {
        tool: packageManager === "npm" || packageManager === "pnpm" ? packageManager : "trivy",
        failOn: config.ci.security.dependencyAudit.failOn,
        warnOn: config.ci.security.dependencyAudit.warnOn,
      },
      secretScanning: config.ci.security.secretScanning,
      image: container
        ? {
            dockerfile: config.artifact.dockerfile,
            context: config.artifact.context,
            target: config.artifact.target ?? null,
            scanSeverity: config.ci.security.imageScan.severity,
            ignoreUnfixed: config.ci.security.imageScan.ignoreUnfixed,
          }
        : null,
    },
    artifact: {
      type: config.artifact.type,
      registry: config.artifact.registry,
      repository: config.artifact.repository ?? app.name,
      dockerfile: config.artifact.dockerfile,
      context: config.artifact.context,
      target: config.artifact.target ?? null,
    },
    environments: orderEnvironments(config).map(([name, env]) => environmentPlan(config, name, env)),
    notifications: { slackSecret: config.notifications.slack?.webhookSecret ?? null },
    shipgateVersion,
    cli: cliPlan(config, shipgateVersion),
    filePrefix: config.workflows.prefix,
  };
  return { ...model, gates: qualityGates(model) };
}

function cliPlan(config: ShipgateConfig, shipgateVersion: string): CliPlan {
  const cli = config.cli;
  if (cli && "tarball" in cli) return { kind: "tarball", path: cli.tarball };
  return { kind: "npm", version: cli?.npm ?? shipgateVersion };
}

/** Each service's default variables, then the ones shipgate.yml names, pointed at the containers. */
function ciTestEnv(config: ShipgateConfig): Record<string, string> {
  const { services, testEnv } = config.app;
  const env: Record<string, string> = {};
  for (const kind of services) Object.assign(env, SERVICE_CONTAINERS[kind].appEnv);
  const addresses = Object.fromEntries(services.map((kind) => [kind, SERVICE_CONTAINERS[kind].address]));
  return { ...env, ...resolveTestEnv({ testEnv, addresses }) };
}

function environmentPlan(config: ShipgateConfig, name: string, env: EnvironmentConfig): EnvironmentPlan {
  const usesAws =
    env.target.type === "ecs" || (env.target.type === "kubernetes" && env.target.provider === "eks");
  const targetRegion = env.target.type === "local" ? undefined : env.target.region;
  return {
    name,
    target: env.target,
    url: env.url ?? null,
    trigger: env.promoteFrom
      ? { kind: "promote", from: env.promoteFrom }
      : { kind: "push", branch: env.branch ?? config.ci.branches[0] ?? "main" },
    approval: {
      required: env.approval.required,
      approvers: env.approval.approvers,
      expiresAfter: env.approval.expiresAfter ?? null,
    },
    strategy: env.strategy,
    verify: {
      healthPath: env.verify.healthPath ?? config.app.healthPath,
      readyPath: env.verify.readyPath ?? config.app.readyPath ?? null,
      smoke: env.verify.smoke ?? null,
      timeoutSeconds: env.verify.timeoutSeconds,
    },
    analysis: env.analysis,
    rollback: env.rollback,
    aws: usesAws
      ? {
          region: targetRegion ?? config.aws?.region ?? "us-east-1",
          roleArn: env.roleArn ?? config.aws?.roleArn ?? null,
        }
      : null,
  };
}

/** Environments in promotion order; the config loader has already rejected cycles. */
function orderEnvironments(config: ShipgateConfig): Array<[string, EnvironmentConfig]> {
  const entries = Object.entries(config.environments);
  const ordered: Array<[string, EnvironmentConfig]> = [];
  const placed = new Set<string>();
  while (ordered.length < entries.length) {
    const before = ordered.length;
    for (const [name, env] of entries) {
      if (placed.has(name)) continue;
      if (!env.promoteFrom || placed.has(env.promoteFrom)) {
        ordered.push([name, env]);
        placed.add(name);
      }
    }
    if (ordered.length === before) {
      const stuck = entries.filter(([n]) => !placed.has(n)).map(([n]) => n);
      throw inputError(
        "config/invalid",
        `environments ${stuck.join(", ")} promote from an environment that does not exist or from each other`,
        { hint: "every promoteFrom must name another environment, without cycles" },
      );
    }
  }
  return ordered;
}

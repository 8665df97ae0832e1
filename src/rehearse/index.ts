import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import type { ServiceKind } from "../config/schema.js";
import { inputError } from "../errors.js";
import { repositoryRoot } from "../generate/root.js";
import { buildPipeline } from "../pipeline/build.js";
import { SERVICE_CONTAINERS } from "../pipeline/defaults.js";
import type { PipelineModel } from "../pipeline/model.js";
import { resolveTestEnv, type ServiceAddress, serviceUrl } from "../pipeline/service-values.js";
import { redact } from "../redact.js";
import { runCommand } from "./run.js";
import { type RunningService, startService } from "./services.js";
import { changesTheMachine, checkToolchain, localCorepack, prepareTools } from "./toolchain.js";
import type { JobId, RehearsalJob, RehearsalReport, RehearseOptions } from "./types.js";
import { prepareWorkspace } from "./workspace.js";

export { versionMatches } from "./toolchain.js";
export type * from "./types.js";

/**
 * Rehearses the CI of the pipeline shipgate.yml describes, on this machine, before anything is
 * pushed: a temporary clone of the repository at HEAD, the test services started locally, then
 * the generated workflow's commands in its order with its environment. Each job is reported
 * passed, failed (with the command and the end of its output) or not rehearsed (with why).
 */
export async function rehearseCi(options: RehearseOptions): Promise<RehearsalReport> {
  const started = Date.now();
  // shipgate.yml at the repository root is found from a subfolder too, as `generate` finds it.
  const dir = await repositoryRoot({
    dir: resolve(options.dir),
    configPath: options.configPath ?? "shipgate.yml",
  });
  const configPath = resolve(dir, options.configPath ?? "shipgate.yml");
  const { config } = await loadConfig({ path: configPath });
  const model = buildPipeline({ config });
  const timeoutMinutes = options.timeoutMinutes ?? model.ci.timeoutMinutes;
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
    throw inputError(
      "rehearse/bad-timeout",
      `the time limit must be a positive number of minutes, not ${timeoutMinutes}`,
    );
  }
  const baseEnv = options.env ?? process.env;
  const tailLines = options.tailLines ?? 20;
  const temp = await mkdtemp(join(tmpdir(), "shipgate-rehearse-"));
  const services: RunningService[] = [];
  try {
    const workspace = await prepareWorkspace({
      dir,
      into: temp,
      workingTree: options.workingTree ?? false,
      submodules: model.ci.submodules,
    });
    // The commands run where CI runs them: the build root of a module, else the app's folder.
    const appDir = resolve(workspace.repo, model.app.buildRoot);
    if (relative(workspace.repo, appDir).startsWith("..") || isAbsolute(relative(workspace.repo, appDir))) {
      throw inputError("rehearse/bad-app-path", `app.path ${model.app.buildRoot} is outside the repository`);
    }
    const warnings: string[] = [];
    if (workspace.uncommitted.length && !options.workingTree) {
      warnings.push(
        `${workspace.uncommitted.length} uncommitted change(s) are not rehearsed (HEAD is); --working-tree includes them`,
      );
    }
    const toolchain = await checkToolchain(model.toolchain, appDir, baseEnv);
    const tools = await prepareTools(model.toolchain, join(temp, "tools"), baseEnv, appDir);
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      ...tools.env,
      PATH: [...tools.path, baseEnv.PATH ?? ""].join(":"),
      CI: "true",
    };

    const jobs: RehearsalJob[] = [];
    const limitMs = timeoutMinutes * 60_000;
    const run = async (
      id: JobId,
      name: string,
      commands: string[],
      jobEnv: NodeJS.ProcessEnv,
      warn: string[],
    ) => {
      options.onEvent?.({ kind: "job-start", job: id, name });
      const job = await runJob({
        id,
        name,
        commands,
        cwd: appDir,
        env: jobEnv,
        limitMs,
        tailLines,
        warnings: warn,
      });
      jobs.push(job);
      options.onEvent?.({ kind: "job-end", job });
      return job;
    };

    // Every CI job sets up the toolchain and installs first; the rehearsal does it once.
    const setup = model.toolchain.setup.filter((c) => !changesTheMachine(c)).map(localCorepack);
    const skippedSetup = model.toolchain.setup.filter(changesTheMachine);
    const installWarnings = [
      ...toolchain.filter((c) => c.message).map((c) => c.message!),
      ...skippedSetup.map(
        (c) => `not run here (changes the machine; install what it installs yourself): ${c}`,
      ),
      ...tools.notes.map((n) => `set-up: ${n}`),
    ];
    const installCommands = [...setup, ...(model.toolchain.install ? [model.toolchain.install] : [])];
    let install: RehearsalJob;
    if (tools.errors.length) {
      install = notRehearsed(
        "install",
        "Install dependencies",
        installCommands,
        tools.errors.join("; "),
        installWarnings,
      );
      jobs.push(install);
      options.onEvent?.({ kind: "job-end", job: install });
    } else {
      install = await run("install", "Install dependencies", installCommands, env, installWarnings);
    }

    const needsServices = model.ci.checks.some((c) => c.id === "test") && model.ci.services.length > 0;
    let testEnv: Record<string, string> = {};
    let missingServices: string[] = [];
    if (needsServices && install.status === "passed") {
      for (const kind of model.ci.services) {
        const service = await startService(kind, join(temp, "services", kind), baseEnv);
        services.push(service);
        options.onEvent?.({ kind: "service", service: service.report });
      }
      missingServices = services.filter((s) => s.report.status !== "started").map((s) => s.report.detail);
      const addresses = Object.fromEntries(
        services.filter((s) => s.address).map((s) => [s.report.kind, s.address!]),
      ) as Partial<Record<ServiceKind, ServiceAddress>>;
      testEnv = localTestEnv(model, config.app.testEnv, addresses);
    }

    for (const check of model.ci.checks) {
      const commands = [check.command];
      if (install.status !== "passed") {
        const why = install.status === "failed" ? "the dependencies did not install" : install.reason;
        jobs.push(notRehearsed(check.id, check.name, commands, why ?? "the install was not rehearsed", []));
        continue;
      }
      if (check.id === "test" && missingServices.length) {
        jobs.push(notRehearsed(check.id, check.name, commands, missingServices.join("; "), []));
        continue;
      }
      await run(check.id, check.name, commands, check.id === "test" ? { ...env, ...testEnv } : env, []);
    }

    const passed = jobs.filter((j) => j.status === "passed").length;
    const failed = jobs.filter((j) => j.status === "failed").length;
    const notRehearsedCount = jobs.filter((j) => j.status === "not-rehearsed").length;
    return {
      ok: failed === 0 && notRehearsedCount === 0,
      source: {
        root: workspace.root,
        commit: workspace.commit,
        uncommitted: workspace.uncommitted,
        workingTree: options.workingTree ?? false,
        kind: workspace.kind,
      },
      config: configPath,
      appPath: model.app.path,
      workspace: workspace.repo,
      kept: options.keep ?? false,
      timeoutMinutes,
      toolchain,
      services: services.map((s) => s.report),
      jobs,
      summary: { passed, failed, notRehearsed: notRehearsedCount, durationMs: Date.now() - started },
      warnings,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    if (!options.keep) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

function notRehearsed(
  id: JobId,
  name: string,
  commands: string[],
  reason: string,
  warnings: string[],
): RehearsalJob {
  return {
    id,
    name,
    status: "not-rehearsed",
    reason: redact(reason),
    durationMs: 0,
    commands: commands.map(redact),
    failed: null,
    outputTail: [],
    warnings,
  };
}

async function runJob(options: {
  id: JobId;
  name: string;
  commands: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  limitMs: number;
  tailLines: number;
  warnings: string[];
}): Promise<RehearsalJob> {
  const started = Date.now();
  for (const command of options.commands) {
    const left = options.limitMs - (Date.now() - started);
    const result = await runCommand({
      command,
      cwd: options.cwd,
      env: options.env,
      timeoutMs: Math.max(left, 1),
      tailLines: options.tailLines,
    });
    if (result.exitCode !== 0) {
      const minutes = Math.round(options.limitMs / 6000) / 10;
      return {
        id: options.id,
        name: options.name,
        status: "failed",
        reason: result.timedOut
          ? `stopped after the job's time limit of ${minutes} min`
          : `\`${redact(command)}\` exited with ${result.exitCode}`,
        durationMs: Date.now() - started,
        commands: options.commands.map(redact),
        failed: { command: redact(command), exitCode: result.exitCode, timedOut: result.timedOut },
        outputTail: result.tail.map(redact),
        warnings: options.warnings,
      };
    }
  }
  return {
    id: options.id,
    name: options.name,
    status: "passed",
    reason: null,
    durationMs: Date.now() - started,
    commands: options.commands.map(redact),
    failed: null,
    outputTail: [],
    warnings: options.warnings,
  };
}

/**
 * The test job's variables pointed at the local services: the same names and values as the
 * generated workflow, with each service container's address (`localhost:5432`) replaced by
 * the local instance's, and `{service.field}` placeholders resolved to it.
 */
export function localTestEnv(
  model: PipelineModel,
  testEnv: Readonly<Record<string, string>>,
  addresses: Partial<Record<ServiceKind, ServiceAddress>>,
): Record<string, string> {
  const env: Record<string, string> = { ...model.ci.testEnv, ...resolveTestEnv({ testEnv, addresses }) };
  for (const [kind, local] of Object.entries(addresses) as Array<[ServiceKind, ServiceAddress]>) {
    const container = SERVICE_CONTAINERS[kind].address;
    const containerUrl = serviceUrl(kind, container);
    const hostPort = new RegExp(`\\b(?:localhost|127\\.0\\.0\\.1|${kind}):${container.port}\\b`, "g");
    for (const [name, value] of Object.entries(env)) {
      let next = value.split(containerUrl).join(serviceUrl(kind, local));
      next = next.replace(hostPort, `${local.host}:${local.port}`);
      if (next === String(container.port) && /PORT/i.test(name)) next = String(local.port);
      if (/HOST/i.test(name) && (next === kind || next === "localhost")) next = local.host;
      env[name] = next;
    }
  }
  return env;
}

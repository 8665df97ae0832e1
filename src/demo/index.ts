import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config/load.js";
import { generatePipeline } from "../generate/index.js";
import { initProject } from "../init/index.js";
import { freePort } from "../net/free-port.js";
import { buildPipeline } from "../pipeline/build.js";
import { verifyRelease } from "../verify/index.js";

export const SAMPLE_APP_DIR = fileURLToPath(new URL("../../examples/sample-app", import.meta.url));

export interface DemoOptions {
  /** Where to work; a new temporary directory when unset (removed afterwards unless `keep`). */
  workDir?: string;
  keep?: boolean;
  /** One line of the timeline at a time. */
  log: (line: string) => void;
}

export interface DemoResult {
  ok: boolean;
  workDir: string;
  files: string[];
}

/**
 * The whole loop on the bundled sample service, on this machine and embedded defaults:
 * init → generate → plan → start the service → verify it with its smoke file → clean up.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { log } = options;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), "shipgate-demo-")));
  const started = Date.now();
  const step = (name: string, text: string) =>
    log(`${`${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(6)}  ${name.padEnd(9)} ${text}`);
  let app: ChildProcess | undefined;
  try {
    await cp(SAMPLE_APP_DIR, workDir, { recursive: true, filter: (src) => !src.includes("node_modules") });
    step("copy", `examples/sample-app → ${workDir}`);

    const init = await initProject({ root: workDir, target: "ecs", force: true });
    const d = init.detection;
    step(
      "init",
      `detected ${d.language ?? "nothing"}${d.packageManager ? ` (${d.packageManager})` : ""}${d.dockerfile ? `, ${d.dockerfile}` : ""}; wrote shipgate.yml for the ecs target`,
    );

    const generated = await generatePipeline({ root: workDir });
    const files = generated.files.map((f) => f.path);
    step(
      "generate",
      `${files.length} workflows: ${files.map((f) => f.replace(".github/workflows/", "")).join(", ")}`,
    );

    const { config } = await loadConfig({ path: join(workDir, "shipgate.yml") });
    const model = buildPipeline({ config });
    const enforced = model.gates.filter((g) => g.enforcedBy);
    step(
      "plan",
      `${enforced.length} of ${model.gates.length} quality gates enforced: ${enforced.map((g) => g.gate).join(", ")}`,
    );

    const port = await freePort();
    app = spawn(process.execPath, [join(workDir, "server.js")], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", APP_VERSION: "1.0.0" },
      stdio: "ignore",
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    step("start", `sample-app 1.0.0 on ${baseUrl} (pid ${app.pid})`);

    const report = await verifyRelease({
      baseUrl,
      smokeFile: join(workDir, "smoke.yml"),
      deadlineMs: 15_000,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
    });
    for (const check of report.checks) {
      const detail = check.ok
        ? `${check.status ?? ""} in ${check.latencyMs ?? "?"} ms`
        : check.failures.join("; ");
      step("verify", `${check.ok ? "pass" : "FAIL"}  ${check.kind.padEnd(6)} ${check.name}  ${detail}`);
    }
    step(
      "result",
      report.ok ? "the sample service is healthy and its smoke checks pass" : "verification failed",
    );
    return { ok: report.ok, workDir, files: await listFiles(workDir) };
  } finally {
    if (app && app.exitCode === null) {
      app.kill("SIGTERM");
      await once(app, "exit");
      step("stop", "sample-app drained and stopped");
    }
    if (!options.keep && !options.workDir) {
      await rm(workDir, { recursive: true, force: true });
      step("clean", `removed ${workDir}`);
    }
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

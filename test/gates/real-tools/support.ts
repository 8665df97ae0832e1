import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { GateResult, TestsGateResult } from "../../../src/gates/result.js";
import { runGateCli } from "../support/cli.js";

/**
 * The tests in this folder run the real tools on small projects they write into a temporary
 * directory, keep each tool's own exit code and printed summary, then run the gate on the
 * report the tool wrote: the gate's verdict and figures must agree with the tool's.
 */

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const NODE_MODULES = join(REPO, "node_modules");

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool to completion. The outer vitest's variables are left out (VITEST_*, a worker
 * id), so a runner started here does not take itself for a worker of the run that started it;
 * colour is off so summaries can be read.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ToolRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VITEST|JEST_WORKER_ID$|NODE_OPTIONS$|FORCE_COLOR$)/.test(key),
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...inherited, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A temporary directory holding a small project (path → content), for the describe block it
 * is called in and removed when the block ends: several tests read what one run of a tool
 * wrote there. It is outside the repository, so the repository's own vitest run never picks up
 * the project's tests.
 */
export function projectDir(files: Record<string, string>): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipgate-tool-"));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("the project is read before its beforeAll ran");
    return dir;
  };
}

/** A tool from the repository's node_modules (`bin`, its script there), run with this node. */
export function runPackageBin(
  bin: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
) {
  return runTool(process.execPath, [join(NODE_MODULES, bin), ...args], options);
}

export interface GateRun {
  code: number;
  /** The one gate's result, when the gate read its reports (exit 0 or 1). */
  result?: GateResult;
  stderr: string;
}

/** `shipgate gate <args> --json`, run in-process. */
export async function gate(args: string[], cwd: string): Promise<GateRun> {
  const run = await runGateCli(["gate", ...args, "--json"], { cwd });
  const result = run.code === 2 ? undefined : (JSON.parse(run.stdout).results[0] as GateResult);
  return { code: run.code, ...(result && { result }), stderr: run.stderr };
}

/** `shipgate gate tests <report> --json`: its exit code and the tests gate's result. */
export async function testsGate(
  report: string,
  cwd: string,
): Promise<{ code: number; tests: TestsGateResult }> {
  const { code, result } = await gate(["tests", report], cwd);
  return { code, tests: result as TestsGateResult };
}

/** "2 failed, 1 skipped, 5 passed" (jest, pytest) or "2 failed | 5 passed" (vitest) as counts. */
export function counts(summary: string): Record<string, number> {
  return Object.fromEntries([...summary.matchAll(/(\d+) ([a-z]+)/g)].map((m) => [m[2]!, Number(m[1])]));
}

/** The one line of `text` that matches, or a test failure that shows the text. */
export function lineOf(text: string, pattern: RegExp): string {
  const line = text.split("\n").find((l) => pattern.test(l));
  if (line === undefined) throw new Error(`no line matches ${pattern} in:\n${text}`);
  return line;
}

/**
 * Whether a tool outside node_modules is installed; a message saying how to get it when not.
 * CI installs them (.ci/run, install_tools).
 */
export function missingTool(command: string, args: string[], install: string): string | undefined {
  const probe = spawnSync(command, args, { stdio: "ignore" });
  return probe.status === 0 ? undefined : `${command} ${args.join(" ")} failed: install ${install}`;
}

/**
 * A describe block that needs tools from outside node_modules. Missing tools fail it under CI,
 * where a skip would hide a broken pipeline; elsewhere it is skipped with the reason.
 */
export function describeWithTools(title: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) describe(title, body);
  else if (process.env.CI) {
    describe(title, () => {
      it("has its tools installed", () => {
        throw new Error(missing);
      });
    });
  } else describe.skip(`${title} (skipped: ${missing})`, body);
}

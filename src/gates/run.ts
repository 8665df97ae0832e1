import { dirname, resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import type { GatesConfig, VulnIgnore, VulnSeverity } from "../config/schema.js";
import { type Diagnostic, inputError, isShipgateError, ShipgateError } from "../errors.js";
import { evaluateCoverage } from "./evaluate/coverage.js";
import { evaluateTests } from "./evaluate/tests.js";
import { evaluateVulns } from "./evaluate/vulns.js";
import { expandReportPaths } from "./glob.js";
import { readReport } from "./read-report.js";
import type { CoverageGateResult, GateResult, GateRun, TestsGateResult, VulnsGateResult } from "./result.js";

export interface CoverageGateOptions {
  report: string;
  /** Lowest line coverage, percent (0-100). */
  min: number;
  /** Lowest branch coverage, percent (0-100). */
  branches?: number;
  /** Relative report paths are read from here; default the process's working directory. */
  cwd?: string;
}

export async function runCoverageGate(options: CoverageGateOptions): Promise<CoverageGateResult> {
  checkPercent("min", options.min);
  if (options.branches !== undefined) checkPercent("branches", options.branches);
  const report = await readReport(resolve(options.cwd ?? ".", options.report), "coverage");
  return evaluateCoverage(report, {
    min: options.min,
    ...(options.branches !== undefined && { branches: options.branches }),
  });
}

export interface VulnsGateOptions {
  /** Files or glob patterns. */
  reports: readonly string[];
  failOn: VulnSeverity;
  ignore?: readonly VulnIgnore[];
  /** When the gate runs; expiry of ignore entries is judged against it. */
  now: Date;
  cwd?: string;
}

export async function runVulnsGate(options: VulnsGateOptions): Promise<VulnsGateResult> {
  const files = await expandReportPaths(options.reports, options.cwd ?? ".");
  const reports = await readAll(files.map((file) => () => readReport(file, "vulns")));
  return evaluateVulns(reports, {
    failOn: options.failOn,
    ...(options.ignore && { ignore: options.ignore }),
    now: options.now,
  });
}

export interface TestsGateOptions {
  /** JUnit XML files or glob patterns. */
  reports: readonly string[];
  failOnFlaky?: boolean;
  cwd?: string;
}

export async function runTestsGate(options: TestsGateOptions): Promise<TestsGateResult> {
  const files = await expandReportPaths(options.reports, options.cwd ?? ".");
  const reports = await readAll(files.map((file) => () => readReport(file, "tests")));
  return evaluateTests(reports, { failOnFlaky: options.failOnFlaky ?? false });
}

export interface ConfiguredGatesOptions {
  gates: GatesConfig;
  /** Report paths in shipgate.yml are relative to the directory of shipgate.yml. */
  baseDir: string;
  now: Date;
}

/** Every gate the `gates:` section configures, in a fixed order: coverage, vulns, tests. */
export async function runConfiguredGates(options: ConfiguredGatesOptions): Promise<GateRun> {
  const { gates, baseDir, now } = options;
  const runs: Array<() => Promise<GateResult>> = [];
  if (gates.coverage) {
    const { report, min, branches } = gates.coverage;
    runs.push(() =>
      runCoverageGate({ report, min, ...(branches !== undefined && { branches }), cwd: baseDir }),
    );
  }
  if (gates.vulns) {
    const { reports, failOn, ignore } = gates.vulns;
    runs.push(() => runVulnsGate({ reports, failOn, ignore, now, cwd: baseDir }));
  }
  if (gates.tests) {
    const { reports, failOnFlaky } = gates.tests;
    runs.push(() => runTestsGate({ reports, failOnFlaky, cwd: baseDir }));
  }
  const results = await readAll(runs);
  return { ok: results.every((r) => r.ok), results };
}

/** `shipgate gate all`: reads shipgate.yml and runs what its `gates:` section configures. */
export async function runGatesFromConfig(options: {
  configPath: string;
  cwd?: string;
  now: Date;
}): Promise<GateRun> {
  const path = resolve(options.cwd ?? ".", options.configPath);
  const { config } = await loadConfig({ path });
  const gates = config.gates;
  if (!gates || (!gates.coverage && !gates.vulns && !gates.tests)) {
    throw inputError("gate/no-gates", `${path} has no gates: section, so there is nothing to check`, {
      location: { file: path, line: 1, column: 1 },
      hint: "add one, e.g. gates: { coverage: { report: coverage/lcov.info, min: 80 } } (see docs/gates.md)",
    });
  }
  return runConfiguredGates({ gates, baseDir: dirname(path), now: options.now });
}

/**
 * Runs every task, then reports every unreadable input at once: fixing reports one CI run at
 * a time is slow. Anything that is not a ShipgateError is a bug and is rethrown as it is.
 */
async function readAll<T>(tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const settled = await settleLimited(tasks, MAX_OPEN_REPORTS);
  const diagnostics: Diagnostic[] = [];
  const values: T[] = [];
  for (const outcome of settled) {
    if (outcome.status === "fulfilled") values.push(outcome.value);
    else if (isShipgateError(outcome.reason)) diagnostics.push(...outcome.reason.diagnostics);
    else throw outcome.reason;
  }
  if (diagnostics.length > 0) throw new ShipgateError(diagnostics, { exitCode: 2 });
  return values;
}

/**
 * Surefire writes one XML file per test class, so a large build hands over thousands of
 * reports; reading them all at once would run out of file descriptors (EMFILE).
 */
const MAX_OPEN_REPORTS = 16;

async function settleLimited<T>(
  tasks: ReadonlyArray<() => Promise<T>>,
  limit: number,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await tasks[index]!() };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function checkPercent(name: string, value: number) {
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw inputError("gate/bad-threshold", `${name} must be a percentage from 0 to 100, not ${value}`, {
      hint: "write it without the % sign, e.g. 80 or 72.5",
    });
  }
}

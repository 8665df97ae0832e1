import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { VulnSeverity } from "../../config/schema.js";
import { inputError, isShipgateError } from "../../errors.js";
import type { GateRun } from "../../gates/result.js";
import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import type { CliContext } from "../main.js";
import type { RegisterCommand } from "./index.js";

interface OutputFlags {
  json?: boolean;
}
interface ConfigFlags {
  config: string;
}

// Spelt out rather than read from VulnSeveritySchema: command files load no library code until they run.
const SEVERITIES = ["low", "medium", "high", "critical"] as const satisfies readonly VulnSeverity[];

export const registerGate: RegisterCommand = (program, ctx) => {
  const gate = program
    .command("gate")
    .description(
      "check coverage, vulnerability and test reports against thresholds (exit 1 when a gate fails)",
    );

  gate
    .command("coverage")
    .description("fail when line (and optionally branch) coverage is below a minimum")
    .argument("<report>", "lcov, Cobertura XML or Istanbul coverage-summary.json")
    .requiredOption("--min <pct>", "lowest line coverage, percent")
    .option("--branches <pct>", "lowest branch coverage, percent")
    .option("--json", "print the result as JSON")
    .action(async (report: string, flags: OutputFlags & { min: string; branches?: string }) => {
      const { runCoverageGate } = await import("../../gates/index.js");
      const result = await runCoverageGate({
        report,
        min: percent("--min", flags.min),
        ...(flags.branches !== undefined && { branches: percent("--branches", flags.branches) }),
        cwd: ctx.io.cwd,
      });
      await printRun({ ok: result.ok, results: [result] }, flags, ctx);
    });

  gate
    .command("vulns")
    .description(
      "fail on findings at or above a severity; gates.vulns.ignore in shipgate.yml accepts findings until a date",
    )
    .argument("<report...>", "Trivy JSON, npm audit --json or SARIF files, or glob patterns")
    .requiredOption("--fail-on <severity>", `lowest severity that fails: ${SEVERITIES.join(", ")}`)
    .option("-c, --config <file>", "shipgate.yml with the ignore list (read when it exists)", "shipgate.yml")
    .option("--json", "print the result as JSON")
    .action(
      async (reports: string[], flags: OutputFlags & ConfigFlags & { failOn: string }, command: Command) => {
        const failOn = severity(flags.failOn);
        const gates = await optionalGatesConfig(flags.config, command, ctx);
        const { runVulnsGate } = await import("../../gates/index.js");
        const result = await runVulnsGate({
          reports,
          failOn,
          ignore: gates?.vulns?.ignore ?? [],
          now: new Date(),
          cwd: ctx.io.cwd,
        });
        await printRun({ ok: result.ok, results: [result] }, flags, ctx);
      },
    );

  gate
    .command("tests")
    .description("fail on any failed or errored test; report tests that passed only on retry as flaky")
    .argument("<junit...>", "JUnit XML files or glob patterns such as 'build/test-results/**/*.xml'")
    .option(
      "--fail-on-flaky",
      "also fail when a test passed only on retry (default: gates.tests.failOnFlaky)",
    )
    .option(
      "-c, --config <file>",
      "shipgate.yml to read gates.tests.failOnFlaky from (when it exists)",
      "shipgate.yml",
    )
    .option("--json", "print the result as JSON")
    .action(
      async (
        reports: string[],
        flags: OutputFlags & ConfigFlags & { failOnFlaky?: boolean },
        command: Command,
      ) => {
        const gates = flags.failOnFlaky ? undefined : await optionalGatesConfig(flags.config, command, ctx);
        const { runTestsGate } = await import("../../gates/index.js");
        const result = await runTestsGate({
          reports,
          failOnFlaky: flags.failOnFlaky ?? gates?.tests?.failOnFlaky ?? false,
          cwd: ctx.io.cwd,
        });
        await printRun({ ok: result.ok, results: [result] }, flags, ctx);
      },
    );

  gate
    .command("all")
    .description("run every gate configured in the gates: section of shipgate.yml")
    .option("-c, --config <file>", "configuration file", "shipgate.yml")
    .option("--json", "print the results as JSON")
    .action(async (flags: OutputFlags & ConfigFlags) => {
      const { runGatesFromConfig } = await import("../../gates/index.js");
      const run = await runGatesFromConfig({ configPath: flags.config, cwd: ctx.io.cwd, now: new Date() });
      await printRun(run, flags, ctx);
    });
};

/** Prints the table or JSON, appends the job summary on GitHub Actions, sets the exit code. */
async function printRun(run: GateRun, flags: OutputFlags, ctx: CliContext) {
  const { appendStepSummary, renderGateMarkdown, renderGateTable } = await import("../../gates/index.js");
  ctx.io.stdout.write(
    flags.json
      ? `${redact(JSON.stringify(run, null, 2))}\n`
      : renderGateTable(run, { color: ctx.io.color, cwd: ctx.io.cwd }),
  );
  ctx.exitCode = run.ok ? EXIT_OK : EXIT_FAILED;
  const summaryFile = ctx.io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    try {
      await appendStepSummary(resolve(ctx.io.cwd, summaryFile), renderGateMarkdown(run, { cwd: ctx.io.cwd }));
    } catch (error) {
      // The verdict stands: a job summary that cannot be written must not turn a pass into a failure.
      if (!isShipgateError(error)) throw error;
      const [diagnostic] = error.diagnostics;
      ctx.io.stderr.write(
        redact(`warning[${error.code}]: ${diagnostic?.message}\n  fix: ${diagnostic?.hint}\n`),
      );
    }
  }
}

/**
 * The `gates:` section when shipgate.yml exists. The default file may be absent (the gate
 * then runs without an ignore list); a file named with -c must exist.
 */
async function optionalGatesConfig(file: string, command: Command, ctx: CliContext) {
  const path = resolve(ctx.io.cwd, file);
  if (command.getOptionValueSource("config") === "default" && !existsSync(path)) return undefined;
  const { loadConfig } = await import("../../config/load.js");
  return (await loadConfig({ path })).config.gates;
}

function percent(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  const pct = match ? Number(match[1]) : Number.NaN;
  if (!(pct >= 0 && pct <= 100)) {
    throw inputError("gate/bad-threshold", `invalid ${flag} "${value}"`, {
      hint: `give a percentage from 0 to 100, such as ${flag} 80 or ${flag} 72.5`,
    });
  }
  return pct;
}

function severity(value: string): VulnSeverity {
  const word = value.trim().toLowerCase();
  // npm and GitHub say "moderate" for medium.
  const normalized = word === "moderate" ? "medium" : word;
  const found = SEVERITIES.find((s) => s === normalized);
  if (!found) {
    throw inputError("gate/bad-severity", `invalid --fail-on "${value}"`, {
      hint: `use one of ${SEVERITIES.join(", ")}`,
    });
  }
  return found;
}

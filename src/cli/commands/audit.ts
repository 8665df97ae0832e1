import { resolve } from "node:path";
import { inputError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { redact } from "../../redact.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { safeText } from "../safe-text.js";
import type { RegisterCommand } from "./index.js";

const FORMATS = ["text", "json", "sarif", "github"] as const;
const SEVERITIES = ["error", "warning", "note"] as const;

interface AuditFlags {
  format?: string;
  minSeverity: string;
  fix?: boolean;
  dryRun?: boolean;
  baseline?: string;
  writeBaseline?: string;
  output?: string;
  dir: string;
}

export const registerAudit: RegisterCommand = (program, ctx) => {
  program
    .command("audit")
    .description("audit GitHub Actions workflows for what makes them unsafe to ship with")
    .argument("[paths...]", "workflow files or folders (default: .github/workflows/)")
    .option(
      "--format <format>",
      `output format: ${FORMATS.join(", ")} (default: text; github inside GitHub Actions)`,
    )
    .option("--min-severity <severity>", `lowest severity that fails: ${SEVERITIES.join(", ")}`, "warning")
    .option("--fix", "apply the safe fixes, then report what is left")
    .option("--dry-run", "with --fix: print the changes as a diff and write nothing")
    .option("--baseline <file>", "report only findings not accepted in this baseline")
    .option("--write-baseline <file>", "accept every current finding into a baseline file and exit 0")
    .option("--output <file>", "write the report to a file instead of standard output")
    .option("--dir <path>", "repository root", ".")
    .action(async (paths: string[], opts: AuditFlags) => {
      const inActions = ctx.io.env.GITHUB_ACTIONS === "true" && !ctx.io.interactive;
      const format = opts.format ?? (inActions ? "github" : "text");
      if (!(FORMATS as readonly string[]).includes(format)) {
        throw inputError("audit/bad-format", `unknown format "${format}"`, {
          hint: `use one of ${FORMATS.join(", ")}`,
        });
      }
      if (!(SEVERITIES as readonly string[]).includes(opts.minSeverity)) {
        throw inputError("audit/bad-severity", `unknown severity "${opts.minSeverity}"`, {
          hint: `use one of ${SEVERITIES.join(", ")}`,
        });
      }
      if (opts.dryRun && !opts.fix)
        throw inputError("audit/dry-run-without-fix", "--dry-run goes with --fix");

      const audit = await import("../../audit/index.js");
      const root = resolve(ctx.io.cwd, opts.dir);
      const run = await audit.auditRepository({
        root,
        paths,
        fix: opts.fix,
        dryRun: opts.dryRun,
        baselinePath: opts.baseline,
        writeBaselinePath: opts.writeBaseline,
        // Inside GitHub Actions the run says whose repository it is; elsewhere, origin's URL.
        repositoryOwner: ctx.io.env.GITHUB_REPOSITORY?.split("/")[0] || undefined,
      });
      for (const failure of run.failures) {
        ctx.io.stderr.write(
          `warning: rule ${failure.ruleId} failed on ${failure.file}: ${redact(failure.message)}\n`,
        );
      }
      if (opts.writeBaseline) {
        ctx.io.stdout.write(`Wrote ${run.findings.length} findings to ${opts.writeBaseline}.\n`);
        ctx.exitCode = EXIT_OK;
        return;
      }
      if (opts.fix && opts.dryRun) {
        const { createTwoFilesPatch } = await import("diff");
        for (const [path, [before, after]] of run.fixed) {
          ctx.io.stdout.write(
            createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, "", "", { context: 3 }),
          );
        }
        if (run.fixed.size === 0) ctx.io.stdout.write("No safe fixes to apply.\n");
        ctx.exitCode = EXIT_OK;
        return;
      }
      if (opts.fix && run.fixed.size > 0 && format === "text") {
        ctx.io.stderr.write(`Fixed ${[...run.fixed.keys()].join(", ")}\n`);
      }

      const min = opts.minSeverity as (typeof SEVERITIES)[number];
      const shown = run.findings;
      const report =
        format === "json"
          ? `${JSON.stringify(
              {
                version: 1,
                summary: {
                  files: run.filesAudited,
                  findings: shown.length,
                  errors: shown.filter((f) => f.severity === "error").length,
                  warnings: shown.filter((f) => f.severity === "warning").length,
                  notes: shown.filter((f) => f.severity === "note").length,
                  ignoredInline: run.suppressed.length,
                  inBaseline: run.hiddenByBaseline,
                },
                findings: shown.map((f) => ({ ...f, message: redact(f.message) })),
                suppressed: run.suppressed.map((f) => ({
                  ruleId: f.ruleId,
                  file: f.file,
                  line: f.region.startLine,
                  reason: f.reason,
                })),
                failures: run.failures,
              },
              null,
              2,
            )}\n`
          : format === "sarif"
            ? audit.renderSarif({ findings: shown, rules: audit.RULES })
            : format === "github"
              ? audit.renderGithub(shown)
              : audit.renderText({
                  findings: shown,
                  sources: run.sources,
                  color: ctx.io.color && !opts.output,
                  hiddenByBaseline: run.hiddenByBaseline,
                  suppressed: run.suppressed.length,
                });
      // A report file is printed later (cat, a CI log): the people's formats are escaped as the
      // terminal's are; JSON and SARIF are written exactly.
      const human = format === "text" || format === "github";
      if (opts.output)
        await writeFileAtomic(resolve(ctx.io.cwd, opts.output), human ? safeText(report) : report);
      else ctx.io.stdout.write(report);
      ctx.exitCode = audit.atOrAbove(shown, min).length > 0 ? EXIT_FAILED : EXIT_OK;
    });
};

import type { DeploymentOutcome } from "../../deliver/events.js";
import { inputError } from "../../errors.js";
import { redact } from "../../redact.js";
import type { CliContext } from "../main.js";
import { style } from "../style.js";

/** Flags every delivery command shares. */
export interface ConfigFlags {
  config?: string;
  json?: boolean;
}

/** `--wait 10m` as milliseconds; `0` when unset. */
export async function waitMs(value: string | undefined): Promise<number> {
  if (value === undefined) return 0;
  const { parseConfigDuration } = await import("../../verify/duration.js");
  const ms = parseConfigDuration(value);
  if (ms === undefined || ms < 0) {
    throw inputError("cli/duration", `invalid --wait "${value}"`, {
      hint: "use a number followed by ms, s, m, h or d, such as 30s, 10m or 24h",
    });
  }
  return ms;
}

/**
 * What deploy, rollback and promote share: the timeline on stderr, who is asking, where
 * secrets come from and where warnings go. Imported lazily by each command.
 */
export async function deliveryRun(ctx: CliContext, flags: { as?: string; config?: string }) {
  const { resolveActor } = await import("../../deliver/environment.js");
  const { createTimeline, renderOutcome } = await import("../../deliver/render.js");
  const s = style(ctx.io.color);
  const timeline = createTimeline({ style: s, log: (line) => ctx.io.stderr.write(`${redact(line)}\n`) });
  const requestedBy = await resolveActor({
    ...(flags.as && { as: flags.as }),
    env: ctx.io.env,
    cwd: ctx.io.cwd,
  });
  return {
    style: s,
    renderOutcome: (outcome: DeploymentOutcome) => redact(renderOutcome(outcome, s)),
    /**
     * In GitHub Actions, the outcome and the ledger anchor go to the job's step summary: a
     * record of the chain's state kept outside the ledger, for `history --verify --anchor`.
     */
    summarize: async (outcome: DeploymentOutcome) => {
      const path = ctx.io.env.GITHUB_STEP_SUMMARY;
      if (!path) return;
      const { appendStepSummary } = await import("../../gates/step-summary.js");
      const d = outcome.deployment;
      await appendStepSummary(
        path,
        redact(
          [
            `### shipgate ${d.kind} ${d.env}: ${outcome.ok ? "live" : d.status.replace("_", " ")}`,
            "",
            `${d.id} (${d.artifactId}): ${outcome.reason}`,
            ...(outcome.anchor
              ? [
                  "",
                  `Ledger anchor \`${outcome.anchor}\` — verify later with \`shipgate history --verify --anchor ${outcome.anchor}\``,
                ]
              : []),
          ].join("\n"),
        ),
      );
    },
    options: {
      cwd: ctx.io.cwd,
      ...(flags.config && { configPath: flags.config }),
      requestedBy,
      onEvent: timeline.event,
      secrets: ctx.io.env,
      warn: (message: string) => ctx.io.stderr.write(`warning: ${redact(message)}\n`),
    },
  };
}

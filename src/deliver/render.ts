import type { Style } from "../cli/style.js";
import type { LedgerEvent } from "../ledger/types.js";
import type { HarmFigures, Verdict, WindowFigures } from "./analysis/types.js";
import type { DeploymentOutcome, EngineEvent } from "./events.js";
import type { HistoryReport } from "./history.js";
import type { StatusReport } from "./status.js";

/**
 * Human output of the delivery commands: a timeline while a deployment runs, then the outcome.
 * Every line carries the seconds since the command started, so a rollback's speed is visible.
 */
export function createTimeline(options: { style: Style; log: (line: string) => void; now?: () => number }) {
  const { style: s, log } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const line = (label: string, text: string) =>
    log(`${`${((now() - started) / 1000).toFixed(1)}s`.padStart(7)}  ${label.padEnd(9)} ${text}`);
  // The harm of the rollout so far, from the last analysis verdict recorded: printed when the
  // deployment ends, so every canary's cost to its users is on the record of the run.
  let harm: HarmFigures | undefined;
  return {
    line,
    event(event: EngineEvent) {
      if (event.type === "lock.waiting") {
        line(
          "wait",
          `${event.env} is busy (${event.deploymentId ?? event.holder}); waiting for it to finish`,
        );
        return;
      }
      if (event.type === "analysis.progress") {
        line("analyse", s.dim(analysisLine(event.verdict)));
        return;
      }
      const data = event.event.data as { verdict?: Verdict } | undefined;
      if (data?.verdict?.harm) harm = data.verdict.harm.total;
      const text = ledgerLine(event.event, s);
      if (text) line(text[0], text[1]);
      const ended = event.event.type === "deploy.succeeded" || event.event.type === "deploy.rolled_back";
      if (ended && harm) {
        line("harm", harmLine(harm));
        harm = undefined;
      }
    },
  };
}

function ledgerLine(event: LedgerEvent, s: Style): [string, string] | undefined {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case "deploy.requested":
      return [
        "deploy",
        `${s.bold(String(event.deploymentId))}: ${d.artifact} (${String(d.digest).slice(0, 19)}) by ${d.strategy}${d.stable ? `, replacing ${d.stable}` : ", first release"}`,
      ];
    case "rollback.requested":
      return [
        "rollback",
        `${s.bold(String(event.deploymentId))}: back to ${d.artifact}${d.reuse ? " (still running)" : ""}`,
      ];
    case "recovery.started":
      return [
        "recover",
        s.yellow(`${event.deploymentId} was interrupted at step ${Number(d.interruptedAt) + 1}: ${d.action}`),
      ];
    case "step.started":
      return ["step", String(d.text)];
    case "step.completed":
      if (d.kind === "analyse" && d.advancedWithoutEvidence)
        return [
          "bake",
          s.yellow(
            `advanced without evidence after the longest hold (smoke checks passed): ${(d.verdict as Verdict).reason}`,
          ),
        ];
      if (d.kind === "analyse" && d.verdict) return ["pass", s.green(analysisLine(d.verdict as Verdict))];
      if (d.kind === "smoke") return ["smoke", s.green(`${d.checks} checks passed`)];
      if (d.kind === "health") return ["healthy", `${d.healthy} instances in ${d.waitedMs} ms`];
      return undefined;
    case "step.failed":
      return ["FAIL", s.red(String(d.reason))];
    case "rollback.started":
      return ["rollback", s.yellow(d.to ? `back to ${d.to}` : "stopping the new release")];
    case "rollback.step":
      return ["rollback", s.dim(String(d.text))];
    case "rollback.completed":
      return ["rollback", d.live ? `${d.live} serves all traffic again` : "nothing left running"];
    case "deploy.succeeded":
      return ["live", s.green(String(d.reason))];
    case "deploy.rolled_back":
      return ["rolled", s.red(`back: ${d.reason}`)];
    case "deploy.failed":
      return ["failed", s.red(String(d.reason))];
    default:
      return undefined;
  }
}

function figuresText(name: string, w: WindowFigures): string {
  const p95 = w.p95Ms === undefined ? "" : `, p95 ${w.p95Ms.toFixed(1)} ms`;
  return `${name} ${w.requests} req ${w.errors} err (${(w.errorRate * 100).toFixed(2)}%)${p95}`;
}

/** `canary 412 req 21 err (5.10%), p95 3.1 ms · stable … · errors e=180/300 · shown safe: …` */
export function analysisLine(verdict: Verdict): string {
  const tests = verdict.tests
    .map((t) => `${t.name.replace("error-rate-", "")} ${fmt(t.statistic)}/${fmt(t.threshold)}`)
    .join(", ");
  const evidence = verdict.evidence
    ? ` · shown within limits: ${verdict.evidence.checks
        .map((c) => `${c.name.replace("error-rate-", "")} ${c.met ? "yes" : "not yet"}`)
        .join(", ")}`
    : "";
  const excess = verdict.harm ? ` · ${signed(verdict.harm.step.excessErrors)} excess errors this step` : "";
  return `${figuresText("canary", verdict.canary)} · ${figuresText("stable", verdict.stable)} · ${tests}${evidence}${excess}`;
}

/** `the canary served 812 requests, 41 errors: 40.2 more than the stable release's rate would have` */
export function harmLine(harm: HarmFigures): string {
  const excess = harm.excessErrors;
  const beyond =
    Math.abs(excess) < 0.05
      ? "as many as the stable release's rate would have"
      : excess > 0
        ? `${excess.toFixed(1)} more than the stable release's rate would have`
        : `${(-excess).toFixed(1)} fewer than the stable release's rate would have`;
  return `the canary served ${harm.canaryRequests} requests, ${harm.canaryErrors} errors: ${beyond}`;
}

function signed(n: number): string {
  return `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(1)}`;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

export function renderOutcome(outcome: DeploymentOutcome, s: Style): string {
  const d = outcome.deployment;
  const head = outcome.ok
    ? s.green("live")
    : d.status === "rolled_back"
      ? s.red("rolled back")
      : s.red("failed");
  const anchor = outcome.anchor
    ? `\nledger ${outcome.anchor} (keep it: shipgate history --verify --anchor ${outcome.anchor})`
    : "";
  return `${d.id} ${head}: ${outcome.reason}${outcome.live ? `\n${outcome.live} serves ${d.env}` : ""}${anchor}\n`;
}

export function renderStatus(report: StatusReport, s: Style): string {
  const lines = [`${s.bold(report.env)}  ${report.url}`];
  for (const r of report.recovered) lines.push(s.yellow(`recovered ${r.deployment.id}: ${r.reason}`));
  for (const warning of report.warnings) lines.push(s.red(`warning   ${warning}`));
  lines.push(
    report.live
      ? `live      ${report.live.release}  ${report.live.artifact}${report.live.since ? `  since ${report.live.since}` : ""}`
      : "live      nothing is serving",
  );
  if (report.inFlight) {
    const f = report.inFlight;
    lines.push(
      s.cyan(
        `rollout   ${f.deployment} (${f.kind}, ${f.strategy}) of ${f.artifact} by ${f.requestedBy}: step ${f.step.index}/${f.step.of} ${f.step.text}`,
      ),
    );
  }
  for (const r of report.releases) {
    const instances = r.instances.map(
      (i) => `${i.port ?? "-"}:${i.state}${i.restarts ? `(${i.restarts}↻)` : ""}`,
    );
    lines.push(
      `release   ${r.id.padEnd(14)} ${String(r.weight).padStart(3)}%  ${r.healthy}/${r.desired} healthy  ${instances.join(" ")}${r.retireAt ? `  stops at ${r.retireAt}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function renderHistory(report: HistoryReport, s: Style): string {
  const lines: string[] = [];
  for (const d of report.deployments) {
    const status =
      d.status === "succeeded"
        ? s.green(d.status)
        : d.status === "running"
          ? s.cyan(d.status)
          : s.red(d.status);
    lines.push(
      `${d.createdAt}  ${d.id.padEnd(14)} ${d.kind.padEnd(8)} ${d.artifactId}  ${status}  ${d.reason ?? ""}`,
    );
    if (d.harm) lines.push(s.dim(`    ${harmLine(d.harm)}`));
    for (const e of d.events ?? []) lines.push(s.dim(`    #${e.seq} ${e.at} ${e.type}`));
  }
  if (lines.length === 0) lines.push("no deployments yet");
  if (report.chain) {
    const c = report.chain;
    const problems = [
      ...c.problems.map((p) => `event ${p.seq}: ${p.problem}`),
      ...(report.rows ?? []).map((p) => `${p.kind} ${p.id} ${p.problem}`),
      ...(report.anchor && !report.anchor.found
        ? [
            `the chain no longer holds event ${report.anchor.seq} (${report.anchor.hash.slice(0, 12)}…) that was published: events were removed or the ledger was replaced`,
          ]
        : []),
    ];
    lines.push(
      problems.length === 0
        ? s.green(`ledger verified: ${c.events} events, chain head ${c.events}:${c.head}`)
        : s.red(`ledger TAMPERED:\n${problems.map((p) => `  - ${p}`).join("\n")}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

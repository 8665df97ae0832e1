/**
 * `deploy` of the kubernetes target as a real process, for the crash drills: the library call
 * the CLI makes, with a test metric provider (a canary as good as the stable release) so the
 * drill can reach every step. With SHIPGATE_KILL_AT_STEP=<n> it SIGKILLs itself
 * SHIPGATE_KILL_DELAY_MS after the ledger records step n as started.
 * Reports on stdout, one JSON object a line: `{"type":"lock.waiting",…}` as soon as it waits
 * for another process's lock (waiting up to 2 minutes), then the outcome
 * `{"ok":…,"reason":…,"deployment":<id>,"live":<release>}`.
 * Usage: deploy-process.ts <shipgate.yml> <image>
 */
import { deploy } from "../../../../src/deliver/deploy.js";
import { armKillAtStep } from "../../support/kill-at-step.js";
import { healthyCanary } from "./test-metrics.js";

const [configPath, artifact] = process.argv.slice(2);
armKillAtStep();

const outcome = await deploy({
  env: "production",
  artifact: artifact!,
  configPath: configPath!,
  requestedBy: "drill",
  pollMs: 100,
  waitMs: 120_000,
  metrics: healthyCanary(),
  onEvent: (event) => {
    if (event.type === "lock.waiting") process.stdout.write(`${JSON.stringify(event)}\n`);
  },
});
process.stdout.write(
  `${JSON.stringify({ ok: outcome.ok, reason: outcome.reason, deployment: outcome.deployment.id, live: outcome.live })}\n`,
);
process.exitCode = outcome.ok ? 0 : 1;

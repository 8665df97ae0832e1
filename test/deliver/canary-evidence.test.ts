import { afterEach, describe, expect, test } from "vitest";
import { style } from "../../src/cli/style.js";
import { deploymentHistory } from "../../src/deliver/history.js";
import { createTimeline, renderHistory } from "../../src/deliver/render.js";
import { ENV, type SampleProject, sampleProject } from "./support/project.js";

/**
 * A canary step advances on evidence that the canary is within the limits, on the local target
 * with the sample service: without traffic there is none, and the step rolls back as
 * inconclusive at its longest hold — or, opted in, advances after its smoke checks, recorded as
 * advanced without evidence. Every rollout's harm is on the record.
 */
describe("canary: evidence to advance on real processes", () => {
  let project: SampleProject | undefined;
  afterEach(() => project?.cleanup(), 30_000);

  /** Deploys with `deploy`'s own timeline printing into `lines`, as the CLI shows it. */
  async function deployWithTimeline(p: SampleProject, artifact: string) {
    const lines: string[] = [];
    const timeline = createTimeline({ style: style(false), log: (line) => lines.push(line) });
    const outcome = await p.deploy(artifact, {
      onEvent: (event) => {
        p.events.push(event);
        timeline.event(event);
      },
    });
    return { outcome, lines };
  }

  const ledgerData = (p: SampleProject, deploymentId: string, type: string) =>
    p.events.flatMap((e) =>
      e.type === "ledger" && e.event.deploymentId === deploymentId && e.event.type === type
        ? [e.event.data]
        : [],
    );

  test("a step without traffic holds to maxStepSeconds, then rolls back as inconclusive", async () => {
    project = await sampleProject({
      strategy: "{ canary: { steps: [50], stepSeconds: 1, maxStepSeconds: 3 } }",
    });
    expect((await project.deploy(await project.release({ version: "1.0.0" }))).ok).toBe(true);
    const started = Date.now();
    const outcome = await project.deploy(await project.release({ version: "2.0.0" }));
    expect(outcome.deployment.status).toBe("rolled_back");
    expect(outcome.reason).toMatch(/inconclusive after 3s: .*(fewer than the 50 needed|no evidence yet)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  }, 60_000);

  test("whenInconclusive: bake advances after smoke checks, recorded and shown as advanced without evidence", async () => {
    project = await sampleProject({
      strategy: "{ canary: { steps: [50], stepSeconds: 1, maxStepSeconds: 2 } }",
      analysis: "{ minRequests: 0, whenInconclusive: bake }",
    });
    expect((await project.deploy(await project.release({ version: "1.0.0" }))).ok).toBe(true);
    const { outcome, lines } = await deployWithTimeline(project, await project.release({ version: "2.0.0" }));
    expect(outcome.ok, outcome.reason).toBe(true);
    const [analysed] = ledgerData(project, outcome.deployment.id, "step.completed").filter(
      (d) => d.kind === "analyse",
    );
    expect(analysed).toMatchObject({ advancedWithoutEvidence: true, smoke: { checks: expect.any(Number) } });
    expect(
      lines.some((line) =>
        / bake +advanced without evidence after the longest hold \(smoke checks passed\)/.test(line),
      ),
    ).toBe(true);
  }, 60_000);

  test("a rolled-back canary's harm: in the failed step's verdict, at the end of deploy's output, and in history", async () => {
    project = await sampleProject({
      strategy: "{ canary: { steps: [50], stepSeconds: 30 } }",
      analysis: "{ maxErrorRate: 0.02 }",
    });
    expect((await project.deploy(await project.release({ version: "1.0.0" }))).ok).toBe(true);
    const bad = await project.release({ version: "1.1.0", errorRate: 0.2 });
    const load = project.traffic(100, 8000);
    const { outcome, lines } = await deployWithTimeline(project, bad);
    await load;
    expect(outcome.deployment.status).toBe("rolled_back");
    const [failed] = ledgerData(project, outcome.deployment.id, "step.failed");
    const harm = (
      failed!.verdict as { harm: { total: Record<string, number>; step: Record<string, number> } }
    ).harm;
    expect(harm.total.canaryErrors).toBeGreaterThan(0);
    // The stable release fails nothing: every canary error is an excess error.
    expect(harm.total.excessErrors).toBeCloseTo(harm.total.canaryErrors!, 6);
    expect(harm.step).toEqual(harm.total);
    const harmLine = lines.find((line) =>
      / harm +the canary served \d+ requests, \d+ errors: [\d.]+ more than/.test(line),
    );
    expect(harmLine, lines.join("\n")).toBeDefined();

    const history = await deploymentHistory({ env: ENV, cwd: project.dir });
    const recorded = history.deployments.find((d) => d.id === outcome.deployment.id);
    expect(recorded?.harm).toEqual(harm.total);
    // --limit reads only the listed rollouts' events, and finds the same.
    const latest = await deploymentHistory({ env: ENV, cwd: project.dir, limit: 1, events: true });
    expect(latest.deployments.map((d) => [d.id, d.harm])).toEqual([[outcome.deployment.id, harm.total]]);
    expect(latest.deployments[0]!.events).toEqual(
      (await deploymentHistory({ env: ENV, cwd: project.dir, events: true })).deployments.find(
        (d) => d.id === outcome.deployment.id,
      )!.events,
    );
    expect(renderHistory(history, style(false))).toContain(
      `the canary served ${harm.total.canaryRequests} requests, ${harm.total.canaryErrors} errors`,
    );
  }, 60_000);
});

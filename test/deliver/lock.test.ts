import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openLedger } from "../../src/ledger/index.js";
import { runCliProcess } from "./support/processes.js";
import { ENV, type SampleProject, sampleProject } from "./support/project.js";

/** One deployment per environment at a time, across processes. */
describe("the environment lock", () => {
  let project: SampleProject;
  let v2: string;
  let v3: string;
  beforeAll(async () => {
    project = await sampleProject({
      // No traffic: the step holds its 8 s, then advances without evidence after smoke checks.
      strategy: "{ canary: { steps: [50], stepSeconds: 8, maxStepSeconds: 8 } }",
      analysis: "{ minRequests: 0, whenInconclusive: bake }",
    });
    expect((await project.deploy(await project.release({ version: "1.0.0" }))).ok).toBe(true);
    v2 = await project.release({ version: "2.0.0" });
    v3 = await project.release({ version: "3.0.0" });
  }, 60_000);
  afterAll(() => project?.cleanup(), 30_000);

  test("a second deploy without --wait exits 1 naming the deployment in flight", async () => {
    const first = runCliProcess(["deploy", ENV, "--artifact", v2], { cwd: project.dir });
    await waitForRunning(project);
    const second = await runCliProcess(["deploy", ENV, "--artifact", v3], { cwd: project.dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/production is busy: deployment production-2-[0-9a-f]{6} \(\d+@/);
    expect(second.stderr).toMatch(/--wait/);
    expect((await first).code).toBe(0);
  }, 60_000);

  test("with --wait the second one waits its turn; their events never interleave", async () => {
    const first = runCliProcess(["deploy", ENV, "--artifact", v3], { cwd: project.dir });
    await waitForRunning(project);
    const second = runCliProcess(["deploy", ENV, "--artifact", v2, "--wait", "1m"], { cwd: project.dir });
    const [a, b] = await Promise.all([first, second]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/wait\s+production is busy/);

    const ledger = await openLedger({ stateDir: project.stateDir });
    const [later, earlier] = await ledger.listDeployments({ env: ENV, limit: 2 });
    const seqs = async (id: string) => (await ledger.listEvents({ deploymentId: id })).map((e) => e.seq);
    const earlierSeqs = await seqs(earlier!.id);
    const laterSeqs = await seqs(later!.id);
    await ledger.close();
    expect(earlier!.artifactId).toBe(v3);
    expect(later!.artifactId).toBe(v2);
    expect(Math.max(...earlierSeqs)).toBeLessThan(Math.min(...laterSeqs));
  }, 90_000);
});

async function waitForRunning(project: SampleProject) {
  const ledger = await openLedger({ stateDir: project.stateDir });
  try {
    for (let i = 0; i < 600; i++) {
      const [latest] = await ledger.listDeployments({ env: ENV, limit: 1 });
      if (latest?.status === "running") return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the first deploy never started");
  } finally {
    await ledger.close();
  }
}

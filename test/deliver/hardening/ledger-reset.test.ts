import { rename } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { ENV, type SampleProject, sampleProject } from "../support/project.js";

/**
 * A ledger moved aside (the hint for a corrupt one) while a release serves: the next deploy
 * must not take the live release for its own. Deployment ids used to restart at 1, the new
 * release took the live one's id, and the failed deploy's rollback stopped it — 503 for
 * everyone, while the CLI said it served.
 */
describe("a ledger reset while a release serves", () => {
  let project: SampleProject;
  beforeAll(async () => {
    project = await sampleProject({ strategy: "rolling", timeoutSeconds: 3 });
  }, 60_000);
  afterAll(() => project?.cleanup(), 30_000);

  test("a failing deploy into the fresh ledger rolls back to the live release, which keeps serving", async () => {
    const v1 = await project.release({ version: "1.0.0" });
    const first = await runCli(["deploy", ENV, "--artifact", v1, "--json"], { cwd: project.dir });
    expect(first.code, first.stderr).toBe(0);
    const live = JSON.parse(first.stdout).live as string;

    const ledger = join(project.stateDir, "ledger.db");
    await rename(ledger, `${ledger}.corrupt`);
    const bad = await project.release({ version: "2.0.0", healthFails: true });
    const second = await runCli(["deploy", ENV, "--artifact", bad, "--json"], { cwd: project.dir });
    expect(second.code, second.stderr).toBe(1);
    const report = JSON.parse(second.stdout);
    expect(report.deployment.id).not.toBe(live);
    expect(report.live).toBe(live);

    const served = await fetch(`${project.url}/`);
    expect(served.status).toBe(200);
    expect(served.headers.get("x-app-version")).toBe("1.0.0");
    const status = JSON.parse((await runCli(["status", ENV, "--json"], { cwd: project.dir })).stdout);
    expect(status.releases.map((r: { id: string; weight: number }) => [r.id, r.weight])).toEqual([
      [live, 100],
    ]);
  }, 60_000);
});

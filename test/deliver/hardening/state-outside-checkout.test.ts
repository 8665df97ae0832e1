import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ShipgateConfigSchema } from "../../../src/config/schema.js";
import { gitText } from "../../../src/deliver/git.js";
import { stopAgent } from "../../../src/deliver/targets/local/index.js";
import { buildPipeline } from "../../../src/pipeline/build.js";
import { RENDERERS } from "../../../src/render/registry.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";
import { ENV, type SampleProject, sampleProject } from "../support/project.js";

/**
 * On a self-hosted runner, each job's actions/checkout runs `git clean -ffdx`: a `.shipgate/`
 * in the checkout (ledger, artifacts, the agent's files) was deleted under the running
 * environment and the next deploy exited 2. The state lives outside the checkout instead, and
 * shipgate refuses to keep it inside one in a GitHub Actions job.
 */
describe("a local target's state and the CI checkout", () => {
  let project: SampleProject;
  let stateDir: string;
  const saved = { ...process.env };
  const runner = () => ({ GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: project.dir });
  const asRunner = (extra: Record<string, string> = {}) => Object.assign(process.env, runner(), extra);
  beforeAll(async () => {
    project = await sampleProject({ strategy: "rolling", timeoutSeconds: 5 });
    stateDir = join(await tempDir(), "state");
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await stopAgent({ stateDir }).catch(() => undefined);
    await project?.cleanup();
  }, 30_000);

  test("state inside the checkout is refused in a GitHub Actions job, naming the fix", async () => {
    await project.release({ version: "1.0.0" });
    asRunner();
    try {
      const build = await runCli(["build"], { cwd: project.dir });
      expect(build.code).toBe(2);
      expect(build.stderr).toMatch(/inside the checkout, which actions\/checkout cleans/);
      expect(build.stderr).toMatch(/SHIPGATE_STATE_DIR/);
    } finally {
      process.env = { ...saved };
    }
  });

  test("with SHIPGATE_STATE_DIR outside it, the environment survives the next job's clean checkout", async () => {
    asRunner({ SHIPGATE_STATE_DIR: stateDir });
    try {
      const built = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout);
      expect(built.location.startsWith(stateDir)).toBe(true);
      expect((await runCli(["deploy", ENV, "--artifact", built.artifact], { cwd: project.dir })).code).toBe(
        0,
      );
      // What actions/checkout does at the start of the next job.
      await gitText(["clean", "-ffdxq"], { cwd: project.dir });
      const next = await project.release({ version: "1.1.0" });
      const deploy = await runCli(["deploy", ENV, "--artifact", next], { cwd: project.dir });
      expect(deploy.code, deploy.stderr).toBe(0);
      expect((await fetch(`${project.url}/`)).headers.get("x-app-version")).toBe("1.1.0");
      const history = await runCli(["history", ENV, "--verify"], { cwd: project.dir });
      expect(history.code, history.stderr).toBe(0);
    } finally {
      process.env = { ...saved };
    }
  }, 60_000);

  test("the generated local workflows move the state out before any shipgate command", () => {
    const config = ShipgateConfigSchema.parse(
      parse(`version: 1
app: { name: app, language: node, start: node server.js }
environments:
  staging: { target: { type: local, port: 8080, runner: box } }
  production: { target: { type: local, port: 8081, runner: box }, promoteFrom: staging }
`),
    );
    const files = RENDERERS.github.render(buildPipeline({ config, shipgateVersion: "0.1.0" }));
    let jobsChecked = 0;
    for (const file of files) {
      const workflow = parse(file.body) as { jobs?: Record<string, { steps?: Array<{ run?: string }> }> };
      for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
        const runs = (job.steps ?? []).map((s) => s.run ?? "");
        const first = runs.findIndex((r) => /shipgate@\S+ (build|deploy|promote|rollback)/.test(r));
        if (first < 0) continue;
        jobsChecked++;
        const moved = runs.findIndex(
          (r) => r.includes("SHIPGATE_STATE_DIR=") && r.includes('>> "$GITHUB_ENV"'),
        );
        expect(moved, `${file.path} ${id}`).toBeGreaterThanOrEqual(0);
        expect(moved, `${file.path} ${id}`).toBeLessThan(first);
        expect(runs[moved]).toContain("$HOME/.local/state");
      }
    }
    expect(jobsChecked).toBeGreaterThanOrEqual(4);
  });
});

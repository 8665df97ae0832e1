import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { ENV, type SampleProject, sampleProject } from "./support/project.js";

/** The delivery commands as a user runs them, in-process, on a real sample repository. */
describe("build, deploy, status, history", () => {
  let project: SampleProject;
  let artifact: string;
  let firstRelease: string;
  beforeAll(async () => {
    project = await sampleProject({ strategy: "blue-green", extra: "    rollback: { keepPrevious: 0s }\n" });
    await project.release({ version: "1.0.0" });
  }, 60_000);
  afterAll(() => project?.cleanup(), 30_000);

  test("build prints the artifact; --json gives { artifact }; building the same commit again is a no-op", async () => {
    const json = await runCli(["build", "--json"], { cwd: project.dir });
    expect(json.code).toBe(0);
    const built = JSON.parse(json.stdout);
    expect(built.artifact).toMatch(/^sample-app@[0-9a-f]{12}$/);
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    artifact = built.artifact;
    const again = await runCli(["build"], { cwd: project.dir });
    expect(again.stdout.trim()).toBe(artifact);
    expect(again.stderr).toMatch(/already built/);
    const manifest = JSON.parse(await readFile(built.location.replace(/\.tar\.gz$/, ".json"), "utf8"));
    expect(manifest).toMatchObject({
      commit: built.commit,
      digest: built.digest,
      runtime: { start: "node server.js" },
    });
    expect((await stat(built.location)).mode & 0o777).toBe(0o600);
  });

  test("deploy exits 0 once live; status --json shows the live artifact", async () => {
    const run = await runCli(["deploy", ENV, "--artifact", artifact], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/deploy\s+production-1-[0-9a-f]{6}: sample-app@/);
    expect(run.stderr).toMatch(/live\s+production-1-[0-9a-f]{6} is live and healthy/);
    const status = await runCli(["status", ENV, "--json"], { cwd: project.dir });
    const report = JSON.parse(status.stdout);
    expect(report.live).toMatchObject({
      release: expect.stringMatching(/^production-1-[0-9a-f]{6}$/),
      artifact,
    });
    firstRelease = report.live.release;
    expect(report.inFlight).toBeUndefined();
    const again = await runCli(["deploy", ENV, "--artifact", artifact], { cwd: project.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already live/);
  }, 30_000);

  test("bad input exits 2 with what to do", async () => {
    const unknownEnv = await runCli(["deploy", "prodution", "--artifact", artifact], { cwd: project.dir });
    expect(unknownEnv.code).toBe(2);
    expect(unknownEnv.stderr).toMatch(/no environment "prodution"/);
    expect(unknownEnv.stderr).toMatch(/did you mean "production"/);
    const unknownArtifact = await runCli(["deploy", ENV, "--artifact", "nope"], { cwd: project.dir });
    expect(unknownArtifact.code).toBe(2);
    expect(unknownArtifact.stderr).toMatch(/no artifact "nope"/);
    const badWait = await runCli(["deploy", ENV, "--artifact", artifact, "--wait", "soon"], {
      cwd: project.dir,
    });
    expect(badWait.code).toBe(2);
  });

  test("rollback --to a deployment goes back to its artifact; an unknown one is bad input", async () => {
    await project.release({ version: "2.0.0" });
    const newer = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout).artifact;
    expect((await runCli(["deploy", ENV, "--artifact", newer], { cwd: project.dir })).code).toBe(0);
    const back = await runCli(["rollback", ENV, "--to", firstRelease, "--json"], { cwd: project.dir });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).deployment).toMatchObject({ kind: "rollback", artifactId: artifact });
    const unknown = await runCli(["rollback", ENV, "--to", "nothing-like-it"], { cwd: project.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no artifact "nothing-like-it"/);
  }, 30_000);

  test("a tarball changed after the build never runs", async () => {
    await project.release({ version: "1.5.0" });
    const built = JSON.parse((await runCli(["build", "--json"], { cwd: project.dir })).stdout);
    await chmod(built.location, 0o600);
    await writeFile(built.location, Buffer.concat([await readFile(built.location), Buffer.from("x")]));
    const run = await runCli(["deploy", ENV, "--artifact", built.artifact], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/does not match its digest/);
  }, 30_000);

  test("history --verify passes on an intact ledger and catches an edited or deleted event", async () => {
    const ok = await runCli(["history", ENV, "--verify"], { cwd: project.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ledger verified: \d+ events, chain head \d+:[0-9a-f]{64}/);

    const db = new Database(join(project.stateDir, "ledger.db"));
    const event = db
      .prepare("SELECT seq, data FROM events WHERE type = 'deploy.requested' LIMIT 1")
      .get() as {
      seq: number;
      data: string;
    };
    const forged = JSON.stringify({ ...JSON.parse(event.data), requestedBy: "mallory" });
    db.prepare("UPDATE events SET data = ? WHERE seq = ?").run(forged, event.seq);
    const edited = await runCli(["history", ENV, "--verify"], { cwd: project.dir });
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(new RegExp(`ledger TAMPERED:\\n {2}- event ${event.seq}: `));

    db.prepare("UPDATE events SET data = ? WHERE seq = ?").run(event.data, event.seq);
    expect((await runCli(["history", ENV, "--verify"], { cwd: project.dir })).code).toBe(0);
    db.prepare("DELETE FROM events WHERE seq = ?").run(event.seq + 1);
    db.close();
    const deleted = await runCli(["history", ENV, "--verify", "--json"], { cwd: project.dir });
    expect(deleted.code).toBe(1);
    const report = JSON.parse(deleted.stdout);
    expect(report.chain.ok).toBe(false);
    expect(report.chain.problems.length).toBeGreaterThan(0);
  });

  test("the ledger and the agent's control file are owner-only", async () => {
    expect((await stat(join(project.stateDir, "ledger.db"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(project.stateDir, "agent", "agent.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(project.stateDir)).mode & 0o777).toBe(0o700);
  });
});

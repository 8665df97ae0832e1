import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { ENV, type SampleProject, sampleProject } from "../support/project.js";

/**
 * The attacks on the ledger, through the commands as a user runs them: the values that
 * decide actions edited in the database, and a ledger emptied. Each is refused where it would
 * be used and reported by `history --verify`. (The same edits against PostgreSQL, at the
 * ledger level: test/ledger/row-tampering.ts.)
 */
describe("a ledger edited behind shipgate's back", () => {
  let project: SampleProject;
  let artifact: string;
  let anchor: string;
  beforeAll(async () => {
    project = await sampleProject({ strategy: "rolling", timeoutSeconds: 5 });
    artifact = await project.release({ version: "1.0.0" });
    const first = await runCli(["deploy", ENV, "--artifact", artifact], { cwd: project.dir });
    expect(first.code, first.stderr).toBe(0);
    anchor = /^ledger (\d+:[0-9a-f]{64}) \(keep it/m.exec(first.stdout)![1]!;
  }, 60_000);
  afterAll(() => project?.cleanup(), 30_000);

  const sql = (statement: string, ...params: unknown[]) => {
    const db = new Database(join(project.stateDir, "ledger.db"));
    try {
      db.prepare(statement).run(...params);
    } finally {
      db.close();
    }
  };

  test("a start command injected into the artifact's row never runs", async () => {
    const marker = join(project.dir, "..", `injected-${Date.now()}`);
    const next = await project.release({ version: "2.0.0" });
    const db = new Database(join(project.stateDir, "ledger.db"));
    const manifest = JSON.parse(
      (db.prepare("SELECT manifest FROM artifacts WHERE id = ?").get(next) as { manifest: string }).manifest,
    );
    manifest.runtime.start = `touch ${marker}; node server.js`;
    db.prepare("UPDATE artifacts SET manifest = ? WHERE id = ?").run(JSON.stringify(manifest), next);
    db.close();

    const deploy = await runCli(["deploy", ENV, "--artifact", next], { cwd: project.dir });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(
      /ledger\/untrusted.*artifact .* manifest differs from what its build recorded/,
    );
    expect(existsSync(marker)).toBe(false);
    const verify = await runCli(["history", "--verify"], { cwd: project.dir });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/artifact sample-app@\S+ manifest differs/);

    // Building the commit again does not vouch for the edited row.
    const rebuilt = await runCli(["build"], { cwd: project.dir });
    expect(rebuilt.code).toBe(0);
    expect((await runCli(["deploy", ENV, "--artifact", next], { cwd: project.dir })).code).toBe(1);
    manifest.runtime.start = "node server.js";
    sql("UPDATE artifacts SET manifest = ? WHERE id = ?", JSON.stringify(manifest), next);
    expect((await runCli(["history", "--verify"], { cwd: project.dir })).code).toBe(0);
  }, 60_000);

  test("a ledger replaced by an empty file: status says the live release is unknown, the anchor proves it", async () => {
    const ledger = join(project.stateDir, "ledger.db");
    for (const suffix of ["", "-wal", "-shm"])
      if (existsSync(ledger + suffix)) await writeFile(ledger + suffix, "");
    const status = await runCli(["status", ENV], { cwd: project.dir });
    expect(status.stdout).toMatch(/warning .*the ledger has no deployment of it/);
    const emptyVerify = await runCli(["history", "--verify"], { cwd: project.dir });
    expect(emptyVerify.code).toBe(0); // an empty ledger is a valid one…
    const anchored = await runCli(["history", "--verify", "--anchor", anchor], { cwd: project.dir });
    expect(anchored.code).toBe(1); // …but not the one that published this anchor
    expect(anchored.stdout).toMatch(/no longer holds event \d+/);
  }, 60_000);
});

import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isShipgateError } from "../../src/errors.js";
import { nextEvent } from "../../src/ledger/chain.js";
import { openLedger } from "../../src/ledger/index.js";
import { MIGRATIONS } from "../../src/ledger/migrations.js";
import { LEDGER_FILE, SqliteLedger } from "../../src/ledger/sqlite/index.js";
import { migrate } from "../../src/ledger/sqlite/migrate.js";
import type { Ledger } from "../../src/ledger/types.js";
import { tempDir } from "../helpers/tmp.js";
import { describeLedgerConformance } from "./conformance.js";

describeLedgerConformance("SqliteLedger", async () => SqliteLedger.open({ stateDir: await tempDir() }));

/** Runs `change` on the database file through a connection of its own, as an attacker would. */
function tamper(stateDir: string, change: (db: Database.Database) => void): void {
  const db = new Database(join(stateDir, LEDGER_FILE));
  try {
    change(db);
  } finally {
    db.close();
  }
}

/** A closed ledger with deployment d1 holding events 1-5 (its newest is 5) and d2 none. */
async function seededLedger(): Promise<string> {
  const stateDir = await tempDir();
  const ledger = await SqliteLedger.open({ stateDir });
  await ledger.createDeployment(newDeployment("d1"));
  await ledger.createDeployment(newDeployment("d2"));
  for (let i = 0; i < 5; i++) {
    await ledger.appendEvent({ env: "production", deploymentId: "d1", type: "step.started", data: { i } });
  }
  await ledger.close();
  return stateDir;
}

async function verify(stateDir: string) {
  const ledger = await SqliteLedger.open({ stateDir });
  try {
    return await ledger.verifyChain();
  } finally {
    await ledger.close();
  }
}

describe("SqliteLedger tampering", () => {
  it("reports an edited event by its seq", async () => {
    const stateDir = await seededLedger();
    tamper(stateDir, (db) => db.prepare(`UPDATE events SET data = '{"i":99}' WHERE seq = 2`).run());
    const report = await verify(stateDir);
    expect(report.ok).toBe(false);
    expect(report.events).toBe(5);
    expect(report.problems).toEqual([{ seq: 2, problem: expect.stringMatching(/hash mismatch/) }]);
  });

  it("reports data that is no longer JSON, and refuses to list it", async () => {
    const stateDir = await seededLedger();
    tamper(stateDir, (db) => db.prepare(`UPDATE events SET data = '{"i":' WHERE seq = 4`).run());
    expect((await verify(stateDir)).problems).toEqual([
      { seq: 4, problem: expect.stringMatching(/not valid JSON/) },
    ]);
    const ledger = await SqliteLedger.open({ stateDir });
    const error = await ledger.listEvents().catch((e) => e);
    await ledger.close();
    expect(isShipgateError(error) && error.code).toBe("ledger/corrupt");
  });

  it("reports a deleted middle event by its seq", async () => {
    const stateDir = await seededLedger();
    tamper(stateDir, (db) => db.prepare("DELETE FROM events WHERE seq = 3").run());
    const report = await verify(stateDir);
    expect(report.events).toBe(4);
    expect(report.problems).toEqual([{ seq: 3, problem: expect.stringMatching(/event 3 is missing/) }]);
  });

  it("reports the deletion of a deployment's newest event, which the chain alone cannot show", async () => {
    const stateDir = await seededLedger();
    tamper(stateDir, (db) => db.prepare("DELETE FROM events WHERE seq = 5").run());
    const report = await verify(stateDir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { seq: 5, problem: expect.stringMatching(/deployment d1 records event 5/) },
    ]);
  });

  it("reports an event inserted behind the ledger's back, even with a valid hash", async () => {
    const stateDir = await seededLedger();
    const ledger = await SqliteLedger.open({ stateDir });
    const head = (await ledger.listEvents()).at(-1)!;
    await ledger.close();
    const forged = nextEvent(
      head,
      { env: "production", deploymentId: "d1", type: "deploy.succeeded" },
      head.at,
    );
    tamper(stateDir, (db) =>
      db
        .prepare("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run(
          forged.seq,
          forged.env,
          forged.deploymentId,
          forged.type,
          "{}",
          forged.at,
          forged.prevHash,
          forged.hash,
        ),
    );
    expect((await verify(stateDir)).problems).toEqual([
      { seq: 6, problem: expect.stringMatching(/outside the ledger/) },
    ]);
  });
});

describe("SqliteLedger files", () => {
  it("creates the state directory 0700 and the database with its WAL files 0600", async () => {
    const stateDir = join(await tempDir(), ".shipgate");
    const ledger = await openLedger({ stateDir, databaseUrl: "" });
    expect(ledger.kind).toBe("sqlite");
    await ledger.appendEvent({ env: "production", type: "note" });
    const mode = async (name: string) => (await stat(join(stateDir, name))).mode & 0o777;
    expect(await mode("")).toBe(0o700);
    expect(await mode(LEDGER_FILE)).toBe(0o600);
    expect(await mode(`${LEDGER_FILE}-wal`)).toBe(0o600);
    expect(await mode(`${LEDGER_FILE}-shm`)).toBe(0o600);
    await ledger.close();
  });

  it("narrows an existing state directory and database file", async () => {
    const stateDir = await tempDir();
    await chmod(stateDir, 0o755);
    await writeFile(join(stateDir, LEDGER_FILE), "", { mode: 0o644 });
    const ledger = await SqliteLedger.open({ stateDir });
    await ledger.close();
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, LEDGER_FILE))).mode & 0o777).toBe(0o600);
  });

  it("turns a garbage database file into a ShipgateError with a hint", async () => {
    const stateDir = await tempDir();
    await writeFile(join(stateDir, LEDGER_FILE), "this is not a database\n".repeat(200));
    const error = await openLedger({ stateDir, databaseUrl: "" }).catch((e) => e);
    expect(isShipgateError(error)).toBe(true);
    expect(error.code).toBe("ledger/corrupt");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(join(stateDir, LEDGER_FILE));
    expect(error.diagnostics[0].hint).toMatch(/backup/);
  });

  it("turns a state directory that cannot be created into a ShipgateError", async () => {
    const parent = await tempDir();
    await writeFile(join(parent, "file"), "");
    const error = await openLedger({ stateDir: join(parent, "file", ".shipgate"), databaseUrl: "" }).catch(
      (e) => e,
    );
    expect(isShipgateError(error) && error.code).toBe("ledger/unavailable");
  });

  it("refuses SHIPGATE_DATABASE_URL until a PostgreSQL ledger exists", async () => {
    const error = await openLedger({ stateDir: await tempDir(), databaseUrl: "postgres://x/y" }).catch(
      (e) => e,
    );
    expect(isShipgateError(error) && error.code).toBe("ledger/postgres-unsupported");
  });
});

describe("SqliteLedger migrations", () => {
  it("applies every migration once; re-opening changes nothing", async () => {
    const stateDir = await tempDir();
    await (await SqliteLedger.open({ stateDir })).close();
    const read = () => {
      const db = new Database(join(stateDir, LEDGER_FILE), { readonly: true });
      const rows = db.prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version").all();
      db.close();
      return rows;
    };
    const first = read();
    expect(first.map((r) => (r as { version: number }).version)).toEqual(MIGRATIONS.map((m) => m.version));
    await (await SqliteLedger.open({ stateDir })).close();
    expect(read()).toEqual(first);
    tamper(stateDir, (db) => expect(migrate(db, "test")).toEqual([]));
  });

  it("numbers migrations 1, 2, 3, … without gaps", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it("refuses a ledger written by a newer schema", async () => {
    const stateDir = await tempDir();
    await (await SqliteLedger.open({ stateDir })).close();
    tamper(stateDir, (db) =>
      db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01T00:00:00.000Z')").run(),
    );
    const error = await SqliteLedger.open({ stateDir }).catch((e) => e);
    expect(isShipgateError(error) && error.code).toBe("ledger/newer-schema");
  });
});

describe("SqliteLedger across processes", () => {
  it("keeps one unbroken chain while two processes append and a third reads", async () => {
    const stateDir = join(await tempDir(), ".shipgate");
    await mkdir(stateDir);
    const perWorker = 150;
    const workers = ["a", "b"].map((label) => startWorker(stateDir, label, perWorker));
    await Promise.all(workers.map((w) => w.ready));

    // Read while they write: each verification sees one consistent snapshot.
    const reader: Ledger = await SqliteLedger.open({ stateDir });
    for (const worker of workers) worker.child.stdin?.write("go\n");
    const exited = Promise.all(workers.map((w) => w.exited));
    let running = true;
    exited.finally(() => {
      running = false;
    });
    let reads = 0;
    while (running) {
      const report = await reader.verifyChain();
      expect(report.problems).toEqual([]);
      reads++;
      await sleep(5);
    }
    await exited;

    const report = await reader.verifyChain();
    expect(report).toMatchObject({ ok: true, events: 2 * perWorker, problems: [] });
    const events = await reader.listEvents();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const label of ["a", "b"]) {
      const own = await reader.listEvents({ deploymentId: `d-${label}` });
      expect(own.map((e) => e.data.i)).toEqual([...Array(perWorker).keys()]);
    }
    expect(reads).toBeGreaterThan(0);
    await reader.close();
  });
});

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

function startWorker(stateDir: string, label: string, count: number): Worker {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "append-worker.ts"), stateDir, label, String(count)],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", () => reject(new Error(`worker ${label} exited before ready: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${label} exited with ${code}: ${stderr}`)),
    );
  });
  return { child, ready, exited };
}

function newDeployment(id: string) {
  return {
    id,
    env: "production",
    kind: "deploy" as const,
    artifactId: "app@1",
    strategy: "canary",
    requestedBy: "alice@example.com",
    plan: [{ step: "deploy" }],
  };
}

import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isShipgateError } from "../../src/errors.js";
import { openLedger } from "../../src/ledger/index.js";
import { MIGRATIONS } from "../../src/ledger/migrations.js";
import { LEDGER_FILE, SqliteLedger } from "../../src/ledger/sqlite/index.js";
import { migrate } from "../../src/ledger/sqlite/migrate.js";
import type { Ledger } from "../../src/ledger/types.js";
import { tempDir } from "../helpers/tmp.js";
import { describeLedgerConformance } from "./conformance.js";
import { describeRowTamperDetection } from "./row-tampering.js";
import { describeTamperDetection } from "./tampering.js";
import { startWorker, verifyWhileRunning } from "./workers.js";

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

const sqliteTamperTarget = async () => {
  const stateDir = await tempDir();
  return {
    open: () => SqliteLedger.open({ stateDir }),
    execute: async (sql: string, params: readonly unknown[] = []) =>
      tamper(stateDir, (db) => {
        db.prepare(sql).run(...params);
      }),
  };
};
describeTamperDetection("SqliteLedger", sqliteTamperTarget);
describeRowTamperDetection("SqliteLedger", sqliteTamperTarget);

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
    const workers = ["a", "b"].map((label) =>
      startWorker("ledger-worker.ts", [stateDir, "append", label, String(perWorker)], {
        ...process.env,
        SHIPGATE_DATABASE_URL: "",
      }),
    );
    await Promise.all(workers.map((w) => w.ready));

    // Read while they write: each verification sees one consistent snapshot.
    const reader: Ledger = await SqliteLedger.open({ stateDir });
    const reads = await verifyWhileRunning(reader, workers);

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

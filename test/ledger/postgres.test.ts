import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isShipgateError } from "../../src/errors.js";
import { openLedger } from "../../src/ledger/index.js";
import { MIGRATIONS } from "../../src/ledger/migrations.js";
import { PostgresLedger } from "../../src/ledger/postgres/index.js";
import { tempDir } from "../helpers/tmp.js";
import { describeLedgerConformance } from "./conformance.js";
import { createTestDatabase, type TestDatabase, withPassword, withPath } from "./postgres-server.js";
import { describeRowTamperDetection } from "./row-tampering.js";
import { describeTamperDetection } from "./tampering.js";
import { startWorker, verifyWhileRunning } from "./workers.js";

/**
 * The PostgreSQL ledger against a real server: SHIPGATE_TEST_DATABASE_URL, a role allowed to
 * create databases (.ci/run sets one up). This file gets a database of its own, and each
 * ledger a fresh schema in it; the database is dropped at the end.
 */
const adminUrl = process.env.SHIPGATE_TEST_DATABASE_URL;
const run = promisify(execFile);
const MISSING_SERVER = "SHIPGATE_TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL";

describe("PostgresLedger without a server", () => {
  it("is chosen by openLedger for SHIPGATE_DATABASE_URL, and an unreachable server is a ShipgateError without the password", async () => {
    const password = "s3cret-Pa55word";
    const previous = process.env.SHIPGATE_DATABASE_URL;
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    process.env.SHIPGATE_DATABASE_URL = `postgres://deployer:${password}@127.0.0.1:1/ledger`;
    try {
      const error = await openLedger({ stateDir: await tempDir() }).catch((e) => e);
      expect(isShipgateError(error)).toBe(true);
      expect(error).toMatchObject({ code: "ledger/unavailable", exitCode: 2 });
      expect(error.message).toContain("postgres://deployer@127.0.0.1:1/ledger");
      expect(error.diagnostics[0].hint).toMatch(/server is running/);
      expect(JSON.stringify(error.diagnostics) + error.stack).not.toContain(password);
    } finally {
      if (previous === undefined) delete process.env.SHIPGATE_DATABASE_URL;
      else process.env.SHIPGATE_DATABASE_URL = previous;
    }
  });
});

describe("PostgresLedger's driver", () => {
  it("is not loaded while the ledger is SQLite, so the CLI starts without it", async () => {
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      join(import.meta.dirname, "driver-probe.ts"),
      await tempDir(),
    ]);
    // `after` shows that the probe would see pg had it been loaded.
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true });
  });
});

if (!adminUrl) {
  if (process.env.CI) {
    // CI must never pass by skipping: a missing server there is a broken pipeline.
    it("has a PostgreSQL server to test against", () => {
      throw new Error(MISSING_SERVER);
    });
  } else {
    it.skip("PostgresLedger against a server: set SHIPGATE_TEST_DATABASE_URL (an admin-capable URL) to run it; .ci/run starts one", () => {});
  }
} else {
  describePostgresLedger(adminUrl);
}

function describePostgresLedger(adminUrl: string): void {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(adminUrl);
  });
  afterAll(async () => {
    await database?.drop();
  });

  describeLedgerConformance("PostgresLedger", async () =>
    PostgresLedger.open({ databaseUrl: await database.freshSchema() }),
  );

  const postgresTamperTarget = async () => {
    const url = await database.freshSchema();
    return {
      open: () => PostgresLedger.open({ databaseUrl: url }),
      execute: async (sql: string, params: readonly unknown[] = []) => {
        let n = 0;
        await database.query(
          url,
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
      },
    };
  };
  // Anyone with the database URL is every CI runner: the same edits, the same answers.
  describeTamperDetection("PostgresLedger", postgresTamperTarget);
  describeRowTamperDetection("PostgresLedger", postgresTamperTarget);

  describe("PostgresLedger connection", () => {
    it("is what openLedger opens for a database URL", async () => {
      const ledger = await openLedger({
        stateDir: await tempDir(),
        databaseUrl: await database.freshSchema(),
      });
      expect(ledger.kind).toBe("postgres");
      await ledger.close();
      await ledger.close();
    });

    it("turns a wrong password into a ShipgateError that does not contain it", async () => {
      const wrong = "not-the-Pa55word-42";
      const error = await PostgresLedger.open({ databaseUrl: withPassword(database.url, wrong) }).catch(
        (e) => e,
      );
      expect(isShipgateError(error)).toBe(true);
      expect(error).toMatchObject({ code: "ledger/auth-failed", exitCode: 2 });
      expect(error.message).toMatch(/password authentication failed/);
      expect(error.diagnostics[0].hint).toMatch(/password in SHIPGATE_DATABASE_URL/);
      const everything = JSON.stringify(error.diagnostics) + error.stack;
      expect(everything).not.toContain(wrong);
      expect(everything).not.toContain(new URL(adminUrl).password);
    });

    it("turns a missing database into a ShipgateError with a hint", async () => {
      const error = await PostgresLedger.open({
        databaseUrl: withPath(database.url, "shipgate_no_such_database"),
      }).catch((e) => e);
      expect(error).toMatchObject({ code: "ledger/unavailable", exitCode: 2 });
      expect(error.message).toMatch(/does not exist/);
      expect(error.message).not.toContain(new URL(adminUrl).password);
      expect(error.diagnostics[0].hint).toMatch(/createdb/);
    });
  });

  describe("PostgresLedger migrations", () => {
    it("applies every migration once; re-opening changes nothing", async () => {
      const url = await database.freshSchema();
      const read = () =>
        database.query(url, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
      await (await PostgresLedger.open({ databaseUrl: url })).close();
      const first = await read();
      expect(first.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await (await PostgresLedger.open({ databaseUrl: url })).close();
      expect(await read()).toEqual(first);
    });

    it("refuses a ledger written by a newer schema", async () => {
      const url = await database.freshSchema();
      await (await PostgresLedger.open({ databaseUrl: url })).close();
      await database.query(
        url,
        "INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01T00:00:00.000Z')",
      );
      const error = await PostgresLedger.open({ databaseUrl: url }).catch((e) => e);
      expect(isShipgateError(error) && error.code).toBe("ledger/newer-schema");
    });

    it("migrates once when several processes open a fresh ledger at the same moment", async () => {
      const url = await database.freshSchema();
      const workers = ["a", "b", "c", "d"].map((label) => worker(url, ["open", label]));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      await Promise.all(workers.map((w) => w.exited));
      const rows = await database.query(url, "SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });

  describe("PostgresLedger across processes", () => {
    it("keeps one unbroken chain while two processes append and a third verifies", async () => {
      const url = await database.freshSchema();
      // Migrated first, so that the workers time only their appends.
      const reader = await PostgresLedger.open({ databaseUrl: url });
      const perWorker = 150;
      const workers = ["a", "b"].map((label) => worker(url, ["append", label, String(perWorker)]));
      await Promise.all(workers.map((w) => w.ready));
      const reads = await verifyWhileRunning(reader, workers);

      expect(await reader.verifyChain()).toMatchObject({ ok: true, events: 2 * perWorker, problems: [] });
      const events = await reader.listEvents();
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      for (const label of ["a", "b"]) {
        const own = await reader.listEvents({ deploymentId: `d-${label}` });
        expect(own.map((e) => e.data.i)).toEqual([...Array(perWorker).keys()]);
      }
      // Both really appended at the same time: their events interleave.
      const owners = events.map((e) => e.deploymentId);
      expect(owners.filter((owner, i) => i > 0 && owner !== owners[i - 1]).length).toBeGreaterThan(1);
      expect(reads).toBeGreaterThan(0);
      await reader.close();
    });

    it("gives each contested lock to exactly one of two processes", async () => {
      const url = await database.freshSchema();
      await (await PostgresLedger.open({ databaseUrl: url })).close();
      const envs = 200;
      const workers = ["1@a/x", "2@b/y"].map((owner) => worker(url, ["lock", owner, String(envs)]));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      await Promise.all(workers.map((w) => w.exited));
      const [a, b] = workers.map((w) => JSON.parse(/won (.*)/.exec(w.stdout())![1]!) as number[]);
      expect(a!.filter((i) => b!.includes(i))).toEqual([]);
      expect([...a!, ...b!].sort((x, y) => x - y)).toEqual([...Array(envs).keys()]);
      const holders = await database.query<{ env: string; owner: string }>(
        url,
        "SELECT env, owner FROM locks",
      );
      expect(holders).toHaveLength(envs);
      for (const { env, owner } of holders) {
        const index = Number(env.slice("env-".length));
        expect(owner).toBe(a!.includes(index) ? "1@a/x" : "2@b/y");
      }
    });
  });
}

function worker(databaseUrl: string, args: string[]) {
  // The state directory is never created: the URL makes openLedger choose PostgreSQL.
  return startWorker("ledger-worker.ts", ["/nonexistent/.shipgate", ...args], {
    ...process.env,
    SHIPGATE_DATABASE_URL: databaseUrl,
  });
}

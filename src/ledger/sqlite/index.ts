import { join } from "node:path";
import type Database from "better-sqlite3";
import { nextEvent, verifyEvents } from "../chain.js";
import { artifactConflict, duplicateDeployment, unknownDeployment } from "../errors.js";
import type { LedgerOptions } from "../ledger-options.js";
import { lockExpiry, mayTakeLock } from "../locks.js";
import {
  ARTIFACT_COLUMNS,
  type ArtifactRow,
  artifactValues,
  DEPLOYMENT_COLUMNS,
  DEPLOYMENT_HEAD_COLUMNS,
  type DeploymentHeadRow,
  type DeploymentRow,
  deploymentPatchValues,
  EVENT_COLUMNS,
  type EventRow,
  eventValues,
  LOCK_COLUMNS,
  type LockRow,
  newDeploymentValues,
  toArtifact,
  toDeployment,
  toDeploymentHead,
  toEvent,
  toLock,
  toStoredEvent,
} from "../rows.js";
import type {
  ApprovalDecision,
  ApprovalRecord,
  ArtifactRecord,
  ChainReport,
  DeploymentPatch,
  DeploymentRecord,
  Ledger,
  LedgerEvent,
  LockRecord,
  LockResult,
  NewApproval,
  NewDeployment,
  NewEvent,
} from "../types.js";
import { whereClause } from "../where.js";
import * as approvals from "./approvals.js";
import { openDatabase } from "./open-database.js";
import { toLedgerError } from "./sqlite-errors.js";
import { type Connection, cachedConnection } from "./statements.js";

export const LEDGER_FILE = "ledger.db";

/** Long enough for any other process's write transaction, which lasts milliseconds. */
const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export interface SqliteLedgerOptions {
  /** The ledger lives in `<stateDir>/ledger.db`. */
  stateDir: string;
  busyTimeoutMs?: number;
}

/**
 * The ledger in one SQLite file. better-sqlite3 is synchronous; the methods are async only to
 * fit the interface. Every method maps SQLite's file errors to a ShipgateError.
 */
export class SqliteLedger implements Ledger {
  readonly kind = "sqlite" as const;

  /** Every query goes through this, so that each statement is compiled once. */
  private readonly db: Connection;

  private constructor(
    private readonly connection: Database.Database,
    /** The database file. */
    readonly path: string,
  ) {
    this.db = cachedConnection(connection);
  }

  static async open(options: SqliteLedgerOptions): Promise<SqliteLedger> {
    const path = join(options.stateDir, LEDGER_FILE);
    const db = await openDatabase(path, { busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    return new SqliteLedger(db, path);
  }

  async putArtifact(artifact: ArtifactRecord): Promise<void> {
    this.guard(() => {
      const inserted = this.db
        .prepare(
          `INSERT INTO artifacts (id, created_order, digest, commit_sha, location, created_at, manifest)
           VALUES (?, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM artifacts), ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(...artifactValues(artifact));
      if (inserted.changes > 0) return;
      // Artifacts are immutable: putting the same one again is a no-op, a different tarball
      // under the same id is refused.
      const stored = this.db.prepare("SELECT digest FROM artifacts WHERE id = ?").pluck().get(artifact.id);
      if (stored !== artifact.digest) throw artifactConflict(artifact.id, String(stored), artifact.digest);
    });
  }

  async getArtifact(id: string): Promise<ArtifactRecord | undefined> {
    return this.guard(() => {
      const row = this.db.prepare(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id = ?`).get(id) as
        | ArtifactRow
        | undefined;
      return row && toArtifact(row, this.path);
    });
  }

  /** Newest first. */
  async listArtifacts(options: LedgerOptions<"listArtifacts"> = {}): Promise<ArtifactRecord[]> {
    return this.guard(() => {
      const limit = options.limit === undefined ? "" : " LIMIT ?";
      const rows = this.db
        .prepare(
          `SELECT ${ARTIFACT_COLUMNS} FROM artifacts ORDER BY created_at DESC, created_order DESC${limit}`,
        )
        .all(...(options.limit === undefined ? [] : [options.limit])) as ArtifactRow[];
      return rows.map((row) => toArtifact(row, this.path));
    });
  }

  async createDeployment(deployment: NewDeployment): Promise<DeploymentRecord> {
    return this.guard(() => {
      const inserted = this.db
        .prepare(
          `INSERT INTO deployments (id, created_order, env, kind, artifact_id, strategy, status,
             requested_by, created_at, previous_id, plan, step_index)
           VALUES (?, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM deployments), ?, ?, ?, ?,
             ?, ?, ?, ?, ?, 0)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(...newDeploymentValues(deployment, new Date().toISOString()));
      if (inserted.changes === 0) throw duplicateDeployment(deployment.id);
      return this.readDeployment(deployment.id)!;
    });
  }

  async updateDeployment(id: string, patch: DeploymentPatch): Promise<DeploymentRecord> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const updated = this.db
            .prepare(
              `UPDATE deployments SET
                 status = COALESCE(?, status),
                 step_index = COALESCE(?, step_index),
                 finished_at = COALESCE(?, finished_at),
                 reason = COALESCE(?, reason),
                 plan = COALESCE(?, plan),
                 previous_id = COALESCE(?, previous_id)
               WHERE id = ?`,
            )
            .run(...deploymentPatchValues(patch), id);
          if (updated.changes === 0) throw unknownDeployment(id);
          return this.readDeployment(id)!;
        })
        .immediate(),
    );
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.guard(() => this.readDeployment(id));
  }

  async listDeployments(options: LedgerOptions<"listDeployments"> = {}): Promise<DeploymentRecord[]> {
    return this.guard(() => {
      const where = whereClause([
        ["env = ?", options.env],
        ["status = ?", options.status],
      ]);
      const limit = options.limit === undefined ? [] : [options.limit];
      const rows = this.db
        .prepare(
          `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments${where.sql}
           ORDER BY created_at DESC, created_order DESC${limit.length ? " LIMIT ?" : ""}`,
        )
        .all(...where.params, ...limit) as DeploymentRow[];
      return rows.map((row) => toDeployment(row, this.path));
    });
  }

  /**
   * Reads the head and inserts the next event in one BEGIN IMMEDIATE transaction: a second
   * process appending at the same moment waits for the write lock and then builds on this
   * event, so the chain never forks. The deployment row's last_event_seq/last_event_hash are
   * set in the same transaction (see chain.ts for why).
   */
  async appendEvent(event: NewEvent): Promise<LedgerEvent> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const head = this.db.prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").get() as
            | { seq: number; hash: string }
            | undefined;
          const next = nextEvent(head, event, new Date().toISOString());
          if (next.deploymentId !== undefined) {
            const updated = this.db
              .prepare("UPDATE deployments SET last_event_seq = ?, last_event_hash = ? WHERE id = ?")
              .run(next.seq, next.hash, next.deploymentId);
            if (updated.changes === 0) throw unknownDeployment(next.deploymentId);
          }
          this.db
            .prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
            .run(...eventValues(next));
          return next;
        })
        .immediate(),
    );
  }

  async listEvents(options: LedgerOptions<"listEvents"> = {}): Promise<LedgerEvent[]> {
    return this.guard(() => {
      const where = whereClause([
        ["env = ?", options.env],
        ["deployment_id = ?", options.deploymentId],
        ["seq > ?", options.afterSeq],
      ]);
      const rows = this.db
        .prepare(`SELECT ${EVENT_COLUMNS} FROM events${where.sql} ORDER BY seq`)
        .all(...where.params) as EventRow[];
      return rows.map((row) => toEvent(row, this.path));
    });
  }

  /** Reads the deployments and the events in one read transaction: one consistent snapshot. */
  async verifyChain(): Promise<ChainReport> {
    return this.guard(() =>
      this.db.transaction(() => {
        const heads = (
          this.db.prepare(`SELECT ${DEPLOYMENT_HEAD_COLUMNS} FROM deployments`).all() as DeploymentHeadRow[]
        ).map(toDeploymentHead);
        const rows = this.db
          .prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq`)
          .iterate() as Iterable<EventRow>;
        return verifyEvents(mapIterable(rows, toStoredEvent), heads);
      })(),
    );
  }

  /** Compare-and-set in one BEGIN IMMEDIATE transaction; the rules are in ../locks.ts. */
  async acquireLock(options: LedgerOptions<"acquireLock">): Promise<LockResult> {
    return this.guard(() =>
      this.db
        .transaction((): LockResult => {
          const now = Date.now();
          const expiresAt = lockExpiry(now, options.ttlMs);
          const holder = this.readLock(options.env);
          if (!mayTakeLock(holder, options, now)) return { acquired: false, holder: holder! };
          const lock: LockRecord = {
            env: options.env,
            owner: options.owner,
            acquiredAt: new Date(now).toISOString(),
            expiresAt,
          };
          if (options.deploymentId !== undefined) lock.deploymentId = options.deploymentId;
          this.db
            .prepare(
              `INSERT INTO locks (env, owner, deployment_id, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (env) DO UPDATE SET owner = excluded.owner, deployment_id = excluded.deployment_id,
                 acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
            )
            .run(lock.env, lock.owner, lock.deploymentId ?? null, lock.acquiredAt, lock.expiresAt);
          return { acquired: true, lock };
        })
        .immediate(),
    );
  }

  /** One conditional UPDATE: it extends the lock only while `owner` is the row's owner. */
  async renewLock(options: LedgerOptions<"renewLock">): Promise<boolean> {
    return this.guard(() => {
      const expiresAt = lockExpiry(Date.now(), options.ttlMs);
      const updated = this.db
        .prepare(
          `UPDATE locks SET expires_at = ?, deployment_id = COALESCE(?, deployment_id)
           WHERE env = ? AND owner = ?`,
        )
        .run(expiresAt, options.deploymentId ?? null, options.env, options.owner);
      return updated.changes > 0;
    });
  }

  /** Releases only the caller's own lock; releasing one held by someone else does nothing. */
  async releaseLock(options: LedgerOptions<"releaseLock">): Promise<void> {
    this.guard(() =>
      this.db.prepare("DELETE FROM locks WHERE env = ? AND owner = ?").run(options.env, options.owner),
    );
  }

  /** The stored lock, expired or not: `expiresAt` tells which. */
  async getLock(env: string): Promise<LockRecord | undefined> {
    return this.guard(() => this.readLock(env));
  }

  async createApproval(approval: NewApproval): Promise<ApprovalRecord> {
    return this.guard(() => approvals.createApproval(this.db, approval));
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return this.guard(() => approvals.getApproval(this.db, id));
  }

  async listApprovals(options: LedgerOptions<"listApprovals"> = {}): Promise<ApprovalRecord[]> {
    return this.guard(() => approvals.listApprovals(this.db, options));
  }

  async decideApproval(options: LedgerOptions<"decideApproval">): Promise<ApprovalDecision> {
    return this.guard(() => approvals.decideApproval(this.db, options));
  }

  async close(): Promise<void> {
    if (this.connection.open) this.connection.close();
  }

  private readDeployment(id: string): DeploymentRecord | undefined {
    const row = this.db.prepare(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = ?`).get(id) as
      | DeploymentRow
      | undefined;
    return row && toDeployment(row, this.path);
  }

  private readLock(env: string): LockRecord | undefined {
    const row = this.db.prepare(`SELECT ${LOCK_COLUMNS} FROM locks WHERE env = ?`).get(env) as
      | LockRow
      | undefined;
    return row && toLock(row);
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toLedgerError(error, this.path);
    }
  }
}

function* mapIterable<A, B>(items: Iterable<A>, map: (item: A) => B): Iterable<B> {
  for (const item of items) yield map(item);
}

import type { Pool } from "pg";
import { ShipgateError } from "../../errors.js";
import { nextEvent, verifyEvents } from "../chain.js";
import { artifactConflict, duplicateDeployment, unknownDeployment } from "../errors.js";
import type { LedgerOptions } from "../ledger-options.js";
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
  newDeploymentValues,
  toArtifact,
  toDeployment,
  toDeploymentHead,
  toEvent,
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
import { ADVISORY_LOCK, takeAdvisoryLock } from "./advisory-locks.js";
import * as approvals from "./approvals.js";
import { createPool, inTransaction } from "./connection.js";
import { type DatabaseTarget, describeDatabaseUrl, scrub } from "./database-url.js";
import * as locks from "./locks.js";
import { migrate } from "./migrate.js";
import { toLedgerError } from "./pg-errors.js";

export interface PostgresLedgerOptions {
  /** `postgres://user:password@host:5432/database`; `?options=-c search_path=…` picks a schema. */
  databaseUrl: string;
  /** How long a statement waits for a lock held by another runner. Default 30 s. */
  lockTimeoutMs?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 4. */
  maxConnections?: number;
}

/**
 * The ledger in a PostgreSQL database that every runner shares. Correctness across machines
 * rests on the server: appends queue on an advisory lock, locks and approvals change by
 * conditional statements, migrations queue on an advisory lock of their own. Every method
 * maps connection and server errors to a ShipgateError without the URL's password.
 */
export class PostgresLedger implements Ledger {
  readonly kind = "postgres" as const;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly target: DatabaseTarget,
  ) {}

  /** The database, as it may be printed: user, host, port and name, never the password. */
  get location(): string {
    return this.target.location;
  }

  static async open(options: PostgresLedgerOptions): Promise<PostgresLedger> {
    const target = describeDatabaseUrl(options.databaseUrl);
    const pool = await createPool({
      databaseUrl: options.databaseUrl,
      maxConnections: options.maxConnections ?? 4,
      lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
    try {
      await migrate(pool, target.location);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw cannotOpen(toLedgerError(error, target), target);
    }
    return new PostgresLedger(pool, target);
  }

  /**
   * created_order is MAX + 1, as in SQLite, under a table lock that queues concurrent
   * inserters (readers are not blocked): without it two runners could read the same MAX and
   * collide on its UNIQUE constraint. A sequence would avoid the lock, but needs DDL that
   * SQLite does not share, for inserts that are rare and take milliseconds.
   */
  async putArtifact(artifact: ArtifactRecord): Promise<void> {
    await this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await client.query("LOCK TABLE artifacts IN SHARE ROW EXCLUSIVE MODE");
        const inserted = await client.query(
          `INSERT INTO artifacts (id, created_order, digest, commit_sha, location, created_at, manifest)
           VALUES ($1, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM artifacts), $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO NOTHING`,
          artifactValues(artifact),
        );
        if (inserted.rowCount) return;
        // Artifacts are immutable: putting the same one again is a no-op, a different tarball
        // under the same id is refused.
        const stored = await client.query<{ digest: string }>("SELECT digest FROM artifacts WHERE id = $1", [
          artifact.id,
        ]);
        const digest = stored.rows[0]?.digest;
        if (digest !== artifact.digest) throw artifactConflict(artifact.id, String(digest), artifact.digest);
      }),
    );
  }

  async getArtifact(id: string): Promise<ArtifactRecord | undefined> {
    return this.guard(async () => {
      const result = await this.pool.query<ArtifactRow>(
        `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id = $1`,
        [id],
      );
      const row = result.rows[0];
      return row && toArtifact(row, this.location);
    });
  }

  /** Newest first. */
  async listArtifacts(options: LedgerOptions<"listArtifacts"> = {}): Promise<ArtifactRecord[]> {
    return this.guard(async () => {
      const limit = options.limit === undefined ? [] : [options.limit];
      const result = await this.pool.query<ArtifactRow>(
        `SELECT ${ARTIFACT_COLUMNS} FROM artifacts ORDER BY created_at DESC, created_order DESC${limit.length ? " LIMIT $1" : ""}`,
        limit,
      );
      return result.rows.map((row) => toArtifact(row, this.location));
    });
  }

  /** created_order as in putArtifact. */
  async createDeployment(deployment: NewDeployment): Promise<DeploymentRecord> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await client.query("LOCK TABLE deployments IN SHARE ROW EXCLUSIVE MODE");
        const inserted = await client.query<DeploymentRow>(
          `INSERT INTO deployments (id, created_order, env, kind, artifact_id, strategy, status,
             requested_by, created_at, previous_id, plan, step_index)
           VALUES ($1, (SELECT COALESCE(MAX(created_order), 0) + 1 FROM deployments), $2, $3, $4, $5,
             $6, $7, $8, $9, $10, 0)
           ON CONFLICT (id) DO NOTHING
           RETURNING ${DEPLOYMENT_COLUMNS}`,
          newDeploymentValues(deployment, new Date().toISOString()),
        );
        const row = inserted.rows[0];
        if (!row) throw duplicateDeployment(deployment.id);
        return toDeployment(row, this.location);
      }),
    );
  }

  async updateDeployment(id: string, patch: DeploymentPatch): Promise<DeploymentRecord> {
    return this.guard(async () => {
      const updated = await this.pool.query<DeploymentRow>(
        `UPDATE deployments SET
           status = COALESCE($1, status),
           step_index = COALESCE($2, step_index),
           finished_at = COALESCE($3, finished_at),
           reason = COALESCE($4, reason),
           plan = COALESCE($5, plan),
           previous_id = COALESCE($6, previous_id)
         WHERE id = $7
         RETURNING ${DEPLOYMENT_COLUMNS}`,
        [...deploymentPatchValues(patch), id],
      );
      const row = updated.rows[0];
      if (!row) throw unknownDeployment(id);
      return toDeployment(row, this.location);
    });
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.guard(async () => {
      const result = await this.pool.query<DeploymentRow>(
        `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = $1`,
        [id],
      );
      const row = result.rows[0];
      return row && toDeployment(row, this.location);
    });
  }

  async listDeployments(options: LedgerOptions<"listDeployments"> = {}): Promise<DeploymentRecord[]> {
    return this.guard(async () => {
      const where = whereClause(
        [
          ["env = ?", options.env],
          ["status = ?", options.status],
        ],
        { numberFrom: 1 },
      );
      const limit = options.limit === undefined ? "" : ` LIMIT $${where.params.length + 1}`;
      const result = await this.pool.query<DeploymentRow>(
        `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments${where.sql}
         ORDER BY created_at DESC, created_order DESC${limit}`,
        options.limit === undefined ? where.params : [...where.params, options.limit],
      );
      return result.rows.map((row) => toDeployment(row, this.location));
    });
  }

  /**
   * Appends under the chain's advisory lock, taken inside the transaction: a runner on another
   * machine appending at the same moment waits, then reads this event as the head once it is
   * committed, so the chain never forks (and seq, the primary key, would refuse a fork that
   * slipped through). The deployment row's last_event_seq/last_event_hash are set in the same
   * transaction (see chain.ts for why).
   */
  async appendEvent(event: NewEvent): Promise<LedgerEvent> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await takeAdvisoryLock(client, ADVISORY_LOCK.eventChain);
        const head = await client.query<{ seq: number; hash: string }>(
          "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
        );
        const next = nextEvent(head.rows[0], event, new Date().toISOString());
        if (next.deploymentId !== undefined) {
          const updated = await client.query(
            "UPDATE deployments SET last_event_seq = $1, last_event_hash = $2 WHERE id = $3",
            [next.seq, next.hash, next.deploymentId],
          );
          if (updated.rowCount === 0) throw unknownDeployment(next.deploymentId);
        }
        await client.query(
          `INSERT INTO events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          eventValues(next),
        );
        return next;
      }),
    );
  }

  async listEvents(options: LedgerOptions<"listEvents"> = {}): Promise<LedgerEvent[]> {
    return this.guard(async () => {
      const where = whereClause(
        [
          ["env = ?", options.env],
          ["deployment_id = ?", options.deploymentId],
          ["seq > ?", options.afterSeq],
        ],
        { numberFrom: 1 },
      );
      const result = await this.pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events${where.sql} ORDER BY seq`,
        where.params,
      );
      return result.rows.map((row) => toEvent(row, this.location));
    });
  }

  /**
   * Reads the deployments and the events in one REPEATABLE READ transaction: one snapshot,
   * unaffected by runners appending meanwhile.
   */
  async verifyChain(): Promise<ChainReport> {
    return this.guard(() =>
      inTransaction(
        this.pool,
        async (client) => {
          const heads = await client.query<DeploymentHeadRow>(
            `SELECT ${DEPLOYMENT_HEAD_COLUMNS} FROM deployments`,
          );
          const events = await client.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq`);
          return verifyEvents(events.rows.map(toStoredEvent), heads.rows.map(toDeploymentHead));
        },
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
      ),
    );
  }

  async acquireLock(options: LedgerOptions<"acquireLock">): Promise<LockResult> {
    return this.guard(() => locks.acquireLock(this.pool, options));
  }

  async renewLock(options: LedgerOptions<"renewLock">): Promise<boolean> {
    return this.guard(() => locks.renewLock(this.pool, options));
  }

  async releaseLock(options: LedgerOptions<"releaseLock">): Promise<void> {
    await this.guard(() => locks.releaseLock(this.pool, options));
  }

  async getLock(env: string): Promise<LockRecord | undefined> {
    return this.guard(() => locks.getLock(this.pool, env));
  }

  async createApproval(approval: NewApproval): Promise<ApprovalRecord> {
    return this.guard(() => approvals.createApproval(this.pool, approval));
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return this.guard(() => approvals.getApproval(this.pool, id));
  }

  async listApprovals(options: LedgerOptions<"listApprovals"> = {}): Promise<ApprovalRecord[]> {
    return this.guard(() => approvals.listApprovals(this.pool, options));
  }

  async decideApproval(options: LedgerOptions<"decideApproval">): Promise<ApprovalDecision> {
    return this.guard(() => approvals.decideApproval(this.pool, options));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toLedgerError(error, this.target);
    }
  }
}

/**
 * While opening, any failure means there is no ledger to use: one the mapping does not know
 * (a malformed URL, an unexpected server reply) still becomes a ShipgateError, scrubbed.
 */
function cannotOpen(error: unknown, target: DatabaseTarget): unknown {
  if (error instanceof ShipgateError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ShipgateError(
    {
      code: "ledger/unavailable",
      message: `cannot open the PostgreSQL ledger at ${target.location}: ${scrub(detail, target)}`,
      hint: "check SHIPGATE_DATABASE_URL: postgres://user:password@host:5432/database",
    },
    { exitCode: 2 },
  );
}

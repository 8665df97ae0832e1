import { unknownApproval, unknownDeployment } from "../errors.js";
import type { LedgerOptions } from "../ledger-options.js";
import { APPROVAL_COLUMNS, type ApprovalRow, newApprovalValues, toApproval } from "../rows.js";
import type { ApprovalDecision, ApprovalRecord, NewApproval } from "../types.js";
import { whereClause } from "../where.js";
import type { Queryable } from "./connection.js";

/** The approvals table of a PostgreSQL ledger; PostgresLedger delegates to these. */

/** One statement: the approval is inserted only if its deployment exists. */
export async function createApproval(db: Queryable, approval: NewApproval): Promise<ApprovalRecord> {
  const inserted = await db.query<ApprovalRow>(
    `INSERT INTO approvals (id, deployment_id, env, status, requested_by, created_at, expires_at)
     SELECT $1, $2, $3, 'pending', $4, $5, $6
     WHERE EXISTS (SELECT 1 FROM deployments WHERE id = $2)
     RETURNING ${APPROVAL_COLUMNS}`,
    newApprovalValues(approval, new Date().toISOString()),
  );
  const row = inserted.rows[0];
  if (!row) throw unknownDeployment(approval.deploymentId);
  return toApproval(row);
}

export async function getApproval(db: Queryable, id: string): Promise<ApprovalRecord | undefined> {
  const result = await db.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = $1`, [id]);
  const row = result.rows[0];
  return row && toApproval(row);
}

/**
 * Newest first. The approvals table has no insertion counter (SQLite breaks ties by rowid,
 * which PostgreSQL lacks), so approvals created in the same millisecond are ordered by id.
 */
export async function listApprovals(
  db: Queryable,
  options: LedgerOptions<"listApprovals">,
): Promise<ApprovalRecord[]> {
  const where = whereClause(
    [
      ["env = ?", options.env],
      ["deployment_id = ?", options.deploymentId],
      ["status = ?", options.status],
    ],
    { numberFrom: 1 },
  );
  const result = await db.query<ApprovalRow>(
    `SELECT ${APPROVAL_COLUMNS} FROM approvals${where.sql} ORDER BY created_at DESC, id DESC`,
    where.params,
  );
  return result.rows.map(toApproval);
}

/**
 * Compare-and-set in one UPDATE: only a pending row changes, so of two approvers racing on
 * different machines exactly one decides. A row already decided is read back unchanged.
 */
export async function decideApproval(
  db: Queryable,
  options: LedgerOptions<"decideApproval">,
): Promise<ApprovalDecision> {
  const updated = await db.query<ApprovalRow>(
    `UPDATE approvals SET status = $1, decided_by = $2, reason = $3, decided_at = $4
     WHERE id = $5 AND status = 'pending'
     RETURNING ${APPROVAL_COLUMNS}`,
    [options.status, options.decidedBy, options.reason ?? null, new Date().toISOString(), options.id],
  );
  const row = updated.rows[0];
  if (row) return { decided: true, approval: toApproval(row) };
  const approval = await getApproval(db, options.id);
  if (!approval) throw unknownApproval(options.id);
  return { decided: false, approval };
}

import { unknownApproval, unknownDeployment } from "../errors.js";
import type { LedgerOptions } from "../ledger-options.js";
import { APPROVAL_COLUMNS, type ApprovalRow, newApprovalValues, toApproval } from "../rows.js";
import type { ApprovalDecision, ApprovalRecord, NewApproval } from "../types.js";
import { whereClause } from "../where.js";
import type { Connection } from "./statements.js";

/** The approvals table of a SQLite ledger; SqliteLedger delegates to these. */
export function createApproval(db: Connection, approval: NewApproval): ApprovalRecord {
  const exists = db.prepare("SELECT 1 FROM deployments WHERE id = ?").get(approval.deploymentId);
  if (!exists) throw unknownDeployment(approval.deploymentId);
  db.prepare(
    `INSERT INTO approvals (id, deployment_id, env, status, requested_by, created_at, expires_at)
     VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
  ).run(...newApprovalValues(approval, new Date().toISOString()));
  return getApproval(db, approval.id)!;
}

export function getApproval(db: Connection, id: string): ApprovalRecord | undefined {
  const row = db.prepare(`SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE id = ?`).get(id) as
    | ApprovalRow
    | undefined;
  return row && toApproval(row);
}

export function listApprovals(db: Connection, options: LedgerOptions<"listApprovals">): ApprovalRecord[] {
  const where = whereClause([
    ["env = ?", options.env],
    ["deployment_id = ?", options.deploymentId],
    ["status = ?", options.status],
  ]);
  const rows = db
    .prepare(`SELECT ${APPROVAL_COLUMNS} FROM approvals${where.sql} ORDER BY created_at DESC, rowid DESC`)
    .all(...where.params) as ApprovalRow[];
  return rows.map(toApproval);
}

export function decideApproval(db: Connection, options: LedgerOptions<"decideApproval">): ApprovalDecision {
  return db
    .transaction((): ApprovalDecision => {
      const changed = db
        .prepare(
          `UPDATE approvals SET status = ?, decided_by = ?, reason = ?, decided_at = ?
           WHERE id = ? AND status = 'pending'`,
        )
        .run(options.status, options.decidedBy, options.reason ?? null, new Date().toISOString(), options.id);
      const approval = getApproval(db, options.id);
      if (!approval) throw unknownApproval(options.id);
      return { decided: changed.changes === 1, approval };
    })
    .immediate();
}

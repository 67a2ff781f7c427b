import type { DisputeEvidenceRow, DisputeRow, LiabilityRuleRow, Queryable, Tx } from '../db/index.ts';
import { forUpdate } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { Bearer, Circumstance, Dispute, DisputeReason, DisputeStatus, LiabilityRule } from './model.ts';

export function toDispute(row: DisputeRow): Dispute {
  return {
    id: row.id,
    status: row.status as DisputeStatus,
    reason: row.reason as DisputeReason,
    amount: row.amount,
    currency: row.currency,
    paymentTransferId: row.payment_transfer_id,
    chargebackTransferId: row.chargeback_transfer_id,
    arbitrationFeeTransferId: row.arbitration_fee_transfer_id,
    issuerParticipantId: row.issuer_id,
    acquirerParticipantId: row.acquirer_id,
    merchantId: row.merchant_id,
    note: row.issuer_note,
    evidence: row.issuer_evidence,
    respondedBy: row.responded_by as Dispute['respondedBy'],
    responseNote: row.response_note,
    responseEvidence: row.response_evidence,
    escalationNote: row.escalation_note,
    rulingReason: row.ruling_reason as Dispute['rulingReason'],
    rulingNote: row.ruling_note,
    decidedByRule: row.decided_by_rule,
    deadlineAt: row.deadline_at,
    createdAt: row.created_at,
    acceptedAt: row.accepted_at,
    contestedAt: row.contested_at,
    withdrawnAt: row.withdrawn_at,
    escalatedAt: row.escalated_at,
    ruledAt: row.ruled_at,
  };
}

export async function insertDispute(tx: Tx, row: DisputeRow): Promise<void> {
  invariant(row.status === 'open', `dispute ${row.id} is inserted open (not ${row.status})`);
  invariant(row.amount > 0, `dispute ${row.id} claims a positive amount`);
  invariant(row.chargeback_transfer_id === null, `a new dispute ${row.id} has moved no money`);
  await tx.insertInto('disputes').values(row).execute();
}

export async function findDispute(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<DisputeRow | undefined> {
  const query = db.selectFrom('disputes').selectAll().where('id', '=', id);
  return (lock ? forUpdate(db, query) : query).executeTakeFirst();
}

/**
 * Moves a dispute from the status it was read in; false when another
 * request or worker moved it first (the caller's lock makes that a bug on
 * PostgreSQL, and SQLite writes one at a time).
 */
export async function updateDispute(
  tx: Tx,
  id: string,
  from: DisputeStatus,
  change: Partial<Omit<DisputeRow, 'id'>>,
): Promise<boolean> {
  const result = await tx
    .updateTable('disputes')
    .set(change)
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `moving dispute ${id} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

export type DisputeParty = 'merchant_id' | 'issuer_id' | 'acquirer_id';
export type DisputeFilter = {
  transferId?: string | undefined;
  status?: string | undefined;
  /** The disputes where the party stands in any of the columns; no columns means every dispute. */
  partyColumns: readonly DisputeParty[];
  partyId: string;
  limit: number;
  after?: string | undefined;
};

export async function listDisputes(db: Queryable, filter: DisputeFilter): Promise<DisputeRow[]> {
  let query = db
    .selectFrom('disputes')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.partyColumns.length > 0)
    query = query.where((eb) => eb.or(filter.partyColumns.map((column) => eb(column, '=', filter.partyId))));
  if (filter.transferId !== undefined) query = query.where('payment_transfer_id', '=', filter.transferId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return query.execute();
}

/** Disputes whose party's deadline has passed at `at`, oldest deadline first. */
export async function listDueDisputeIds(db: Queryable, at: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('disputes')
    .select('id')
    .where('status', 'in', ['open', 'contested'])
    .where('deadline_at', '<=', at)
    .orderBy('deadline_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

function toRule(row: LiabilityRuleRow): LiabilityRule {
  return {
    reason: row.reason as DisputeReason,
    circumstance: row.circumstance as Circumstance,
    bears: row.bears as Bearer,
    note: row.note,
    updatedAt: row.updated_at,
  };
}

export async function findRule(
  db: Queryable,
  reason: string,
  circumstance: Circumstance,
): Promise<LiabilityRule | undefined> {
  const row = await db
    .selectFrom('liability_rules')
    .selectAll()
    .where('reason', '=', reason)
    .where('circumstance', '=', circumstance)
    .executeTakeFirst();
  return row ? toRule(row) : undefined;
}

export async function listRules(db: Queryable, reason?: string): Promise<LiabilityRule[]> {
  let query = db.selectFrom('liability_rules').selectAll().orderBy('reason').orderBy('circumstance');
  if (reason !== undefined) query = query.where('reason', '=', reason);
  return (await query.execute()).map(toRule);
}

export async function upsertRule(tx: Tx, rule: LiabilityRule): Promise<void> {
  const values = { bears: rule.bears, note: rule.note, updated_at: rule.updatedAt };
  await tx
    .insertInto('liability_rules')
    .values({ reason: rule.reason, circumstance: rule.circumstance, ...values })
    .onConflict((conflict) => conflict.columns(['reason', 'circumstance']).doUpdateSet(values))
    .execute();
}

export async function insertEvidence(tx: Tx, row: DisputeEvidenceRow): Promise<void> {
  invariant(row.size_bytes > 0, `evidence ${row.id} has content`);
  await tx.insertInto('dispute_evidence').values(row).execute();
}

export async function countEvidence(db: Queryable, disputeId: string): Promise<number> {
  const row = await db
    .selectFrom('dispute_evidence')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dispute_id', '=', disputeId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listEvidence(db: Queryable, disputeId: string): Promise<DisputeEvidenceRow[]> {
  return db.selectFrom('dispute_evidence').selectAll().where('dispute_id', '=', disputeId).orderBy('id').execute();
}

export async function findEvidence(
  db: Queryable,
  disputeId: string,
  id: string,
): Promise<DisputeEvidenceRow | undefined> {
  return db
    .selectFrom('dispute_evidence')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findEvidenceById(db: Queryable, id: string): Promise<DisputeEvidenceRow | undefined> {
  return db.selectFrom('dispute_evidence').selectAll().where('id', '=', id).executeTakeFirst();
}

import { type Queryable, type Tx, forUpdate, type PosChargeRow } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { invariant } from '../platform/index.ts';
import {
  type Charge,
  type ChargeStamp,
  type ChargeStatus,
  type PrefixOwner,
  type ReversalReason,
  holdsCode,
  leadingPrefixes,
  reversibleStatuses,
} from './model.ts';

function toCharge(row: PosChargeRow): Charge {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    acquirerId: row.acquirer_id,
    issuerId: row.issuer_id,
    paymentCode: row.payment_code,
    amount: minor(row.amount),
    currency: row.currency,
    reference: row.reference,
    status: row.status as ChargeStatus,
    transferId: row.transfer_id,
    receiptNumber: row.receipt_number,
    declineReason: row.decline_reason,
    reversalReason: row.reversal_reason as ReversalReason | null,
    deadlineAt: row.deadline_at,
    reverseAfter: row.reverse_after,
    createdAt: row.created_at,
    succeededAt: row.succeeded_at,
    declinedAt: row.declined_at,
    unknownAt: row.unknown_at,
    reversedAt: row.reversed_at,
  };
}

/**
 * Inserts a new charge unless another charge holds its code, and says which.
 * Only that conflict is absorbed (the id and the transfer are fresh).
 */
export async function insertCharge(tx: Tx, charge: Charge): Promise<boolean> {
  invariant(charge.status === 'pending', `charge ${charge.id} is inserted pending (not ${charge.status})`);
  const result = await tx
    .insertInto('pos_charges')
    .values({
      id: charge.id,
      merchant_id: charge.merchantId,
      acquirer_id: charge.acquirerId,
      issuer_id: charge.issuerId,
      payment_code: charge.paymentCode,
      payment_code_hold: holdsCode(charge.status) ? charge.paymentCode : null,
      amount: charge.amount,
      currency: charge.currency,
      reference: charge.reference,
      status: charge.status,
      transfer_id: charge.transferId,
      receipt_number: charge.receiptNumber,
      decline_reason: charge.declineReason,
      reversal_reason: charge.reversalReason,
      deadline_at: charge.deadlineAt,
      reverse_after: charge.reverseAfter,
      created_at: charge.createdAt,
      succeeded_at: charge.succeededAt,
      declined_at: charge.declinedAt,
      unknown_at: charge.unknownAt,
      reversed_at: charge.reversedAt,
    })
    .onConflict((conflict) => conflict.column('payment_code_hold').doNothing())
    .executeTakeFirst();
  invariant((result.numInsertedOrUpdatedRows ?? 0n) <= 1n, `inserting charge ${charge.id} wrote one row at most`);
  return result.numInsertedOrUpdatedRows === 1n;
}

/**
 * The charge, locked until the transaction ends when `{ lock: true }` (PostgreSQL; SQLite runs one transaction at a
 * time).
 */
export async function findCharge(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<Charge | undefined> {
  const query = db.selectFrom('pos_charges').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toCharge(row) : undefined;
}

/** The charge that holds the code: any charge of it but a declined one. */
export async function findCodeHolder(db: Queryable, paymentCode: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('pos_charges')
    .select('id')
    .where('payment_code_hold', '=', paymentCode)
    .executeTakeFirst();
  return row?.id;
}

export type ChargeChange = {
  status: ChargeStatus;
  stamp: ChargeStamp;
  at: string;
  declineReason?: string | null;
  reversalReason?: ReversalReason;
  reverseAfter?: string;
};

/** Moves a charge on from `from`; answers whether exactly that row changed. */
export async function updateChargeStatus(
  tx: Tx,
  id: string,
  from: ChargeStatus,
  change: ChargeChange,
): Promise<boolean> {
  invariant(
    change.stamp === `${change.status}_at`,
    `charge ${id} moving to ${change.status} is stamped ${change.stamp}`,
  );
  const result = await tx
    .updateTable('pos_charges')
    .set({
      status: change.status,
      [change.stamp]: change.at,
      ...(holdsCode(change.status) ? {} : { payment_code_hold: null }),
      ...(change.declineReason !== undefined ? { decline_reason: change.declineReason } : {}),
      ...(change.reversalReason !== undefined ? { reversal_reason: change.reversalReason } : {}),
      ...(change.reverseAfter !== undefined ? { reverse_after: change.reverseAfter } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `moving charge ${id} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

/** Pending or unknown charges whose time to be reversed has come, oldest first. */
export async function listDueReversals(db: Queryable, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('pos_charges')
    .select('id')
    .where('status', 'in', [...reversibleStatuses])
    .where('reverse_after', '<=', now)
    .orderBy('reverse_after')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export async function listCharges(
  db: Queryable,
  filter: { merchantId: string; reference?: string | undefined; limit: number; after?: string | undefined },
): Promise<Charge[]> {
  let query = db
    .selectFrom('pos_charges')
    .selectAll()
    .where('merchant_id', '=', filter.merchantId)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.reference !== undefined) query = query.where('reference', '=', filter.reference);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toCharge);
}

/**
 * The registered prefixes that begin the code, read from the participants'
 * prefix table (src/participants exports no lookup by code). At most 24
 * primary-key probes, whatever the number of participants.
 */
export async function prefixOwnersOf(db: Queryable, paymentCode: string): Promise<PrefixOwner[]> {
  const rows = await db
    .selectFrom('payment_code_prefixes')
    .selectAll()
    .where('prefix', 'in', leadingPrefixes(paymentCode))
    .execute();
  return rows.map((row) => ({ prefix: row.prefix, participantId: row.participant_id }));
}

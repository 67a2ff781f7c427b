import { sql } from 'kysely';
import type { Queryable, Tx, RefundRow } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import { type Refund, type RefundStatus, nextRefundStatus } from './model.ts';

const refundWithReceipt = (db: Queryable) =>
  db
    .selectFrom('refunds')
    .innerJoin('transfers', 'transfers.id', 'refunds.transfer_id')
    .selectAll('refunds')
    .select('transfers.receipt_number');

function toRefund(row: RefundRow & { receipt_number: string }): Refund {
  return {
    id: row.id,
    status: row.status as RefundStatus,
    amount: row.amount,
    currency: row.currency,
    paymentTransferId: row.payment_transfer_id,
    transferId: row.transfer_id,
    receiptNumber: row.receipt_number,
    reason: row.reason,
    merchantId: row.merchant_id,
    createdAt: row.created_at,
    succeededAt: row.succeeded_at,
  };
}

export async function insertRefund(tx: Tx, row: RefundRow): Promise<void> {
  invariant(row.status === 'pending', `refund ${row.id} is inserted pending (not ${row.status})`);
  invariant(row.succeeded_at === null, `pending refund ${row.id} has no success time`);
  invariant(row.amount > 0, `refund ${row.id} moves a positive amount`);
  await tx.insertInto('refunds').values(row).execute();
}

export async function findRefund(
  db: Queryable,
  id: string,
): Promise<(Refund & { issuerId: string; acquirerId: string }) | undefined> {
  const row = await refundWithReceipt(db).where('refunds.id', '=', id).executeTakeFirst();
  return row ? { ...toRefund(row), issuerId: row.issuer_id, acquirerId: row.acquirer_id } : undefined;
}

export type RefundParty = 'merchant_id' | 'issuer_id' | 'acquirer_id';
/** The refunds where the party stands in any of the columns; no columns means every refund. */
export type RefundFilter = {
  transferId?: string | undefined;
  partyColumns: readonly RefundParty[];
  partyId: string;
  limit: number;
  after?: string | undefined;
};

export async function listRefunds(db: Queryable, filter: RefundFilter): Promise<Refund[]> {
  let query = refundWithReceipt(db)
    .orderBy('refunds.id')
    .limit(filter.limit + 1);
  if (filter.partyColumns.length > 0)
    query = query.where((eb) =>
      eb.or(filter.partyColumns.map((column) => eb(`refunds.${column}`, '=', filter.partyId))),
    );
  if (filter.transferId !== undefined) query = query.where('refunds.payment_transfer_id', '=', filter.transferId);
  if (filter.after !== undefined) query = query.where('refunds.id', '>', filter.after);
  return (await query.execute()).map(toRefund);
}

/** What the transfer's ledger entries moved on one account, read back in the transaction that posted them. */
export async function entriesSumOf(tx: Tx, transferId: string, account: string): Promise<number> {
  const row = await tx
    .selectFrom('ledger_entries')
    // PostgreSQL sums bigints into numeric; cast back so the driver returns a checked safe integer.
    .select(sql<number>`cast(coalesce(sum(amount), 0) as bigint)`.as('moved'))
    .where('transfer_id', '=', transferId)
    .where('account', '=', account)
    .executeTakeFirstOrThrow();
  return Number(row.moved);
}

/** Pending refunds whose `refund.created` callback the issuer has answered with a 2xx. */
export async function listAcknowledgedRefundIds(db: Queryable, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('refunds')
    .innerJoin('event_deliveries', (join) =>
      join
        .onRef('event_deliveries.event_id', '=', 'refunds.created_event_id')
        .onRef('event_deliveries.participant_id', '=', 'refunds.issuer_id'),
    )
    .select('refunds.id')
    .where('refunds.status', '=', 'pending')
    .where('event_deliveries.status', '=', 'delivered')
    .orderBy('refunds.id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Moves a pending refund on by its table; false when another worker already did (a race, not a bug). */
export async function markSucceeded(tx: Tx, id: string, at: string): Promise<boolean> {
  const to = nextRefundStatus('pending', 'acknowledge');
  invariant(to === 'succeeded', `a pending refund succeeds when acknowledged (the table says ${to})`);
  const result = await tx
    .updateTable('refunds')
    .set({ status: to, succeeded_at: at })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `marking refund ${id} succeeded updated one row at most`);
  return result.numUpdatedRows === 1n;
}

import { sql } from 'kysely';
import type { Queryable } from '../db/index.ts';
import { type Direction, type MerchantSummary, type StatementLine, netToMerchant } from './model.ts';

export type StatementScope = {
  participantId: string;
  windowId?: string | undefined;
  fromDate?: string | undefined;
  toDate?: string | undefined;
};
export type StatementCursor = { id: string; direction: Direction } | undefined;

/**
 * One side of a participant's statement: the transfers it paid (debit) or
 * received (credit), from just after the cursor, in id order.
 */
function side(db: Queryable, scope: StatementScope, direction: Direction, after: StatementCursor) {
  const own = direction === 'debit' ? 'payer_id' : 'payee_id';
  const other = direction === 'debit' ? 'payee_id' : 'payer_id';
  const fee = direction === 'debit' ? 'issuer_switch_fee' : 'acquirer_switch_fee';
  let query = db
    .selectFrom('transfers')
    .select([
      'id',
      'receipt_number',
      'created_at',
      'business_date',
      'kind',
      sql<Direction>`${sql.lit(direction)}`.as('direction'),
      sql<string>`${sql.ref(other)}`.as('counterparty_id'),
      'merchant_id',
      'amount',
      'currency',
      'interchange',
      // An arbitration fee is its payer's switch fee, as on a payment.
      sql<number>`case when kind in ('payment', 'arbitration_fee') then ${sql.ref(fee)} else 0 end`.as('switch_fee'),
      'source',
      'payer_ref',
    ])
    .where(own, '=', scope.participantId)
    .where('status', '=', 'committed');
  if (scope.windowId !== undefined) query = query.where('window_id', '=', scope.windowId);
  if (scope.fromDate !== undefined) query = query.where('business_date', '>=', scope.fromDate);
  if (scope.toDate !== undefined) query = query.where('business_date', '<=', scope.toDate);
  // Lines sort by (id, direction) and 'credit' < 'debit': an on-us transfer shows its credit first.
  if (after !== undefined) query = query.where('id', after.direction < direction ? '>=' : '>', after.id);
  return query;
}

export async function statementBatch(
  db: Queryable,
  scope: StatementScope,
  after: StatementCursor,
  limit: number,
): Promise<StatementLine[]> {
  const rows = await side(db, scope, 'debit', after)
    .unionAll(side(db, scope, 'credit', after))
    .orderBy('id')
    .orderBy('direction')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    transferId: row.id,
    receiptNumber: row.receipt_number,
    createdAt: row.created_at,
    businessDate: row.business_date,
    kind: row.kind as StatementLine['kind'],
    direction: row.direction,
    counterpartyId: row.counterparty_id,
    merchantId: row.merchant_id,
    amount: Number(row.amount),
    currency: row.currency,
    interchange: Number(row.interchange),
    switchFee: Number(row.switch_fee),
    source: row.source,
    payerRef: row.payer_ref,
  }));
}

/** Per merchant of an acquirer: payments it collected, refunds and chargebacks it paid back, the merchant discount. */
export async function merchantSummaries(db: Queryable, scope: StatementScope): Promise<MerchantSummary[]> {
  let query = db
    .selectFrom('transfers')
    .select([
      'merchant_id',
      'currency',
      sql<number>`sum(case when kind = 'payment' and payee_id = ${scope.participantId} then 1 else 0 end)`.as(
        'payments',
      ),
      sql<number>`sum(case when kind = 'refund' and payer_id = ${scope.participantId} then 1 else 0 end)`.as(
        'refund_count',
      ),
      sql<number>`coalesce(sum(case when kind = 'payment' and payee_id = ${scope.participantId} then amount else 0
        end), 0)`.as('gross'),
      sql<number>`coalesce(sum(case when kind = 'refund' and payer_id = ${scope.participantId} then amount else 0
        end), 0)`.as('refunds'),
      sql<number>`sum(case when kind = 'chargeback' and payer_id = ${scope.participantId} then 1 else 0 end)`.as(
        'chargeback_count',
      ),
      sql<number>`coalesce(sum(case when kind = 'chargeback' and payer_id = ${scope.participantId} then amount
        else 0 end), 0)`.as('chargebacks'),
      sql<number>`coalesce(sum(case when kind = 'payment' and payee_id = ${scope.participantId} then merchant_discount
        else 0 end), 0)`.as('merchant_discount'),
    ])
    .where('status', '=', 'committed')
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'payment'), eb('payee_id', '=', scope.participantId)]),
        eb.and([eb('kind', 'in', ['refund', 'chargeback']), eb('payer_id', '=', scope.participantId)]),
      ]),
    )
    .groupBy(['merchant_id', 'currency'])
    .orderBy('merchant_id')
    .orderBy('currency');
  if (scope.windowId !== undefined) query = query.where('window_id', '=', scope.windowId);
  if (scope.fromDate !== undefined) query = query.where('business_date', '>=', scope.fromDate);
  if (scope.toDate !== undefined) query = query.where('business_date', '<=', scope.toDate);
  const rows = await query.execute();
  return rows.map((row) => {
    const gross = Number(row.gross);
    const refunds = Number(row.refunds);
    const merchantDiscount = Number(row.merchant_discount);
    const chargebacks = Number(row.chargebacks);
    return {
      merchantId: row.merchant_id,
      currency: row.currency,
      payments: Number(row.payments),
      refundCount: Number(row.refund_count),
      gross,
      refunds,
      chargebackCount: Number(row.chargeback_count),
      chargebacks,
      merchantDiscount,
      net: netToMerchant(gross, refunds, chargebacks, merchantDiscount),
    };
  });
}

import { sql } from 'kysely';
import { type Queryable, type Tx, forUpdate, type TransferRow } from '../db/index.ts';
import { type Minor, minor } from '../money/index.ts';
import type { Transfer, TransferKind, TransferSource, TransferStatus } from './model.ts';

function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    kind: row.kind as TransferKind,
    status: row.status as TransferStatus,
    receiptNumber: row.receipt_number,
    amount: minor(row.amount),
    currency: row.currency,
    payerParticipantId: row.payer_id,
    payeeParticipantId: row.payee_id,
    merchantId: row.merchant_id,
    checkoutId: row.checkout_id,
    payerRef: row.payer_ref,
    source: row.source as TransferSource,
    paymentTransferId: row.payment_transfer_id,
    refundedAmount: minor(row.refunded_amount),
    onUs: row.on_us === 1,
    fees: {
      interchange: minor(row.interchange),
      issuerSwitchFee: minor(row.issuer_switch_fee),
      acquirerSwitchFee: minor(row.acquirer_switch_fee),
      merchantDiscount: minor(row.merchant_discount),
    },
    windowId: row.window_id,
    businessDate: row.business_date,
    createdAt: row.created_at,
    committedAt: row.committed_at,
    releasedAt: row.released_at,
  };
}

function toRow(transfer: Transfer): TransferRow {
  return {
    id: transfer.id,
    kind: transfer.kind,
    status: transfer.status,
    receipt_number: transfer.receiptNumber,
    payer_id: transfer.payerParticipantId,
    payee_id: transfer.payeeParticipantId,
    merchant_id: transfer.merchantId,
    amount: transfer.amount,
    currency: transfer.currency,
    source: transfer.source,
    checkout_id: transfer.checkoutId,
    payer_ref: transfer.payerRef,
    payment_transfer_id: transfer.paymentTransferId,
    refunded_amount: transfer.refundedAmount,
    // A new transfer holds no dispute; disputes hold part of a payment later, through holdDisputed.
    disputed_amount: 0,
    interchange: transfer.fees.interchange,
    issuer_switch_fee: transfer.fees.issuerSwitchFee,
    acquirer_switch_fee: transfer.fees.acquirerSwitchFee,
    merchant_discount: transfer.fees.merchantDiscount,
    on_us: transfer.onUs ? 1 : 0,
    window_id: transfer.windowId,
    business_date: transfer.businessDate,
    created_at: transfer.createdAt,
    committed_at: transfer.committedAt,
    released_at: transfer.releasedAt,
  };
}

/**
 * Inserts unless the receipt number is taken, and says which. Only that
 * conflict is absorbed: a reused (payer, payer ref) still fails the
 * statement, for the caller to recognise with `isPayerRefConflict`.
 */
export async function insertTransfer(tx: Tx, transfer: Transfer): Promise<boolean> {
  const result = await tx
    .insertInto('transfers')
    .values(toRow(transfer))
    .onConflict((conflict) => conflict.column('receipt_number').doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function findTransfer(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<Transfer | undefined> {
  const query = db.selectFrom('transfers').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toTransfer(row) : undefined;
}

export async function findTransferByPayerRef(
  db: Queryable,
  payerId: string,
  payerRef: string,
): Promise<Transfer | undefined> {
  const row = await db
    .selectFrom('transfers')
    .selectAll()
    .where('payer_id', '=', payerId)
    .where('payer_ref', '=', payerRef)
    .executeTakeFirst();
  return row ? toTransfer(row) : undefined;
}

export type TransferFilter = {
  /** Only transfers this participant pays or receives. */
  participantId?: string | undefined;
  payerRef?: string | undefined;
  limit: number;
  after?: string | undefined;
};

export async function listTransfers(db: Queryable, filter: TransferFilter): Promise<Transfer[]> {
  let query = db
    .selectFrom('transfers')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  const participantId = filter.participantId;
  if (participantId !== undefined)
    query = query.where((eb) => eb.or([eb('payer_id', '=', participantId), eb('payee_id', '=', participantId)]));
  if (filter.payerRef !== undefined) query = query.where('payer_ref', '=', filter.payerRef);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toTransfer);
}

/** Moves a reserved transfer on (into a window when it commits); answers whether exactly that row changed. */
export async function updateReservedStatus(
  tx: Tx,
  id: string,
  change: {
    to: TransferStatus;
    stamp: 'committed_at' | 'released_at';
    at: string;
    window: { id: string; businessDate: string } | null;
  },
): Promise<boolean> {
  const result = await tx
    .updateTable('transfers')
    .set({
      status: change.to,
      [change.stamp]: change.at,
      window_id: change.window?.id ?? null,
      business_date: change.window?.businessDate ?? null,
    })
    .where('id', '=', id)
    .where('status', '=', 'reserved')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * What a payment's committed refunds and chargebacks have returned so far,
 * in amount and in interchange: both return interchange on one cumulative
 * scale, so their rounding never drifts apart.
 */
export async function sumReturned(tx: Tx, paymentId: string): Promise<{ amount: Minor; interchange: Minor }> {
  const row = await tx
    .selectFrom('transfers')
    // PostgreSQL sums bigints into numeric; cast back so the driver returns a checked safe integer.
    .select([
      sql<number>`cast(coalesce(sum(amount), 0) as bigint)`.as('amount'),
      sql<number>`cast(coalesce(sum(interchange), 0) as bigint)`.as('interchange'),
    ])
    .where('payment_transfer_id', '=', paymentId)
    .where('kind', 'in', ['refund', 'chargeback'])
    .where('status', '=', 'committed')
    .executeTakeFirstOrThrow();
  return { amount: minor(Number(row.amount)), interchange: minor(Number(row.interchange)) };
}

/** What disputes hold of a payment: open ones and those charged back. */
export async function disputedAmountOf(tx: Tx, paymentId: string): Promise<Minor> {
  const row = await tx
    .selectFrom('transfers')
    .select('disputed_amount')
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return minor(row.disputed_amount);
}

/**
 * Moves a payment's disputed amount by `delta`, never below zero nor past
 * what refunds leave of the payment; answers the new total, or undefined
 * when the move would break either bound.
 */
export async function addDisputed(tx: Tx, paymentId: string, delta: number): Promise<number | undefined> {
  const row = await tx
    .updateTable('transfers')
    .set((eb) => ({ disputed_amount: eb('disputed_amount', '+', delta) }))
    .where('id', '=', paymentId)
    .where((eb) => eb(eb('disputed_amount', '+', delta), '>=', 0))
    .where((eb) => eb(eb(eb('refunded_amount', '+', eb.ref('disputed_amount')), '+', delta), '<=', eb.ref('amount')))
    .returning('disputed_amount')
    .executeTakeFirst();
  return row?.disputed_amount;
}

/** Adds a refund to its payment's refunded amount, never past what disputes leave of it; answers the new total. */
export async function addRefunded(tx: Tx, paymentId: string, amount: number): Promise<number | undefined> {
  const row = await tx
    .updateTable('transfers')
    .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', amount) }))
    .where('id', '=', paymentId)
    .where((eb) => eb(eb(eb('refunded_amount', '+', eb.ref('disputed_amount')), '+', amount), '<=', eb.ref('amount')))
    .returning('refunded_amount')
    .executeTakeFirst();
  return row?.refunded_amount;
}

import { type Queryable, type Tx, type PaymentTokenRow, forUpdate } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import { type PaymentToken, type PaymentView, type TokenSource, paymentViewOf } from './model.ts';

function toToken(row: PaymentTokenRow): PaymentToken {
  return {
    token: row.token,
    source: row.source as TokenSource,
    objectId: row.object_id,
    attemptId: row.attempt_id,
    walletId: row.wallet_id,
    merchantId: row.merchant_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    usedAt: row.used_at,
    transferId: row.transfer_id,
  };
}

export async function insertToken(tx: Tx, token: PaymentToken): Promise<void> {
  invariant(token.usedAt === null, `payment token for ${token.source} ${token.objectId} is issued unused`);
  invariant(token.transferId === null, `payment token for ${token.source} ${token.objectId} is issued unpaid`);
  await tx
    .insertInto('payment_tokens')
    .values({
      token: token.token,
      source: token.source,
      object_id: token.objectId,
      attempt_id: token.attemptId,
      wallet_id: token.walletId,
      merchant_id: token.merchantId,
      expires_at: token.expiresAt,
      created_at: token.createdAt,
      used_at: token.usedAt,
      transfer_id: token.transferId,
    })
    .execute();
}

/** Marks a single-use token spent; false when it already was. */
export async function markTokenUsed(tx: Tx, token: string, at: string): Promise<boolean> {
  const result = await tx
    .updateTable('payment_tokens')
    .set({ used_at: at })
    .where('token', '=', token)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `spending payment token ${token} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

/** Links a token to the transfer it paid, in that transfer's transaction; a token pays one transfer at most. */
export async function recordTokenPaid(tx: Tx, token: string, transferId: string): Promise<void> {
  const result = await tx
    .updateTable('payment_tokens')
    .set({ transfer_id: transferId })
    .where('token', '=', token)
    .where('transfer_id', 'is', null)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `payment token ${token} had paid no transfer before ${transferId}`);
}

export async function findToken(
  db: Queryable,
  token: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<PaymentToken | undefined> {
  const query = db.selectFrom('payment_tokens').selectAll().where('token', '=', token);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toToken(row) : undefined;
}

export async function listTokensOfAttempt(db: Queryable, attemptId: string): Promise<PaymentToken[]> {
  const rows = await db
    .selectFrom('payment_tokens')
    .selectAll()
    .where('attempt_id', '=', attemptId)
    .orderBy('created_at')
    .execute();
  return rows.map(toToken);
}

/** Payments are the merchant's view of its committed payment transfers. */
const paymentColumns = [
  'id',
  'receipt_number',
  'payer_id',
  'amount',
  'currency',
  'source',
  'refunded_amount',
  'checkout_id',
  'created_at',
] as const;

type PaymentRow = {
  id: string;
  receipt_number: string;
  payer_id: string;
  amount: number;
  currency: string;
  source: string;
  refunded_amount: number;
  checkout_id: string | null;
  created_at: string;
};

function toPaymentView(row: PaymentRow): PaymentView {
  return paymentViewOf({
    id: row.id,
    receiptNumber: row.receipt_number,
    payerParticipantId: row.payer_id,
    amount: row.amount,
    currency: row.currency,
    source: row.source,
    refundedAmount: row.refunded_amount,
    checkoutId: row.checkout_id,
    createdAt: row.created_at,
  });
}

function paymentsOf(db: Queryable, merchantId: string) {
  return db
    .selectFrom('transfers')
    .select(paymentColumns)
    .where('merchant_id', '=', merchantId)
    .where('kind', '=', 'payment')
    .where('status', '=', 'committed');
}

export async function listPayments(
  db: Queryable,
  filter: { merchantId: string; limit: number; after?: string | undefined; source?: string | undefined },
): Promise<PaymentView[]> {
  let query = paymentsOf(db, filter.merchantId)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  if (filter.source !== undefined) query = query.where('source', '=', filter.source);
  return (await query.execute()).map(toPaymentView);
}

export async function findPayment(db: Queryable, merchantId: string, id: string): Promise<PaymentView | undefined> {
  const row = await paymentsOf(db, merchantId).where('id', '=', id).executeTakeFirst();
  return row ? toPaymentView(row) : undefined;
}

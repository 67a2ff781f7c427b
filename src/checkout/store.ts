import {
  type Queryable,
  type Tx,
  forUpdate,
  fromJson,
  toJson,
  type CheckoutAttemptRow,
  type CheckoutRow,
} from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { Checkout, CheckoutLine, CheckoutMethod, CheckoutStatus } from './model.ts';

function toCheckout(row: CheckoutRow): Checkout {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    acquirerId: row.acquirer_id,
    status: row.status as CheckoutStatus,
    amount: row.amount,
    currency: row.currency,
    reference: row.reference,
    buyerId: row.buyer_id,
    lines: fromJson<CheckoutLine[]>(row.lines),
    returnUrl: row.return_url,
    methods: fromJson<CheckoutMethod[]>(row.methods),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    paidAt: row.paid_at,
    expiredAt: row.expired_at,
    canceledAt: row.canceled_at,
    transferId: row.transfer_id,
    paidWalletId: row.paid_wallet_id,
  };
}

/** Inserts unless the merchant already holds the reference; false when it does. */
export async function insertCheckout(
  tx: Tx,
  checkout: Checkout,
  decisions: unknown,
  clientSecretHash: string,
): Promise<boolean> {
  invariant(checkout.status === 'open', `checkout ${checkout.id} is inserted open (not ${checkout.status})`);
  const result = await tx
    .insertInto('checkouts')
    .values({
      id: checkout.id,
      merchant_id: checkout.merchantId,
      acquirer_id: checkout.acquirerId,
      amount: checkout.amount,
      currency: checkout.currency,
      reference: checkout.reference,
      reference_hold: checkout.reference,
      buyer_id: checkout.buyerId,
      lines: toJson(checkout.lines),
      return_url: checkout.returnUrl,
      status: checkout.status,
      methods: toJson(checkout.methods),
      decisions: toJson(decisions),
      client_secret_hash: clientSecretHash,
      expires_at: checkout.expiresAt,
      created_at: checkout.createdAt,
      paid_at: null,
      expired_at: null,
      canceled_at: null,
      transfer_id: null,
      paid_wallet_id: null,
    })
    .onConflict((conflict) => conflict.columns(['merchant_id', 'reference_hold']).doNothing())
    .executeTakeFirst();
  invariant((result.numInsertedOrUpdatedRows ?? 0n) <= 1n, `inserting checkout ${checkout.id} wrote one row at most`);
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function findCheckout(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<Checkout | undefined> {
  const query = db.selectFrom('checkouts').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toCheckout(row) : undefined;
}

export async function findCheckoutBySecretHash(db: Queryable, hash: string): Promise<Checkout | undefined> {
  const row = await db.selectFrom('checkouts').selectAll().where('client_secret_hash', '=', hash).executeTakeFirst();
  return row ? toCheckout(row) : undefined;
}

export async function findCheckoutDecisions(db: Queryable, id: string): Promise<unknown> {
  const row = await db.selectFrom('checkouts').select('decisions').where('id', '=', id).executeTakeFirst();
  return row ? fromJson(row.decisions) : undefined;
}

export async function findHeldReference(
  db: Queryable,
  merchantId: string,
  reference: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('checkouts')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('reference_hold', '=', reference)
    .executeTakeFirst();
  return row?.id;
}

export async function listCheckouts(
  db: Queryable,
  filter: { merchantId: string; status?: string | undefined; limit: number; after?: string | undefined },
): Promise<Checkout[]> {
  let query = db
    .selectFrom('checkouts')
    .selectAll()
    .where('merchant_id', '=', filter.merchantId)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toCheckout);
}

export async function listDueCheckoutIds(db: Queryable, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('checkouts')
    .select('id')
    .where('status', '=', 'open')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export type CheckoutChange = {
  status: CheckoutStatus;
  stamp?: { column: 'paid_at' | 'expired_at' | 'canceled_at'; at: string } | undefined;
  releaseReference: boolean;
  payment?: { transferId: string; walletId: string } | undefined;
};

/** Moves a checkout on, only from the status the caller read (a guard against lost updates). */
export async function updateCheckoutStatus(
  tx: Tx,
  id: string,
  from: CheckoutStatus,
  change: CheckoutChange,
): Promise<void> {
  const result = await tx
    .updateTable('checkouts')
    .set({
      status: change.status,
      ...(change.stamp ? { [change.stamp.column]: change.stamp.at } : {}),
      ...(change.releaseReference ? { reference_hold: null } : {}),
      ...(change.payment ? { transfer_id: change.payment.transferId, paid_wallet_id: change.payment.walletId } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `locked checkout ${id} was still ${from} when moved to ${change.status}`);
}

export async function insertAttempt(tx: Tx, attempt: CheckoutAttemptRow): Promise<void> {
  await tx.insertInto('checkout_attempts').values(attempt).execute();
}

export async function findAttempt(db: Queryable, id: string): Promise<CheckoutAttemptRow | undefined> {
  return db.selectFrom('checkout_attempts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findAttemptByShareToken(
  db: Queryable,
  shareToken: string,
): Promise<CheckoutAttemptRow | undefined> {
  return db.selectFrom('checkout_attempts').selectAll().where('share_token', '=', shareToken).executeTakeFirst();
}

import type { HubContext } from '../context.ts';
import { type Tx, inTransaction } from '../db/index.ts';
import { actorOf, type Caller, recordIdempotentEffect } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { emitEvent } from '../notify/index.ts';
import { type Result, Secret, invariant, newId, newToken, ok, refuse, sha256Hex } from '../platform/index.ts';
import { decideMethods } from '../rollout/index.ts';
import {
  type Checkout,
  type CheckoutEvent,
  type CheckoutLine,
  checkLines,
  checkoutStampOf,
  expiresInSecondsDefault,
  holdsReference,
  isDue,
  nextCheckoutStatus,
} from './model.ts';
import * as store from './store.ts';

export type NewCheckoutInput = {
  amount: number;
  currency: string;
  reference: string;
  buyerId: string;
  lines?: CheckoutLine[] | undefined;
  returnUrl?: string | undefined;
  expiresInSeconds?: number | undefined;
};

export type CheckoutRefusal =
  | 'invalid_request'
  | 'not_found'
  | 'merchant_suspended'
  | 'currency_not_supported'
  | 'reference_in_use'
  | 'invalid_transition'
  | 'checkout_expired'
  | 'checkout_canceled'
  | 'checkout_already_paid';

export type CreatedCheckout = { checkout: Checkout; clientSecret: Secret };

const clientSecretPrefix = 'cs_';
const clientSecretBytes = 24;

export async function createCheckout(
  ctx: HubContext,
  caller: Caller & { type: 'merchant' },
  input: NewCheckoutInput,
): Promise<Result<CreatedCheckout, CheckoutRefusal>> {
  const lines = input.lines ?? [];
  const errors = checkLines(lines, input.amount, input.currency);
  if (errors.length > 0) return refuse('invalid_request', 'the lines do not fit the amount', { errors });
  return inTransaction(ctx.db, async (tx) => {
    const merchant = await findMerchant(tx, caller.id);
    invariant(merchant !== undefined, `authenticated merchant ${caller.id} exists`);
    if (merchant.status !== 'active')
      return refuse('merchant_suspended', 'a suspended merchant cannot take new checkouts');
    const at = ctx.clock.now();
    const decision = await decideMethods(tx, {
      merchantId: merchant.id,
      acquirerId: merchant.acquirerId,
      currency: input.currency,
      amount: input.amount,
      buyerId: input.buyerId,
      lines,
      at,
    });
    const clientSecret = new Secret(newToken(clientSecretPrefix, ctx.random, clientSecretBytes));
    const checkout: Checkout = {
      id: newId('chk', at, ctx.random),
      merchantId: merchant.id,
      acquirerId: merchant.acquirerId,
      status: 'open',
      amount: input.amount,
      currency: input.currency,
      reference: input.reference,
      buyerId: input.buyerId,
      lines,
      returnUrl: input.returnUrl ?? null,
      methods: decision.methods,
      expiresAt: new Date(at.getTime() + (input.expiresInSeconds ?? expiresInSecondsDefault) * 1000).toISOString(),
      createdAt: at.toISOString(),
      paidAt: null,
      expiredAt: null,
      canceledAt: null,
      transferId: null,
      paidWalletId: null,
    };
    invariant(checkout.expiresAt > checkout.createdAt, `checkout ${checkout.id} expires after it is created`);
    const inserted = await store.insertCheckout(tx, checkout, decision.decisions, sha256Hex(clientSecret.reveal()));
    if (!inserted) {
      const holder = await store.findHeldReference(tx, merchant.id, input.reference);
      return refuse(
        'reference_in_use',
        `reference ${input.reference} is held by checkout ${holder ?? 'another checkout'}`,
        { checkoutId: holder },
      );
    }
    await recordIdempotentEffect(tx, { kind: 'checkout', id: checkout.id, secret: clientSecret });
    return ok({ checkout, clientSecret });
  });
}

/** The merchant that owns the checkout, or the buyer holding its client secret, may see it. */
export function canSeeCheckout(caller: Caller, checkout: Checkout): boolean {
  return (
    (caller.type === 'merchant' && caller.id === checkout.merchantId) ||
    (caller.type === 'buyer' && caller.id === checkout.id)
  );
}

/**
 * Moves a checkout along its table, stamping the time and emitting the
 * event merchants hear, in the caller's transaction. The row must be locked.
 */
export async function moveCheckout(
  ctx: HubContext,
  tx: Tx,
  checkout: Checkout,
  event: CheckoutEvent,
  payment?: { transferId: string; walletId: string },
): Promise<Checkout> {
  const to = nextCheckoutStatus(checkout.status, event);
  invariant(to !== undefined, `a ${checkout.status} checkout ${checkout.id} may ${event}`);
  invariant((event === 'pay') === (payment !== undefined), `checkout ${checkout.id} is given a payment only to pay`);
  const column = checkoutStampOf(event);
  const at = ctx.clock.now().toISOString();
  await store.updateCheckoutStatus(tx, checkout.id, checkout.status, {
    status: to,
    stamp: column ? { column, at } : undefined,
    releaseReference: !holdsReference(to),
    payment,
  });
  const moved = await store.findCheckout(tx, checkout.id);
  invariant(moved !== undefined, `checkout ${checkout.id} exists after it moved`);
  invariant(moved.status === to, `checkout ${checkout.id} is ${to} after ${event} (it is ${moved.status})`);
  invariant(
    payment === undefined || moved.transferId === payment.transferId,
    `paid checkout ${checkout.id} names its transfer ${payment?.transferId}`,
  );
  if (to !== checkout.status)
    await emitEvent(ctx, tx, { type: `checkout.${to}`, data: moved, merchantId: moved.merchantId });
  return moved;
}

/** Reads a checkout, expiring it first when its time has passed: expiry happens on read too. */
export async function readCheckout(ctx: HubContext, id: string): Promise<Checkout | undefined> {
  const checkout = await store.findCheckout(ctx.db.kysely, id);
  if (!checkout || !isDue(checkout, ctx.clock.now())) return checkout;
  return expireCheckout(ctx, id);
}

export async function expireCheckout(ctx: HubContext, id: string): Promise<Checkout | undefined> {
  return inTransaction(ctx.db, async (tx) => {
    const checkout = await store.findCheckout(tx, id, { lock: true });
    if (!checkout || !isDue(checkout, ctx.clock.now())) return checkout;
    return moveCheckout(ctx, tx, checkout, 'expire');
  });
}

const expiryBatchMax = 200;

/** The background half of expiry: every open checkout past its time, a batch per tick. */
export async function expireDueCheckouts(ctx: HubContext): Promise<number> {
  const due = await store.listDueCheckoutIds(ctx.db.kysely, ctx.clock.now().toISOString(), expiryBatchMax);
  for (const id of due) await expireCheckout(ctx, id);
  return due.length;
}

export async function cancelCheckout(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<Checkout, CheckoutRefusal>> {
  const current = await readCheckout(ctx, id);
  if (!current || !canSeeCheckout(caller, current) || caller.type !== 'merchant')
    return refuse('not_found', `checkout ${id} was not found`);
  return inTransaction(ctx.db, async (tx) => {
    const checkout = await store.findCheckout(tx, id, { lock: true });
    if (!checkout) return refuse('not_found', `checkout ${id} was not found`);
    if (checkout.status !== 'open')
      return refuse('invalid_transition', `a ${checkout.status} checkout cannot be canceled`);
    const canceled = await moveCheckout(ctx, tx, checkout, 'cancel');
    invariant(canceled.canceledAt !== null, `canceled checkout ${id} is stamped with when`);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'checkout.cancel',
      objectType: 'checkout',
      objectId: id,
      before: checkout,
      after: canceled,
    });
    return ok(canceled);
  });
}

/** A client secret names its checkout's buyer; only its hash is kept. */
export async function buyerCallerOf(ctx: HubContext, token: string): Promise<Caller | undefined> {
  if (!token.startsWith(clientSecretPrefix)) return undefined;
  const checkout = await store.findCheckoutBySecretHash(ctx.db.kysely, sha256Hex(token));
  return checkout ? { type: 'buyer', id: checkout.id } : undefined;
}

/** Why a checkout cannot be paid or tried now, if it cannot. */
export function payableRefusal(
  checkout: Checkout,
): Result<true, 'checkout_canceled' | 'checkout_expired' | 'checkout_already_paid'> {
  switch (checkout.status) {
    case 'open':
      return ok(true);
    case 'canceled':
      return refuse('checkout_canceled', `checkout ${checkout.id} was canceled`);
    case 'expired':
      return refuse('checkout_expired', `checkout ${checkout.id} expired at ${checkout.expiresAt}`);
    case 'paid':
    case 'partially_refunded':
    case 'refunded':
      return refuse('checkout_already_paid', `checkout ${checkout.id} is already paid`, {
        transferId: checkout.transferId,
      });
    default: {
      const unknownStatus: never = checkout.status;
      throw new Error(`unknown checkout status ${String(unknownStatus)}`);
    }
  }
}

export { listCheckouts, findCheckout, findCheckoutDecisions } from './store.ts';
